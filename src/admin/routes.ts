// The admin API under /admin/api (S28): users (search, disable and enable,
// end their sessions, role), the audit trail (filtered, paged, and as CSV),
// the health of users' alert webhooks, ingestion per provider, and whether
// the database and the store answer. It sits outside /api/v1 and every
// route is behind the admin gate (gate.ts): an allowed address and the
// admin's basic-auth credentials. The app's CSRF protection covers the
// unsafe routes as it covers every other (S37): a browser that holds the
// admin's credentials sends them cross-site.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { webhookHealth } from '../alerts/webhook-health.js';
import { type AuditQuery as AuditFilter, queryAuditEvents } from '../audit/events.js';
import type { Sessions } from '../auth/sessions.js';
import {
  findUserById,
  publicUser,
  searchUsers,
  setUserDisabled,
  setUserRole,
  type User,
} from '../auth/users.js';
import type { Config } from '../config.js';
import { detail, tagRoutes } from '../http/openapi.js';
import { sourceStatuses } from '../market/ingest/source-status.js';
import type { Database } from '../platform/db/index.js';
import { ApiError } from '../platform/errors.js';
import type { Store } from '../platform/store/index.js';
import {
  decodeTimeIdCursor,
  encodeTimeIdCursor,
  isStorableTime,
} from '../platform/time-id-cursor.js';
import { toCsv } from '../portfolio/csv.js';
import { registerAdminGate } from './gate.js';
import {
  AdminStatusJson,
  AdminUserJson,
  AUDIT_CSV_MAX,
  AUDIT_PAGE_DEFAULT,
  AuditCsvQuery,
  AuditPageJson,
  AuditQuery,
  IngestionJson,
  RolePatch,
  SessionsEndedJson,
  USERS_PAGE_DEFAULT,
  UserIdParams,
  UsersPageJson,
  UsersQuery,
  WEBHOOKS_PAGE_DEFAULT,
  WebhooksPageJson,
  WebhooksQuery,
} from './schemas.js';

export const ADMIN_API_PREFIX = '/admin/api';

export interface AdminRouteOptions {
  readonly database: Database;
  readonly store: Store;
  readonly sessions: Sessions;
  readonly market: Pick<Config['market'], 'providers' | 'staleAfterMs'>;
  /** How long a status ping may take. */
  readonly pingTimeoutMs: number;
  readonly now: () => number;
}

const NO_SUCH_USER = 'No user with that id';
const BAD_CURSOR = 'The cursor is not one this API gave out';

function adminUserJson(user: User) {
  return {
    id: user.id,
    email: user.email,
    email_verified: user.email_verified,
    name: user.name,
    role: user.role,
    created_at: user.created_at.toISOString(),
    disabled_at: user.disabled_at ? user.disabled_at.toISOString() : null,
  };
}

/** A user id cursor: the last id of the previous page. */
function userCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  if (!/^[1-9]\d{0,15}$/.test(cursor)) throw new ApiError(400, BAD_CURSOR);
  return Number(cursor);
}

function decodeAuditCursor(cursor: string | undefined): AuditFilter['before'] {
  if (cursor === undefined) return undefined;
  const position = decodeTimeIdCursor(cursor);
  if (!position) throw new ApiError(400, BAD_CURSOR);
  return { occurredAt: position.at, id: position.id };
}

function timeFilter(text: string | undefined, name: string): Date | undefined {
  if (text === undefined) return undefined;
  const at = new Date(text);
  if (!isStorableTime(at)) throw new ApiError(400, `${name} is not a time`);
  return at;
}

interface AuditFilterQuery {
  readonly user_id?: number;
  readonly event?: AuditFilter['event'];
  readonly outcome?: AuditFilter['outcome'];
  readonly since?: string;
  readonly until?: string;
}

