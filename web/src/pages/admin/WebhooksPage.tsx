// /admin/webhooks: each user's alert webhook and how its deliveries go, to
// find the ones failing. Only the URL's host is shown: a webhook URL often
// carries the receiver's own secret.
import { useState } from 'react';
import type { WebhooksPage } from '../../../../src/shared/api-types.js';
import { useWebhookHealth } from '../../api/admin.js';
import { count, LoadError, When } from './bits.js';

type Webhook = WebhooksPage['webhooks'][number];

function WebhookRow({ webhook }: { webhook: Webhook }) {
  return (
    <tr className={webhook.failing ? 'row-failure' : undefined}>
      <th scope="row">
        {webhook.email ?? <span className="muted">user #{webhook.user_id}</span>}
        <span className="item-meta">user #{webhook.user_id}</span>
      </th>
      <td>
        {webhook.host}
        <span className="item-meta">{webhook.format}</span>
      </td>
      <td>
        <span className={`service-state service-${webhook.failing ? 'down' : 'up'}`}>
          {webhook.failing ? 'Failing' : webhook.last_success_at ? 'OK' : 'Not used yet'}
        </span>
      </td>
      <td>
        <When iso={webhook.last_success_at} none="never" />
      </td>
      <td className="admin-error-cell">
        {webhook.last_failure ?? <span className="muted">none</span>}
        {webhook.last_failure_at ? (
          <span className="item-meta">
            <When iso={webhook.last_failure_at} />
          </span>
        ) : null}
      </td>
      <td className="numeric">{count.format(webhook.deliveries_ok)}</td>
      <td className="numeric">{count.format(webhook.deliveries_failed)}</td>
    </tr>
  );
}

export function AdminWebhooksPage() {
  const [failing, setFailing] = useState(false);
  const webhooks = useWebhookHealth(failing);
  const rows = webhooks.data?.pages.flatMap((page) => page.webhooks) ?? [];
  return (
    <section aria-labelledby="webhooks-heading" className="admin-section">
      <h2 id="webhooks-heading">Alert webhooks</h2>
      <p className="card-note">
        Each user's webhook, by user. A webhook is failing when its last delivery failed; the user
        sees the same record on their alerts page.
      </p>
      <label className="field-check">
        <input
          type="checkbox"
          checked={failing}
          onChange={(event) => setFailing(event.target.checked)}
        />{' '}
        Failing only
      </label>
      {webhooks.isPending ? (
        <p className="table-note">Loading webhooks…</p>
      ) : webhooks.isError ? (
        <LoadError what="Webhooks" error={webhooks.error} />
      ) : rows.length === 0 ? (
        <p className="table-note">
          {failing ? 'No webhook is failing.' : 'No user has a webhook.'}
        </p>
      ) : (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a region that scrolls sideways on a phone must be reachable by keyboard (axe: scrollable-region-focusable).
        <section className="table-wrap" aria-label="Webhooks, scrollable" tabIndex={0}>
          <table className="plain-table admin-table">
            <caption className="visually-hidden">Alert webhooks by user</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Host</th>
                <th scope="col">State</th>
                <th scope="col">Last success</th>
                <th scope="col">Last failure</th>
                <th scope="col">Delivered</th>
                <th scope="col">Failed</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((webhook) => (
                <WebhookRow key={webhook.user_id} webhook={webhook} />
              ))}
            </tbody>
          </table>
        </section>
      )}
      {webhooks.hasNextPage ? (
        <p className="table-more">
          <button
            type="button"
            className="button-quiet"
            disabled={webhooks.isFetchingNextPage}
            onClick={() => webhooks.fetchNextPage()}
          >
            {webhooks.isFetchingNextPage ? 'Loading…' : 'Show more webhooks'}
          </button>
        </p>
      ) : null}
    </section>
  );
}
