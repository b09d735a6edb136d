// Keeps volatility current as prices arrive, off ingestion's path: stored
// batches only note which (item, source) series changed, and one background
// run at a time recomputes them, taking everything noted meanwhile on its next
// pass. The short windows (1h, 24h) read raw rows and are recomputed on every
// pass; the long ones (7d, 30d) read hourly rollups, which change once an
// hour, so a series has them recomputed at most once per LONG_WINDOW_REFRESH_MS.
import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../platform/db/index.js';
import type { Store } from '../../platform/store/index.js';
import { HOUR_MS } from '../../platform/time.js';
import type { VolatilityWindow } from '../types.js';
import { type ChangedSeries, recomputeVolatility } from './recompute.js';

const SHORT_WINDOWS: readonly VolatilityWindow[] = ['1h', '24h'];
const LONG_WINDOWS: readonly VolatilityWindow[] = ['7d', '30d'];
const LONG_WINDOW_REFRESH_MS = HOUR_MS;

export interface VolatilityUpdaterOptions {
  readonly database: Database;
  readonly store: Store;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Told of each pass's series once it is done, failed or not: what reads volatility comes next. */
  readonly onRecomputed?: (series: readonly ChangedSeries[]) => void;
}

export interface VolatilityUpdater {
  /** Notes changed series; returns at once. */
  changed(series: readonly ChangedSeries[]): void;
  /** Resolves when nothing is noted and no run is in flight. */
  idle(): Promise<void>;
}

const seriesKey = (series: ChangedSeries) => `${series.source}:${series.itemId}`;

export function createVolatilityUpdater(options: VolatilityUpdaterOptions): VolatilityUpdater {
  const { database, store, clock } = options;
  const logger = options.logger.child({ component: 'volatility' });
  let pending = new Map<string, ChangedSeries>();
  /** When each series last had its long windows recomputed. */
  const longWindowsAt = new Map<string, number>();
  let running: Promise<void> | null = null;

  async function pass(series: readonly ChangedSeries[]): Promise<void> {
    const at = clock.now();
    const deps = { database, store, now: new Date(at) };
    const started = performance.now();
    const short = await recomputeVolatility(deps, series, SHORT_WINDOWS);
    const due = series.filter(
      (one) =>
        at - (longWindowsAt.get(seriesKey(one)) ?? Number.NEGATIVE_INFINITY) >=
        LONG_WINDOW_REFRESH_MS,
    );
    const long = due.length > 0 ? await recomputeVolatility(deps, due, LONG_WINDOWS) : null;
    for (const one of due) longWindowsAt.set(seriesKey(one), at);
    logger.debug(
      {
        series: series.length,
        longWindowSeries: due.length,
        published: short.published + (long?.published ?? 0),
        durationMs: Math.round(performance.now() - started),
      },
      'volatility recomputed',
    );
  }

  async function drain(): Promise<void> {
    while (pending.size > 0) {
      const series = [...pending.values()];
      pending = new Map();
      try {
        await pass(series);
      } catch (error) {
        // The next batch of the same series brings them back; nothing is lost but time.
        logger.error({ err: error, series: series.length }, 'volatility recompute failed');
      }
      options.onRecomputed?.(series);
    }
  }

  function start(): void {
    if (running) return;
    running = drain().finally(() => {
      running = null;
    });
  }

  return {
    changed(series) {
      for (const one of series) pending.set(seriesKey(one), one);
      start();
    },
    async idle() {
      while (running) await running;
    },
  };
}
