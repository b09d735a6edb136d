// The API's answers as TypeScript types, taken from the TypeBox schemas the
// server validates and serializes with, so the web app's client cannot drift
// from the server. Type-only: nothing here reaches the browser bundle but the
// names, and the schema modules it reads import no server code.
import type { Static } from 'typebox';
import type { CsrfJson, UserJson } from '../auth/schemas.js';
import type {
  HistoryJson,
  ItemDetailJson,
  ItemVolatilityJson,
  RankingJson,
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
