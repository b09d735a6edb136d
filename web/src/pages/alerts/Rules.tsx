// The user's rules, each with its title, item, condition, source, channels,
// margin, state (armed, waiting to re-arm, paused) and a preview of what it
// measures now, in its kind's unit, flagged when the condition is met now.
// Edit opens the form in place; pause and resume are one click; delete asks
// first, in place. Below the list, the form for a new rule.
import { useRef, useState } from 'react';
import { Link } from 'react-router';
import type { AlertRule, AlertRules } from '../../../../src/shared/api-types.js';
import { useDeleteRule, useUpdateRule } from '../../api/alerts.js';
import type { CatalogItem } from '../../api/portfolio.js';
import { sourceName } from '../../format.js';
import { FormMessage, useAction } from '../account/kit.js';
import { CHANNEL_NAMES, conditionText, measuredText } from './alert-format.js';
import { RuleForm } from './RuleForm.js';

function RuleState({ rule }: { rule: AlertRule }) {
  if (rule.paused) return <span className="badge rule-state rule-paused">Paused</span>;
  return rule.armed ? (
    <span className="badge rule-state rule-armed">Armed</span>
  ) : (
    <span className="badge rule-state rule-fired">Fired, re-arms after the margin</span>
  );
}

function Preview({ rule, currency }: { rule: AlertRule; currency: string }) {
  if (!rule.current) {
    return <span className="muted">Nothing to measure yet (no price or history)</span>;
  }
  return (
    <>
      <span className="rule-now">
        {measuredText(rule.condition.kind, rule.current.value, currency)}
      </span>{' '}
      <span className="muted">({sourceName(rule.current.source)})</span>{' '}
      {rule.current.met ? <span className="badge rule-met">Met now</span> : null}
    </>
  );
}

function RuleRow({
  rule,
  currency,
  onSaid,
}: {
  rule: AlertRule;
  currency: string;
  onSaid: (text: string) => void;
}) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const update = useUpdateRule();
  const remove = useDeleteRule();
  const action = useAction();
  return (
    <li className="alert-rule">
      <div className="alert-rule-head">
        <h3 className="alert-rule-title">{rule.title}</h3>
        <RuleState rule={rule} />
      </div>
      <dl className="alert-rule-facts">
        {rule.item ? (
          <div>
            <dt>Item</dt>
            <dd>
              <Link to={`/items/${rule.item.id}`}>{rule.item.market_hash_name}</Link>
            </dd>
          </div>
        ) : null}
        <div>
          <dt>When</dt>
          <dd>{conditionText(rule.condition, currency)}</dd>
        </div>
        <div>
          <dt>Now</dt>
          <dd>
            <Preview rule={rule} currency={currency} />
          </dd>
        </div>
        <div>
          <dt>Source</dt>
          <dd>{rule.source === 'preferred' ? 'Preferred' : sourceName(rule.source)}</dd>
        </div>
        <div>
          <dt>Channels</dt>
          <dd>{rule.channels.map((channel) => CHANNEL_NAMES[channel]).join(', ')}</dd>
        </div>
        <div>
          <dt>Margin</dt>
          <dd>{rule.margin_percent}%</dd>
        </div>
        {rule.note ? (
          <div>
            <dt>Note</dt>
            <dd>{rule.note}</dd>
          </div>
        ) : null}
      </dl>
      <div className="row-actions alert-rule-actions">
        <button
          type="button"
          className="button-quiet"
          aria-expanded={editing}
          onClick={() => setEditing(!editing)}
        >
          Edit <span className="visually-hidden">{rule.title}</span>
        </button>
        <button
          type="button"
          className="button-quiet"
          disabled={action.busy}
          onClick={() =>
            action.run(async () => {
              await update.mutateAsync({ id: rule.id, patch: { paused: !rule.paused } });
              onSaid(`${rule.paused ? 'Resumed' : 'Paused'}: ${rule.title}.`);
              return undefined;
            })
          }
        >
          {rule.paused ? 'Resume' : 'Pause'} <span className="visually-hidden">{rule.title}</span>
        </button>
        {confirming ? (
          <span className="confirm">
            <span>Delete this rule?</span>
            <button
              type="button"
              className="button-quiet button-danger"
              disabled={action.busy}
              onClick={() =>
                action.run(async () => {
                  await remove.mutateAsync(rule.id);
                  onSaid(`Deleted: ${rule.title}.`);
                  return undefined;
                })
              }
            >
              Yes, delete
            </button>
            <button type="button" className="button-quiet" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </span>
        ) : (
          <button type="button" className="button-quiet" onClick={() => setConfirming(true)}>
            Delete <span className="visually-hidden">{rule.title}</span>
          </button>
        )}
      </div>
      {action.outcome?.kind === 'error' ? <FormMessage outcome={action.outcome} /> : null}
      {editing ? (
        <RuleForm
          mode="edit"
          rule={rule}
          onDone={(message) => {
            setEditing(false);
            if (message) onSaid(message);
          }}
        />
      ) : null}
    </li>
  );
}

export function Rules({
  rules,
  currency,
  initialItem,
}: {
  rules: AlertRules;
  currency: string;
  initialItem: CatalogItem | null;
}) {
  const said = useAction();
  const heading = useRef<HTMLHeadingElement>(null);
  const onSaid = (text: string) => {
    said.setOutcome({ text, kind: 'success' });
    heading.current?.focus();
  };
  const full = rules.rules.length >= rules.limit;
  return (
    <section className="card" aria-labelledby="rules-heading">
      <div className="card-head">
        <h2 id="rules-heading" tabIndex={-1} ref={heading}>
          Your rules
        </h2>
        <span className="muted">
          {rules.rules.length} of at most {rules.limit}
        </span>
      </div>
      <FormMessage outcome={said.outcome} />
      {rules.rules.length === 0 ? (
        <p className="table-note">No rules yet: create one below.</p>
      ) : (
        <ul className="alert-rules" aria-labelledby="rules-heading">
          {rules.rules.map((rule) => (
            <RuleRow key={rule.id} rule={rule} currency={currency} onSaid={onSaid} />
          ))}
        </ul>
      )}
      <h3 id="new-rule-heading">New rule</h3>
      {full ? (
        <p className="notice">You have as many rules as an account may keep: delete one first.</p>
      ) : null}
      <RuleForm mode="create" initialItem={initialItem} onDone={onSaid} />
    </section>
  );
}
