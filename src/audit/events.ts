// The audit trail (S35): who did what, from where, and whether it worked.
// Rows carry the request's metadata so an event can be tied to its access-log
// line by request id. `detail` is for small, non-secret facts (which session
// was ended, which fields a profile update touched); callers never put
// tokens, passwords or cookies there (S36, checked by the secrets-scan test).
import type { FastifyRequest } from 'fastify';
import type { ColumnType, Generated, Kysely } from 'kysely';
import { clientInfo } from '../http/client-info.js';
import type { Database } from '../platform/db/index.js';
import type { AuditEventName } from '../shared/audit-vocabulary.js';

export { AUDIT_EVENT_NAMES, type AuditEventName } from '../shared/audit-vocabulary.js';

export type AuditOutcome = 'success' | 'failure';

declare module 'fastify' {
  interface FastifyInstance {
    /** Sees each audit event as it is recorded: the metrics count sign-ins from them. */
    auditListener?: (event: AuditEvent) => void;
  }
}

export type AuditTables = {
  audit_events: {
    id: Generated<number>;
    occurred_at: ColumnType<Date, Date | undefined, never>;
    event: string;
    user_id: number | null;
    ip: string | null;
    user_agent: string | null;
    request_id: string | null;
    outcome: AuditOutcome;
    detail: ColumnType<Record<string, unknown>, string, never>;
  };
};

export interface AuditEvent {
  readonly event: AuditEventName;
  readonly outcome: AuditOutcome;
  readonly userId?: number | null;
  readonly detail?: Record<string, string | number | boolean | null>;
}

export interface RecordedAuditEvent {
  readonly id: number;
  readonly occurredAt: Date;
  readonly event: string;
  readonly userId: number | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly requestId: string | null;
  readonly outcome: AuditOutcome;
  readonly detail: Record<string, unknown>;
}

export interface AuditQuery {
  readonly userId?: number;
  readonly event?: AuditEventName;
  readonly outcome?: AuditOutcome;
  readonly since?: Date;
  readonly until?: Date;
  readonly limit?: number;
  /** Only events older than this one (by time, then id): the page after a previous one. */
  readonly before?: { readonly occurredAt: Date; readonly id: number };
}

const DEFAULT_QUERY_LIMIT = 100;
const MAX_QUERY_LIMIT = 1000;

function auditDb(database: Database): Kysely<AuditTables> {
  return database.db.withTables<AuditTables>();
}

export async function recordAuditEvent(
  database: Database,
  request: FastifyRequest,
  event: AuditEvent,
): Promise<void> {
  const client = clientInfo(request);
  await auditDb(database)
    .insertInto('audit_events')
    .values({
      event: event.event,
      outcome: event.outcome,
      user_id: event.userId ?? null,
      ip: client.ip,
      user_agent: client.userAgent || null,
      request_id: request.id,
      detail: JSON.stringify(event.detail ?? {}),
    })
    .execute();
}

/** Records one audit event for the request being served. */
export type Audit = (event: AuditEvent) => Promise<void>;

/** The request's audit trail: each event recorded with its client and request id. */
export function auditFor(database: Database, request: FastifyRequest): Audit {
  const listener = request.server.auditListener;
  return (event) => {
    listener?.(event);
    return recordAuditEvent(database, request, event);
  };
}

/** Newest first, filtered by any of user, event, outcome and time range. */
export async function queryAuditEvents(
  database: Database,
  query: AuditQuery = {},
): Promise<RecordedAuditEvent[]> {
  let select = auditDb(database).selectFrom('audit_events').selectAll();
  if (query.userId !== undefined) select = select.where('user_id', '=', query.userId);
  if (query.event !== undefined) select = select.where('event', '=', query.event);
  if (query.outcome !== undefined) select = select.where('outcome', '=', query.outcome);
  const { before } = query;
  if (before !== undefined) {
    select = select.where((eb) =>
      eb.or([
        eb('occurred_at', '<', before.occurredAt),
        eb.and([eb('occurred_at', '=', before.occurredAt), eb('id', '<', before.id)]),
      ]),
    );
  }
  if (query.since !== undefined) select = select.where('occurred_at', '>=', query.since);
  if (query.until !== undefined) select = select.where('occurred_at', '<', query.until);
  const limit = Math.min(Math.max(1, query.limit ?? DEFAULT_QUERY_LIMIT), MAX_QUERY_LIMIT);
  const rows = await select
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    occurredAt: row.occurred_at,
    event: row.event,
    userId: row.user_id,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    outcome: row.outcome,
    detail: row.detail,
  }));
}