function auditFilter(query: AuditFilterQuery): AuditFilter {
  const since = timeFilter(query.since, 'since');
  const until = timeFilter(query.until, 'until');
  return {
    ...(query.user_id !== undefined ? { userId: query.user_id } : {}),
    ...(query.event !== undefined ? { event: query.event } : {}),
    ...(query.outcome !== undefined ? { outcome: query.outcome } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
  };
}

async function timed(check: Promise<void>): Promise<number | null> {
  const started = performance.now();
  try {
    await check;
    return Math.round((performance.now() - started) * 100) / 100;
  } catch {
    return null;
  }
}

export const adminRoutes: FastifyPluginAsyncTypebox<AdminRouteOptions> = async (app, options) => {
  const { database, store, sessions, market, now } = options;
  tagRoutes(app, 'admin');
  registerAdminGate(app);

  const userOr404 = (user: User | null): User => {
    if (!user) throw new ApiError(404, NO_SUCH_USER);
    return user;
  };

  app.get(
    '/users',
    {
      schema: {
        summary: 'Users whose email or name contains `q`, newest first, a page at a time',
        querystring: UsersQuery,
        response: { 200: UsersPageJson },
      },
    },
    async (request) => {
      const { q, limit = USERS_PAGE_DEFAULT, cursor } = request.query;
      const beforeId = userCursor(cursor);
      const users = await searchUsers(database, {
        limit: limit + 1,
        ...(q ? { q } : {}),
        ...(beforeId !== undefined ? { beforeId } : {}),
      });
      const page = users.slice(0, limit);
      const last = page.at(-1);
      return {
        users: page.map(adminUserJson),
        next_cursor: users.length > limit && last ? String(last.id) : null,
      };
    },
  );

  app.post(
    '/users/:id/disable',
    {
      schema: {
        summary: 'Disables the account: it cannot sign in, and its sessions end now',
        params: UserIdParams,
        response: { 200: AdminUserJson, 404: detail(NO_SUCH_USER) },
      },
    },
    async (request) => {
      const user = userOr404(await setUserDisabled(database, request.params.id, true));
      await sessions.endAll(user.id);
      return adminUserJson(user);
    },
  );

  app.post(
    '/users/:id/enable',
    {
      schema: {
        summary: 'Enables a disabled account: it can sign in again',
        params: UserIdParams,
        response: { 200: AdminUserJson, 404: detail(NO_SUCH_USER) },
      },
    },
    async (request) =>
      adminUserJson(userOr404(await setUserDisabled(database, request.params.id, false))),
  );

  app.post(
    '/users/:id/sessions/end',
    {
      schema: {
        summary: 'Ends every session of the user',
        params: UserIdParams,
        response: { 200: SessionsEndedJson, 404: detail(NO_SUCH_USER) },
      },
    },
    async (request) => {
      const user = userOr404(await findUserById(database, request.params.id));
      return { ended: await sessions.endAll(user.id) };
    },
  );

  app.patch(
    '/users/:id',
    {
      schema: {
        summary: 'Sets the user’s role; their live sessions carry the new one at once',
        params: UserIdParams,
        body: RolePatch,
        response: { 200: AdminUserJson, 404: detail(NO_SUCH_USER) },
      },
    },
    async (request) => {
      const user = userOr404(await setUserRole(database, request.params.id, request.body.role));
      await sessions.refreshUser(publicUser(user));
      return adminUserJson(user);
    },
  );

  app.get(
    '/audit',
    {
      schema: {
        summary: 'The audit trail, newest first, filtered by user, event, outcome and time',
        querystring: AuditQuery,
        response: { 200: AuditPageJson },
      },
    },
    async (request) => {
      const { limit = AUDIT_PAGE_DEFAULT, cursor } = request.query;
      const before = decodeAuditCursor(cursor);
      const events = await queryAuditEvents(database, {
        ...auditFilter(request.query),
        ...(before ? { before } : {}),
        limit: limit + 1,
      });
      const page = events.slice(0, limit);
      const last = page.at(-1);
      return {
        events: page.map((event) => ({
          id: event.id,
          occurred_at: event.occurredAt.toISOString(),
          event: event.event,
          user_id: event.userId,
          ip: event.ip,
          user_agent: event.userAgent,
          request_id: event.requestId,
          outcome: event.outcome,
          detail: event.detail,
        })),
        next_cursor:
          events.length > limit && last ? encodeTimeIdCursor(last.occurredAt, last.id) : null,
      };
    },
  );

  app.get(
    '/audit.csv',
    {
      schema: {
        summary: `The filtered audit trail as CSV, newest first, at most ${AUDIT_CSV_MAX.toLocaleString('en-US')} events`,
        querystring: AuditCsvQuery,
        response: {
          200: {
            description: 'RFC 4180 CSV, one line per event; text cells guarded against formulas',
            content: { 'text/csv': { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (request, reply) => {
      const events = await queryAuditEvents(database, {
        ...auditFilter(request.query),
        limit: AUDIT_CSV_MAX,
      });
      reply
        .type('text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="tracera-audit-${new Date(now()).toISOString().slice(0, 10)}.csv"`,
        );
      return toCsv(
        ['occurred_at', 'event', 'outcome', 'user_id', 'ip', 'user_agent', 'request_id', 'detail'],
        events.map((event) => [
          event.occurredAt.toISOString(),
          event.event,
          event.outcome,
          event.userId,
          event.ip,
          event.userAgent,
          event.requestId,
          JSON.stringify(event.detail),
        ]),
      );
    },
  );

  app.get(
    '/webhooks',
    {
      schema: {
        summary:
          'Each user’s alert webhook and how its deliveries go, by user id; the URL’s host only',
        querystring: WebhooksQuery,
        response: { 200: WebhooksPageJson },
      },
    },
    async (request) => {
      const { failing, limit = WEBHOOKS_PAGE_DEFAULT, cursor } = request.query;
      const afterId = userCursor(cursor);
      const rows = await webhookHealth(database, {
        limit: limit + 1,
        failing: failing ?? false,
        ...(afterId !== undefined ? { afterUserId: afterId } : {}),
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        webhooks: page,
        next_cursor: rows.length > limit && last ? String(last.user_id) : null,
      };
    },
  );

  app.get(
    '/ingestion',
    {
      schema: {
        summary:
          'Each configured provider’s last cycle: last success and error, rows, duration, pace, stale items',
        response: { 200: IngestionJson },
      },
    },
    async () => {
      const at = now();
      const statuses = await sourceStatuses(store, market.providers);
      return {
        providers: statuses.map((status) => ({
          ...status,
          stale:
            status.last_cycle_at === null ||
            at - Date.parse(status.last_cycle_at) > market.staleAfterMs,
          stale_items:
            status.catalog_items === null || status.items_last_cycle === null
              ? null
              : Math.max(0, status.catalog_items - status.items_last_cycle),
        })),
      };
    },
  );

  app.get(
    '/status',
    {
      schema: {
        summary: 'Whether the database and the store answer, and how fast',
        response: { 200: AdminStatusJson },
      },
    },
    async () => {
      const [databaseMs, storeMs] = await Promise.all([
        timed(database.ping(options.pingTimeoutMs)),
        timed(store.ping(options.pingTimeoutMs)),
      ]);
      return {
        database: { state: databaseMs === null ? 'down' : 'up', latency_ms: databaseMs },
        store: { state: storeMs === null ? 'down' : 'up', kind: store.kind, latency_ms: storeMs },
      } as const;
    },
  );
};
