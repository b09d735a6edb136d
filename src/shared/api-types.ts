// The API's answers as TypeScript types, taken from the TypeBox schemas the
// server validates and serializes with, so the web app's client cannot drift
// from the server. Type-only: nothing here reaches the browser bundle but the
// names, and the schema modules it reads import no server code.
import type { Static } from 'typebox';
import type {
  AdminStatusJson,
  AdminUserJson,
  AuditEventJson,
  AuditPageJson,
  IngestionJson,
  SessionsEndedJson,
  UsersPageJson,
  WebhooksPageJson,
} from '../admin/schemas.js';
import type {
  HistoryJson as AlertHistoryJson,
  FiringJson,
  RuleBody,
  RuleJson,
  RulePatch,
  RulesJson,
  WebhookBody,
  WebhookCreatedJson,
  WebhookJson,
  WebhookStateJson,
  WebhookTestJson,
} from '../alerts/schemas.js';
import type { CsrfJson, UserJson } from '../auth/schemas.js';
import type {
  HistoryJson,
  ItemDetailJson,
  ItemVolatilityJson,
  RankingJson,
  SourcesJson,
  VolatilityJson,
} from '../market/schemas.js';
import type {
  IndexHistoryJson,
  IndexJson,
  MarketEntryJson,
  MoversJson,
  OverviewJson,
  OverviewQuery,
} from '../market/summary/schemas.js';
import type {
  CsvImportedJson,
  CsvRefusedJson,
  ImportResultJson,
  ImportStatusJson,
  ManualHoldingBody,
  PortfolioHistoryJson,
  PortfolioJson,
  TransactionBody,
  TransactionJson,
  TransactionsPageJson,
} from '../portfolio/schemas.js';
import type { WatchlistIdsJson, WatchlistJson } from '../watchlist/schemas.js';

export type Csrf = Static<typeof CsrfJson>;
export type User = Static<typeof UserJson>;
export type ItemDetail = Static<typeof ItemDetailJson>;
export type History = Static<typeof HistoryJson>;
export type ItemVolatility = Static<typeof ItemVolatilityJson>;
export type Volatility = Static<typeof VolatilityJson>;
export type Ranking = Static<typeof RankingJson>;
export type Overview = Static<typeof OverviewJson>;
export type OverviewParams = Static<typeof OverviewQuery>;
export type MarketEntry = Static<typeof MarketEntryJson>;
export type Movers = Static<typeof MoversJson>;
export type MarketIndex = Static<typeof IndexJson>;
export type IndexHistory = Static<typeof IndexHistoryJson>;
export type Portfolio = Static<typeof PortfolioJson>;
export type PortfolioHolding = Portfolio['holdings'][number];
export type ImportStatus = Static<typeof ImportStatusJson>;
export type ImportResult = Static<typeof ImportResultJson>;
export type ManualHoldingInput = Static<typeof ManualHoldingBody>;
export type Transaction = Static<typeof TransactionJson>;
export type TransactionInput = Static<typeof TransactionBody>;
export type TransactionsPage = Static<typeof TransactionsPageJson>;
export type CsvImported = Static<typeof CsvImportedJson>;
export type CsvRefused = Static<typeof CsvRefusedJson>;
export type PortfolioHistory = Static<typeof PortfolioHistoryJson>;
export type Watchlist = Static<typeof WatchlistJson>;
export type WatchedEntry = Watchlist['items'][number];
export type WatchlistIds = Static<typeof WatchlistIdsJson>;
export type AdminUser = Static<typeof AdminUserJson>;
export type AdminUsersPage = Static<typeof UsersPageJson>;
export type SessionsEnded = Static<typeof SessionsEndedJson>;
export type AuditEvent = Static<typeof AuditEventJson>;
export type AuditPage = Static<typeof AuditPageJson>;
export type Ingestion = Static<typeof IngestionJson>;
export type AdminStatus = Static<typeof AdminStatusJson>;
export type WebhooksPage = Static<typeof WebhooksPageJson>;
export type SourceStatuses = Static<typeof SourcesJson>;
export type AlertRule = Static<typeof RuleJson>;
export type AlertRules = Static<typeof RulesJson>;
export type AlertRuleInput = Static<typeof RuleBody>;
export type AlertRulePatch = Static<typeof RulePatch>;
export type AlertCondition = AlertRule['condition'];
export type AlertFiring = Static<typeof FiringJson>;
export type AlertHistory = Static<typeof AlertHistoryJson>;
export type AlertWebhookInput = Static<typeof WebhookBody>;
export type AlertWebhook = Static<typeof WebhookJson>;
export type AlertWebhookState = Static<typeof WebhookStateJson>;
export type AlertWebhookCreated = Static<typeof WebhookCreatedJson>;
export type AlertWebhookTest = Static<typeof WebhookTestJson>;
