// Request and response shapes of the portfolio API. Money is integer minor
// units (cents) of the market currency; every price says its source, when it
// was seen and whether it is stale; values come gross (at the market price)
// and net (what selling on Steam would bring after its seller fees).
import { type TSchema, Type } from 'typebox';
import { ItemJson } from '../market/schemas.js';
import { MARKET_PROVIDERS } from '../shared/market-vocabulary.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Source = Type.Enum(MARKET_PROVIDERS);
const DateTime = Type.String({ format: 'date-time' });
/** Cents that may be negative: P&L and changes. */
const SignedCents = Type.Integer();
const Quantity = Type.Integer({ minimum: 1, maximum: 1_000_000 });
const Note = Type.String({ maxLength: 500 });
const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
/** Catalog ids are PostgreSQL `integer`s. */
const ItemId = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
/**
 * A unit price or fee: at most $10,000,000, above any CS2 sale on record, so
 * that quantity × price stays an exact number (1e6 × 1e9 < 2^53).
 */
export const MAX_TRADE_CENTS = 1_000_000_000;
const TradeCents = Type.Integer({ minimum: 0, maximum: MAX_TRADE_CENTS });

export const PORTFOLIO_HISTORY_WINDOWS = ['30d', '1y'] as const;
export const HOLDINGS_PAGE_DEFAULT = 100;
export const HOLDINGS_PAGE_MAX = 500;

export const PortfolioQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: HOLDINGS_PAGE_MAX })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);
export const TRANSACTIONS_PAGE_DEFAULT = 50;
export const TRANSACTIONS_PAGE_MAX = 500;

export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });

export const HoldingPriceJson = Type.Object({
  price_cents: Type.Integer(),
  source: Source,
  simulated: Type.Boolean(),
  observed_at: DateTime,
  age_seconds: Type.Integer(),
  stale: Type.Boolean(),
});

export const HoldingJson = Type.Object({
  item: ItemJson,
  quantity: Type.Integer(),
  /** Of `quantity`: from the last Steam import, and added by hand. */
  steam_quantity: Type.Integer(),
  manual_quantity: Type.Integer(),
  price: HoldingPriceJson,
  value_cents: Type.Integer(),
  /** What selling every unit on Steam would bring after Steam's and the game's fees. */
  net_value_cents: Type.Integer(),
  /** Null when the source has no price 24 hours ago. */
  change_24h_percent: Nullable(Type.Number()),
  change_24h_cents: Nullable(SignedCents),
  /** FIFO cost of the units the ledger covers (`covered_quantity`); null when it covers none. */
  cost_basis_cents: Nullable(Type.Integer()),
  covered_quantity: Type.Integer(),
  /** Value of the covered units less their cost basis; null when none are covered. */
  unrealized_cents: Nullable(SignedCents),
  /** From this item's sells in the ledger. */
  realized_cents: SignedCents,
});

export const UnpricedHoldingJson = Type.Object({
  item: ItemJson,
  quantity: Type.Integer(),
});

export const UnmatchedHoldingJson = Type.Object({
  market_hash_name: Type.String(),
  quantity: Type.Integer(),
});

export const ManualHoldingJson = Type.Object({
  id: Id,
  item: ItemJson,
  quantity: Quantity,
  note: Type.String(),
  added_at: DateTime,
});

export const ImportSummaryJson = Type.Object({
  imported_at: DateTime,
  steam_id: Type.String(),
  pages: Type.Integer(),
  assets: Type.Integer(),
  matched: Type.Integer(),
  unmatched: Type.Integer(),
  /** Assets Steam sent without a description: counted here, not held. */
  without_description: Type.Integer(),
  duration_ms: Type.Integer(),
});

export const PortfolioTotalsJson = Type.Object({
  value_cents: Type.Integer(),
  net_value_cents: Type.Integer(),
  change_24h_cents: SignedCents,
  cost_basis_cents: Type.Integer(),
  unrealized_cents: SignedCents,
  /** From every sell in the ledger, held items or not. */
  realized_cents: SignedCents,
  priced_quantity: Type.Integer(),
  unpriced_quantity: Type.Integer(),
  unmatched_quantity: Type.Integer(),
  /** Held units the ledger has no buy for: valued, but without a cost basis. */
  uncovered_quantity: Type.Integer(),
});

