// /admin/audit: the audit trail (S35), newest first, filtered by user,
// event, outcome and time, a page at a time, and the same filter as a CSV
// download. Filters apply when the form is submitted, not at each keystroke.
import { useState } from 'react';
import type { AuditEvent } from '../../../../src/shared/api-types.js';
import { AUDIT_EVENT_NAMES } from '../../../../src/shared/audit-vocabulary.js';
import { type AuditFilter, auditCsvUrl, NO_AUDIT_FILTER, useAuditEvents } from '../../api/admin.js';
import { LoadError, onSubmitWith, When } from './bits.js';

/** The event's small facts as `name: value` pairs, one line. */
function detailText(detail: AuditEvent['detail']): string {
  return Object.entries(detail)
    .map(([name, value]) => `${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' · ');
}

function EventRow({ event }: { event: AuditEvent }) {
  return (
    <tr className={event.outcome === 'failure' ? 'row-failure' : undefined}>
      <td>
        <When iso={event.occurred_at} />
      </td>
      <th scope="row">{event.event}</th>
      <td>
        <span className={`outcome outcome-${event.outcome}`}>{event.outcome}</span>
      </td>
      <td className="numeric">{event.user_id ?? <span className="muted">–</span>}</td>
      <td>
        {event.ip ?? <span className="muted">–</span>}
        {event.user_agent ? (
          <span className="item-meta admin-user-agent" title={event.user_agent}>
            {event.user_agent}
          </span>
        ) : null}
      </td>
      <td className="admin-detail">
        {detailText(event.detail)}
        {event.request_id ? <span className="item-meta">request {event.request_id}</span> : null}
      </td>
    </tr>
  );
}

function FilterForm({ onApply }: { onApply: (filter: AuditFilter) => void }) {
  const [draft, setDraft] = useState<AuditFilter>(NO_AUDIT_FILTER);
  const set = (patch: Partial<AuditFilter>) => setDraft((current) => ({ ...current, ...patch }));
  return (
    <form
      className="filters"
      aria-label="Filter the audit log"
      onSubmit={onSubmitWith(() => onApply(draft))}
    >
      <div className="field">
        <label htmlFor="audit-user">User id</label>
        <input
          id="audit-user"
          type="number"
          min={1}
          step={1}
          inputMode="numeric"
          value={draft.userId}
          onChange={(event) => set({ userId: event.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor="audit-event">Event</label>
        <select
          id="audit-event"
          value={draft.event}
          onChange={(event) => set({ event: event.target.value as AuditFilter['event'] })}
        >
          <option value="">Any</option>
          {AUDIT_EVENT_NAMES.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-outcome">Outcome</label>
        <select
          id="audit-outcome"
          value={draft.outcome}
          onChange={(event) => set({ outcome: event.target.value as AuditFilter['outcome'] })}
        >
          <option value="">Any</option>
          <option value="success">success</option>
          <option value="failure">failure</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-since">From</label>
        <input
          id="audit-since"
          type="datetime-local"
          value={draft.since}
          onChange={(event) => set({ since: event.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor="audit-until">Before</label>
        <input
          id="audit-until"
          type="datetime-local"
          value={draft.until}
          onChange={(event) => set({ until: event.target.value })}
        />
      </div>
      <button type="submit" className="button">
        Apply
      </button>
    </form>
  );
}

export function AdminAuditPage() {
  const [filter, setFilter] = useState<AuditFilter>(NO_AUDIT_FILTER);
  const events = useAuditEvents(filter);
  const rows = events.data?.pages.flatMap((page) => page.events) ?? [];
  return (
    <section aria-labelledby="audit-heading" className="admin-section">
      <div className="card-head">
        <h2 id="audit-heading">Audit log</h2>
        <a className="button-link" href={auditCsvUrl(filter)} download>
          Download CSV
        </a>
      </div>
      <FilterForm onApply={setFilter} />
      {events.isPending ? (
        <p className="table-note">Loading the audit log…</p>
      ) : events.isError ? (
        <LoadError what="The audit log" error={events.error} />
      ) : rows.length === 0 ? (
        <p className="table-note">No events match.</p>
      ) : (
        <div className="table-wrap">
          <table className="plain-table admin-table">
            <caption className="visually-hidden">Audit events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Event</th>
                <th scope="col">Outcome</th>
                <th scope="col">User</th>
                <th scope="col">Client</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((event) => (
                <EventRow key={event.id} event={event} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {events.hasNextPage ? (
        <p className="table-more">
          <button
            type="button"
            className="button-quiet"
            disabled={events.isFetchingNextPage}
            onClick={() => events.fetchNextPage()}
          >
            {events.isFetchingNextPage ? 'Loading…' : 'Show older events'}
          </button>
        </p>
      ) : null}
    </section>
  );
}
