// The market's fixed vocabularies: sources, windows and sorts. They live here,
// free of any server import, because the API's schemas are built from them
// and the web app (web/) type-checks against those schemas without pulling
// server code into the browser.

/** Every market provider Tracera knows; MARKET_PROVIDERS in the settings picks among them. */
export const MARKET_PROVIDERS = ['steam', 'skinport', 'demo'] as const;
export type MarketProvider = (typeof MARKET_PROVIDERS)[number];

export const VOLATILITY_WINDOWS = ['1h', '24h', '7d', '30d'] as const;
export type VolatilityWindow = (typeof VOLATILITY_WINDOWS)[number];

export const HISTORY_WINDOWS = [...VOLATILITY_WINDOWS, '1y'] as const;
export type HistoryWindow = (typeof HISTORY_WINDOWS)[number];

export const OVERVIEW_SORTS = [
  'name',
  'price',
  'change_1h',
  'change_24h',
  'change_7d',
  'volume',
  'volatility',
] as const;
export type OverviewSort = (typeof OVERVIEW_SORTS)[number];

export const MOVER_WINDOWS = ['1h', '24h', '7d'] as const;
export type MoverWindow = (typeof MOVER_WINDOWS)[number];
