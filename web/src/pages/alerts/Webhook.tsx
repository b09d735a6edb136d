// The user's webhook: where alerts are posted (https only, a public address;
// the server checks, S45) and in which format. Saving shows the signing
// secret once, with a copy button and a warning that it will not be shown
// again; the health of its deliveries (last success, last failure and why,
// counts) and a test button that sends one signed alert and says how it went.
import { useEffect, useId, useRef, useState } from 'react';
import type { AlertWebhook, AlertWebhookInput } from '../../../../src/shared/api-types.js';
import {
  useAlertWebhook,
  useDeleteWebhook,
  usePutWebhook,
  useTestWebhook,
} from '../../api/alerts.js';
import { Field, FormMessage, messageOf, onSubmitWith, useAction } from '../account/kit.js';
import { When } from '../portfolio/bits.js';

type Format = AlertWebhookInput['format'];
const FORMAT_NAMES: Readonly<Record<Format, string>> = {
  discord: 'Discord',
  json: 'Plain JSON',
};

function Secret({ secret, onHide }: { secret: string; onHide: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  const secretId = useId();
  const field = useRef<HTMLInputElement>(null);
  // Shown once: the focus goes to it, so the warning and the secret are read first.
  useEffect(() => {
    field.current?.focus();
    field.current?.select();
  }, []);
  return (
    <section className="webhook-secret" aria-label="Signing secret">
      <p className="notice">
        <strong>Copy this secret now: it is shown only once.</strong> Your receiver checks the{' '}
        <code>X-Tracera-Signature</code> header with it (HMAC-SHA256). Saving the webhook again
        makes a new one.
      </p>
      <div className="webhook-secret-row">
        <label htmlFor={secretId} className="visually-hidden">
          Signing secret
        </label>
        <input id={secretId} ref={field} className="webhook-secret-value" readOnly value={secret} />
        <button
          type="button"
          className="button"
          onClick={() =>
            navigator.clipboard.writeText(secret).then(
              () => setCopied('Copied.'),
              () => setCopied('Could not copy: select the secret and copy it by hand.'),
            )
          }
        >
          Copy
        </button>
        <button type="button" className="button-quiet" onClick={onHide}>
          I have saved it
        </button>
      </div>
      <p className="form-message" role="status">
        {copied}
      </p>
    </section>
  );
}

function Health({ webhook }: { webhook: AlertWebhook }) {
  return (
    <dl className="alert-rule-facts webhook-health">
      <div className="fact-wide">
        <dt>URL</dt>
        <dd className="webhook-url">{webhook.url}</dd>
      </div>
      <div>
        <dt>Format</dt>
        <dd>{webhook.format === 'discord' ? 'Discord' : 'JSON'}</dd>
      </div>
      <div>
        <dt>Delivered</dt>
        <dd>
          {webhook.deliveries_ok} ok, {webhook.deliveries_failed} failed
        </dd>
      </div>
      <div>
        <dt>Last success</dt>
        <dd>{webhook.last_success_at ? <When iso={webhook.last_success_at} /> : 'never'}</dd>
      </div>
      <div>
        <dt>Last failure</dt>
        <dd>
          {webhook.last_failure_at ? (
            <>
              <When iso={webhook.last_failure_at} />
              {webhook.last_failure ? `: ${webhook.last_failure}` : ''}
            </>
          ) : (
            'never'
          )}
        </dd>
      </div>
    </dl>
  );
}

export function WebhookSection() {
  const state = useAlertWebhook(true);
  const put = usePutWebhook();
  const remove = useDeleteWebhook();
  const test = useTestWebhook();
  const saving = useAction();
  const acting = useAction();
  const [url, setUrl] = useState('');
  const [format, setFormat] = useState<Format>('discord');
  const [secret, setSecret] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const formatId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const webhook = state.data?.webhook ?? null;

  return (
    <section className="card" aria-labelledby="webhook-heading">
      <h2 id="webhook-heading" tabIndex={-1} ref={heading}>
        Webhook
      </h2>
      <p className="card-note">
        Rules with the webhook channel post each alert here, signed. Only https addresses on the
        public internet are accepted.
      </p>
      {secret ? <Secret secret={secret} onHide={() => setSecret(null)} /> : null}
      {state.isPending ? (
        <p className="table-note" role="status">
          Loading…
        </p>
      ) : state.isError ? (
        <p className="error" role="alert">
          The webhook could not be loaded: {messageOf(state.error)}
        </p>
      ) : webhook ? (
        <>
          <Health webhook={webhook} />
          <div className="row-actions webhook-actions">
            <button
              type="button"
              className="button-quiet"
              disabled={acting.busy}
              onClick={() =>
                acting.run(async () => {
                  const result = await test.mutateAsync();
                  const tries = `${result.attempts} attempt${result.attempts === 1 ? '' : 's'}`;
                  const took = `${Math.round(result.ms)} ms`;
                  if (result.delivered) {
                    return `Test delivered: HTTP ${result.status}, ${tries}, ${took}.`;
                  }
                  throw new Error(
                    `Test not delivered (${tries}, ${took}): ${result.message ?? result.reason ?? 'no answer'}${result.status ? ` (HTTP ${result.status})` : ''}.`,
                  );
                })
              }
            >
              {acting.busy ? 'Sending…' : 'Send a test'}
            </button>
            {confirming ? (
              <span className="confirm">
                <span>Remove the webhook?</span>
                <button
                  type="button"
                  className="button-quiet button-danger"
                  onClick={() =>
                    acting.run(async () => {
                      await remove.mutateAsync();
                      setConfirming(false);
                      setSecret(null);
                      heading.current?.focus();
                      return 'Webhook removed.';
                    })
                  }
                >
                  Yes, remove
                </button>
                <button type="button" className="button-quiet" onClick={() => setConfirming(false)}>
                  Keep it
                </button>
              </span>
            ) : (
              <button type="button" className="button-quiet" onClick={() => setConfirming(true)}>
                Remove
              </button>
            )}
          </div>
        </>
      ) : (
        <p className="table-note">No webhook is set up.</p>
      )}
      <FormMessage outcome={acting.outcome} />
      <h3>{webhook ? 'Replace the webhook' : 'Set up a webhook'}</h3>
      <form
        className="alert-form webhook-form"
        aria-label="Webhook"
        aria-busy={saving.busy}
        onSubmit={onSubmitWith(() =>
          saving.run(async () => {
            const created = await put.mutateAsync({ url: url.trim(), format });
            setSecret(created.secret);
            setUrl('');
            return 'Webhook saved.';
          }),
        )}
      >
        <div className="form-fields">
          <Field
            label="URL"
            type="text"
            inputMode="url"
            autoComplete="off"
            spellCheck={false}
            required
            maxLength={2048}
            placeholder="https://"
            value={url}
            onChange={(event) => setUrl(event.target.value)}
          />
          <div className="account-field">
            <label htmlFor={formatId}>Format</label>
            <select
              id={formatId}
              aria-describedby={`${formatId}-hint`}
              value={format}
              onChange={(event) => setFormat(event.target.value as Format)}
            >
              {(Object.keys(FORMAT_NAMES) as Format[]).map((name) => (
                <option key={name} value={name}>
                  {FORMAT_NAMES[name]}
                </option>
              ))}
            </select>
            <p className="hint" id={`${formatId}-hint`}>
              Discord: a message a Discord channel's webhook takes; plain JSON: the alert's fields.
            </p>
          </div>
        </div>
        <button type="submit" className="button" disabled={saving.busy}>
          Save webhook
        </button>
        <FormMessage outcome={saving.outcome} />
      </form>
    </section>
  );
}