export const PortfolioJson = Type.Object(
  {
    currency: Type.String(),
    /** The sources that price holdings, most preferred first. */
    price_sources: Type.Array(Source),
    cost_basis_method: Type.Literal('fifo'),
    /** Over every holding, whatever page `holdings` is. */
    totals: PortfolioTotalsJson,
    /** Priced holdings, most valuable first: `limit` of them from `offset`. */
    holdings: Type.Array(HoldingJson),
    /** How many priced holdings there are in all. */
    holdings_count: Type.Integer(),
    offset: Type.Integer(),
    limit: Type.Integer(),
    unpriced: Type.Array(UnpricedHoldingJson),
    unmatched: Type.Array(UnmatchedHoldingJson),
    manual_holdings: Type.Array(ManualHoldingJson),
    last_import: Nullable(ImportSummaryJson),
  },
  { description: 'What the user holds, what it is worth gross and net of fees, and the P&L' },
);

export const ImportProgressJson = Type.Object({
  pages: Type.Integer(),
  assets: Type.Integer(),
  /** What Steam says the inventory holds, when it says. */
  total: Nullable(Type.Integer()),
});

export const ImportStatusJson = Type.Object(
  {
    steam_linked: Type.Boolean(),
    running: Type.Boolean(),
    progress: Nullable(ImportProgressJson),
    /** When the next import may start; null when it may start now. */
    cooldown_until: Nullable(DateTime),
    last_import: Nullable(ImportSummaryJson),
  },
  { description: "The user's import: whether one runs, how far it got, and the cooldown" },
);

export const ImportResultJson = Type.Object(
  {
    import: ImportSummaryJson,
    /** Market hash names Steam sent that the catalog does not know, with their counts. */
    unmatched: Type.Array(UnmatchedHoldingJson),
    cooldown_until: DateTime,
  },
  { description: 'The import finished: the holdings from Steam were replaced' },
);

export const ManualHoldingBody = Type.Object(
  { item_id: ItemId, quantity: Quantity, note: Type.Optional(Note) },
  { additionalProperties: false },
);

export const ManualHoldingPatch = Type.Object(
  { quantity: Type.Optional(Quantity), note: Type.Optional(Note) },
  { additionalProperties: false, minProperties: 1 },
);

export const TransactionKind = Type.Enum(['buy', 'sell']);

export const TransactionBody = Type.Object(
  {
    kind: TransactionKind,
    item_id: ItemId,
    quantity: Quantity,
    unit_price_cents: TradeCents,
    fee_cents: Type.Optional(TradeCents),
    /** Defaults to the market currency, the only one accepted. */
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
    occurred_at: DateTime,
    note: Type.Optional(Note),
  },
  { additionalProperties: false },
);

export const TransactionPatch = Type.Object(
  {
    kind: Type.Optional(TransactionKind),
    item_id: Type.Optional(ItemId),
    quantity: Type.Optional(Quantity),
    unit_price_cents: Type.Optional(TradeCents),
    fee_cents: Type.Optional(TradeCents),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
    occurred_at: Type.Optional(DateTime),
    note: Type.Optional(Note),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const TransactionJson = Type.Object({
  id: Id,
  kind: TransactionKind,
  item: Nullable(ItemJson),
  market_hash_name: Type.String(),
  quantity: Type.Integer(),
  unit_price_cents: Type.Integer(),
  fee_cents: Type.Integer(),
  currency: Type.String(),
  occurred_at: DateTime,
  note: Type.String(),
});

export const TransactionsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: TRANSACTIONS_PAGE_MAX })),
    cursor: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);

export const TransactionsPageJson = Type.Object(
  {
    transactions: Type.Array(TransactionJson),
    /** Pass as `cursor` for the next (older) page; null on the last page. */
    next_cursor: Nullable(Type.String()),
  },
  { description: 'Ledger entries, newest first' },
);

export const CsvLineErrorJson = Type.Object({
  line: Type.Integer(),
  column: Type.Optional(Type.String()),
  message: Type.String(),
});

export const CsvRefusedJson = Type.Object(
  {
    detail: Type.String(),
    /** Present when the file was read: each bad line, why, and in which column. */
    errors: Type.Optional(Type.Array(CsvLineErrorJson)),
  },
  {
    description:
      'Refused, nothing stored: the file has bad lines (each listed in `errors`), or the request itself is bad',
  },
);

export const CsvImportedJson = Type.Object(
  { imported: Type.Integer() },
  { description: 'Every line was stored' },
);

export const HistoryQuery = Type.Object(
  { window: Type.Optional(Type.Enum(PORTFOLIO_HISTORY_WINDOWS)) },
  { additionalProperties: false },
);

export const PortfolioHistoryJson = Type.Object(
  {
    currency: Type.String(),
    window: Type.Enum(PORTFOLIO_HISTORY_WINDOWS),
    points: Type.Array(
      Type.Object({
        /** A UTC day, `YYYY-MM-DD`. */
        day: Type.String(),
        value_cents: Type.Integer(),
        net_value_cents: Type.Integer(),
      }),
    ),
  },
  { description: "The portfolio's value once a day, oldest first" },
);
