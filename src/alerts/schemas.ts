// Request and response shapes of the alerts API: rules (a condition, the
// source it reads, the channels it goes to, the re-arm margin), what fired
// and where it went, and the user's webhook. A condition is one object per
// kind, with only that kind's settings, so a rule cannot carry a level and
// a window at once.
import { type TSchema, Type } from 'typebox';
import {
  ALERT_CHANNELS,
  DEFAULT_MARGIN_PERCENT,
  DIRECTIONS,
  PREFERRED_SOURCE,
} from '../shared/alert-vocabulary.js';
import { MARKET_PROVIDERS } from '../shared/market-vocabulary.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });
const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
const ItemId = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
const Direction = Type.Enum(DIRECTIONS, {
  description: '`up`: a rise past the threshold; `down`: a fall past it; `either`',
});
const Percent = Type.Number({ exclusiveMinimum: 0, maximum: 1000 });
const LevelCents = Type.Integer({ minimum: 1, maximum: 1_000_000_000 });

export const HISTORY_PAGE_DEFAULT = 50;
export const HISTORY_PAGE_MAX = 200;
/** A stale-price bound: from a minute to 30 days. */
export const STALE_MIN_SECONDS = 60;
export const STALE_MAX_SECONDS = 30 * 86_400;

const strict = { additionalProperties: false } as const;

export const Condition = Type.Union(
  [
    Type.Object(
      {
        kind: Type.Literal('price_above'),
        level_cents: LevelCents,
      },
      { ...strict, title: 'price_above', description: 'The price is at or above a level' },
    ),
    Type.Object(
      { kind: Type.Literal('price_below'), level_cents: LevelCents },
      { ...strict, title: 'price_below', description: 'The price is at or below a level' },
    ),
    Type.Object(
      {
        kind: Type.Literal('change'),
        window: Type.Union([Type.Literal('1h'), Type.Literal('24h'), Type.Literal('7d')]),
        threshold_percent: Percent,
        direction: Direction,
      },
      {
        ...strict,
        title: 'change',
        description: 'The price changed by at least `threshold_percent` over the window',
      },
    ),
    Type.Object(
      { kind: Type.Literal('bollinger') },
      {
        ...strict,
        title: 'bollinger',
        description:
          'The price is outside its 24 h Bollinger band (20 periods, ±2σ); the alert says by how many σ',
      },
    ),
    Type.Object(
      {
        kind: Type.Literal('volume_spike'),
        multiplier: Type.Number({ minimum: 1.1, maximum: 1000 }),
      },
      {
        ...strict,
        title: 'volume_spike',
        description: 'The last 24 h volume is at least `multiplier` times its 7-day mean',
      },
    ),
    Type.Object(
      {
        kind: Type.Literal('stale'),
        max_age_seconds: Type.Integer({ minimum: STALE_MIN_SECONDS, maximum: STALE_MAX_SECONDS }),
      },
      {
        ...strict,
        title: 'stale',
        description:
          'No fresh price for the item for longer than `max_age_seconds` (a provider gone silent)',
      },
    ),
    Type.Object(
      {
        kind: Type.Literal('portfolio_change'),
        window: Type.Union([Type.Literal('24h'), Type.Literal('7d')]),
        threshold_percent: Percent,
        direction: Direction,
      },
      {
        ...strict,
        title: 'portfolio_change',
        description:
          'The portfolio’s value changed by at least `threshold_percent` since its daily snapshot a window ago',
      },
    ),
  ],
  { description: 'What makes the rule true; `kind` picks the settings it takes' },
);

const Source = Type.Union([Type.Literal(PREFERRED_SOURCE), Type.Enum(MARKET_PROVIDERS)], {
  description: '`preferred`: the first configured provider with a price for the item',
});
const Channels = Type.Array(Type.Enum(ALERT_CHANNELS), {
  minItems: 1,
  maxItems: ALERT_CHANNELS.length,
  uniqueItems: true,
  description:
    '`app`: a notification in open Tracera tabs and the alert history; `email`: to the account’s verified address; `webhook`: to the webhook set up under /alerts/webhook',
});
const Margin = Type.Number({
  minimum: 0,
  maximum: 50,
  description:
    'After firing, the rule fires again only once its condition has been false by this percentage of its threshold',
});
const Note = Type.String({ maxLength: 200 });

