export { cachedVolatility, type Volatility, volatilityKey } from './cache.js';
export { type Bollinger, MINIMUM_POINTS, type VolatilityMetrics } from './formulas.js';
export { type RankedVolatility, rankingKey, topVolatile } from './rankings.js';
export {
  type ChangedSeries,
  type RecomputeProgress,
  type RecomputeReport,
  recomputeAll,
  recomputeVolatility,
  type VolatilityDeps,
} from './recompute.js';
export { roundedVolatility } from './rounded.js';
export { createVolatilityUpdater, type VolatilityUpdater } from './updater.js';
