// The admin API's request and response schemas (TypeBox): users, the audit
// trail, ingestion per provider, and the status of the database and store.
import { Type } from 'typebox';
import { SourceStatusJson } from '../market/schemas.js';
import { AUDIT_EVENT_NAMES } from '../shared/audit-vocabulary.js';

export const USERS_PAGE_DEFAULT = 50;
export const USERS_PAGE_MAX = 200;
export const AUDIT_PAGE_DEFAULT = 100;
export const AUDIT_PAGE_MAX = 1000;
/** The CSV export: at most this many events, newest first. */
export const AUDIT_CSV_MAX = 10_000;

const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
const Cursor = Type.String({
  minLength: 1,
  maxLength: 200,
  description: 'The `next_cursor` of the previous page',
});
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const UserIdParams = Type.Object({ id: Id }, { additionalProperties: false });

export const UsersQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({ minLength: 1, maxLength: 254, description: 'Part of an email or a name' }),
    ),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: USERS_PAGE_MAX, default: USERS_PAGE_DEFAULT }),
    ),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

export const AdminUserJson = Type.Object({
  id: Type.Integer(),
  email: Nullable(Type.String()),
  email_verified: Type.Boolean(),
  name: Nullable(Type.String()),
  role: Type.Union([Type.Literal('user'), Type.Literal('admin')]),
  created_at: Type.String({ format: 'date-time' }),
  disabled_at: Nullable(Type.String({ format: 'date-time' })),
});

export const UsersPageJson = Type.Object({
  users: Type.Array(AdminUserJson),
  next_cursor: Nullable(Type.String()),
});

export const RolePatch = Type.Object(
  { role: Type.Union([Type.Literal('user'), Type.Literal('admin')]) },
  { additionalProperties: false },
);

export const SessionsEndedJson = Type.Object(
  { ended: Type.Integer({ minimum: 0 }) },
  { description: 'How many sessions were ended' },
);

const AuditFilters = {
  user_id: Type.Optional(Id),
  event: Type.Optional(Type.Union(AUDIT_EVENT_NAMES.map((name) => Type.Literal(name)))),
  outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure')])),
  since: Type.Optional(Type.String({ format: 'date-time', description: 'At or after' })),
  until: Type.Optional(Type.String({ format: 'date-time', description: 'Before' })),
};

export const AuditQuery = Type.Object(
  {
    ...AuditFilters,
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: AUDIT_PAGE_MAX, default: AUDIT_PAGE_DEFAULT }),
    ),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

export const AuditCsvQuery = Type.Object(AuditFilters, { additionalProperties: false });

export const AuditEventJson = Type.Object({
  id: Type.Integer(),
  occurred_at: Type.String({ format: 'date-time' }),
  event: Type.String(),
  user_id: Type.Union([Type.Integer(), Type.Null()]),
  ip: Nullable(Type.String()),
  user_agent: Nullable(Type.String()),
  request_id: Nullable(Type.String()),
  outcome: Type.Union([Type.Literal('success'), Type.Literal('failure')]),
  detail: Type.Record(Type.String(), Type.Unknown()),
});

export const AuditPageJson = Type.Object({
  events: Type.Array(AuditEventJson),
  next_cursor: Nullable(Type.String()),
});

export const IngestionJson = Type.Object({
  providers: Type.Array(
    Type.Object({
      ...SourceStatusJson.properties,
      stale: Type.Boolean({
        description: 'No cycle recorded within PRICE_STALE_SECONDS (or none at all)',
      }),
      stale_items: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
        description: 'Catalog items the source did not price in its last cycle; null before one',
      }),
    }),
  ),
});

const UpOrDown = Type.Union([Type.Literal('up'), Type.Literal('down')]);

export const AdminStatusJson = Type.Object({
  database: Type.Object({ state: UpOrDown, latency_ms: Type.Union([Type.Number(), Type.Null()]) }),
  store: Type.Object({
    state: UpOrDown,
    kind: Type.Union([Type.Literal('redis'), Type.Literal('memory')]),
    latency_ms: Type.Union([Type.Number(), Type.Null()]),
  }),
});

export const WEBHOOKS_PAGE_DEFAULT = 100;
export const WEBHOOKS_PAGE_MAX = 500;

export const WebhooksQuery = Type.Object(
  {
    failing: Type.Optional(
      Type.Boolean({ description: 'Only webhooks whose last delivery failed' }),
    ),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: WEBHOOKS_PAGE_MAX, default: WEBHOOKS_PAGE_DEFAULT }),
    ),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

export const WebhookHealthJson = Type.Object({
  user_id: Type.Integer(),
  email: Nullable(Type.String()),
  host: Type.String({
    description: 'The URL’s host only: a webhook URL often carries its own secret (Discord’s does)',
  }),
  format: Type.Union([Type.Literal('discord'), Type.Literal('json')]),
  created_at: Type.String({ format: 'date-time' }),
  last_success_at: Nullable(Type.String({ format: 'date-time' })),
  last_failure_at: Nullable(Type.String({ format: 'date-time' })),
  last_failure: Nullable(Type.String()),
  deliveries_ok: Type.Integer(),
  deliveries_failed: Type.Integer(),
  failing: Type.Boolean({ description: 'Its last delivery failed' }),
});

export const WebhooksPageJson = Type.Object({
  webhooks: Type.Array(WebhookHealthJson),
  next_cursor: Nullable(Type.String()),
});