export const RuleBody = Type.Object(
  {
    item_id: Type.Optional(Nullable(ItemId)),
    source: Type.Optional(Source),
    condition: Condition,
    channels: Channels,
    margin_percent: Type.Optional({ ...Margin, default: DEFAULT_MARGIN_PERCENT }),
    note: Type.Optional(Note),
    paused: Type.Optional(Type.Boolean()),
  },
  {
    ...strict,
    description:
      'A rule about an item (`item_id`), or about the whole portfolio (`portfolio_change`, no item)',
  },
);

export const RulePatch = Type.Object(
  {
    source: Type.Optional(Source),
    condition: Type.Optional(Condition),
    channels: Type.Optional(Channels),
    margin_percent: Type.Optional(Margin),
    note: Type.Optional(Note),
    paused: Type.Optional(Type.Boolean()),
  },
  {
    ...strict,
    minProperties: 1,
    description: 'A changed condition, source or margin arms the rule again',
  },
);

export const RuleIdParams = Type.Object({ id: Id }, strict);

const RuleItemJson = Type.Object({ id: Type.Integer(), market_hash_name: Type.String() });

export const CurrentJson = Type.Object(
  {
    value: Type.Number({
      description:
        'What the condition measures now, in its own unit: cents, percent, σ from the mean, times the mean volume, seconds',
    }),
    met: Type.Boolean({ description: 'Whether the condition is true now' }),
    source: Type.String(),
  },
  { description: 'A preview of the rule now; null when there is no price or history to measure' },
);

export const RuleJson = Type.Object({
  id: Type.Integer(),
  item: Nullable(RuleItemJson),
  source: Type.String(),
  condition: Condition,
  channels: Type.Array(Type.Enum(ALERT_CHANNELS)),
  margin_percent: Type.Number(),
  note: Type.String(),
  paused: Type.Boolean(),
  armed: Type.Boolean({
    description: 'False after it fired, until its condition has been false by the margin',
  }),
  title: Type.String(),
  current: Nullable(CurrentJson),
  created_at: DateTime,
  updated_at: DateTime,
});

export const RulesJson = Type.Object({
  rules: Type.Array(RuleJson),
  limit: Type.Integer({ description: 'ALERT_RULES_PER_USER' }),
});

const DeliveryJson = Type.Object({
  state: Type.Union([
    Type.Literal('pending'),
    Type.Literal('sent'),
    Type.Literal('failed'),
    Type.Literal('skipped'),
  ]),
  reason: Type.Optional(Type.String()),
});

export const FiringJson = Type.Object({
  id: Type.Integer(),
  rule_id: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Null once the rule was deleted',
  }),
  kind: Type.String(),
  item: Nullable(RuleItemJson),
  source: Type.String(),
  value: Type.Number(),
  title: Type.String(),
  message: Type.String(),
  fired_at: DateTime,
  deliveries: Type.Record(Type.String(), DeliveryJson),
});

export const HistoryQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: HISTORY_PAGE_MAX })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  strict,
);

export const HistoryJson = Type.Object({
  firings: Type.Array(FiringJson),
  next_cursor: Nullable(Type.String()),
});

export const WebhookBody = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2048, description: 'https only' }),
    format: Type.Union([Type.Literal('discord'), Type.Literal('json')], {
      description: '`discord`: a Discord-compatible message; `json`: the alert as plain JSON',
    }),
  },
  strict,
);

export const WebhookJson = Type.Object({
  url: Type.String(),
  format: Type.Union([Type.Literal('discord'), Type.Literal('json')]),
  created_at: DateTime,
  last_attempt_at: Nullable(DateTime),
  last_success_at: Nullable(DateTime),
  last_failure_at: Nullable(DateTime),
  last_failure: Nullable(Type.String()),
  deliveries_ok: Type.Integer(),
  deliveries_failed: Type.Integer(),
});

export const WebhookStateJson = Type.Object({ webhook: Nullable(WebhookJson) });

export const WebhookCreatedJson = Type.Object({
  webhook: WebhookJson,
  secret: Type.String({
    description:
      'The HMAC-SHA256 key of the X-Tracera-Signature header; shown only now, and after each rotation',
  }),
});

export const WebhookTestJson = Type.Object({
  delivered: Type.Boolean(),
  status: Nullable(Type.Integer()),
  attempts: Type.Integer(),
  ms: Type.Number(),
  reason: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
});
