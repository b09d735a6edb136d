// Gathers what the rules of a batch read, in a few round trips for the whole
// batch rather than one per rule: the latest prices from the store (one
// read), the 24 h Bollinger band from the volatility cache (one read), and,
// per source, one statement for the past prices and the week's mean volume
// of the items whose rules need them. A price change is measured the way the
// market summary measures it (`priceAt`), so an alert and the movers page
// agree on what "24 h change" means.
import { sql } from 'kysely';
import { latestPricesOfItems } from '../market/ingest/latest-prices.js';
import { priceAt } from '../market/summary/refresh.js';
import type { PriceQuote, PriceSource } from '../market/types.js';
import { BOLLINGER_WIDTH } from '../market/volatility/formulas.js';
import { volatilityKey } from '../market/volatility/index.js';
import { arrayLiteral } from '../platform/db/array-literal.js';
import type { Database } from '../platform/db/index.js';
import type { Store } from '../platform/store/index.js';
import { DAY_MS, HOUR_MS } from '../platform/time.js';
import { type ChangeWindow, PREFERRED_SOURCE } from '../shared/alert-vocabulary.js';
import type { PriceFacts } from './conditions.js';
import type { Rule } from './rule-index.js';

export const CHANGE_WINDOW_MS: Readonly<Record<ChangeWindow, number>> = {
  '1h': HOUR_MS,
  '24h': DAY_MS,
  '7d': 7 * DAY_MS,
};

/** One item's facts from the source a rule reads, or null when it has no price there. */
export interface RuleFacts {
  readonly source: PriceSource;
  readonly facts: PriceFacts;
}

interface PastRow {
  readonly id: number;
  readonly p1h: string | number | null;
  readonly p24h: string | number | null;
  readonly p7d: string | number | null;
  readonly volume_mean: number | null;
}

/** What the rules of one (item, source) read from the database. */
type PastNeed = ChangeWindow | 'volume';

/**
 * One statement for the items of one source: for each item, only what its
 * rules read (a price per window its change rules name, the week's volume
 * for a volume rule), each an index lookup, or none. The week's mean volume
 * is the mean of the last 7 daily rollups' volume, each the source's rolling
 * 24 h count at the day's end: the units a day sold, averaged over the week.
 * The mean of the 168 hourly rollups says the same and read 24 times the
 * rows (bench/alerts).
 */
async function pastFacts(
  database: Database,
  source: PriceSource,
  needs: ReadonlyMap<number, ReadonlySet<PastNeed>>,
  now: Date,
): Promise<Map<number, PastRow>> {
  const at = (windowMs: number) => {
    const then = new Date(now.getTime() - windowMs);
    return priceAt(source, then, new Date(then.getTime() - windowMs));
  };
  const itemIds = [...needs.keys()];
  const wants = (need: PastNeed) =>
    arrayLiteral(itemIds.map((itemId) => String(needs.get(itemId)?.has(need) ?? false)));
  const { rows } = await sql<PastRow>`
    select latest.id,
      case when latest.w1h then ${at(HOUR_MS)} end as p1h,
      case when latest.w24h then ${at(DAY_MS)} end as p24h,
      case when latest.w7d then ${at(7 * DAY_MS)} end as p7d,
      case when latest.volume then (select avg(volume)::float8 from price_rollups_daily
        where item_id = latest.id and source = ${source}
          and bucket > ${new Date(now.getTime() - 8 * DAY_MS)}) end as volume_mean
    from unnest(${arrayLiteral(itemIds)}::int[], ${wants('1h')}::boolean[],
      ${wants('24h')}::boolean[], ${wants('7d')}::boolean[], ${wants('volume')}::boolean[])
      as latest (id, w1h, w24h, w7d, volume)`.execute(database.db);
  return new Map(rows.map((row) => [row.id, row]));
}

const cents = (value: string | number | null) => (value === null ? undefined : Number(value));

/**
 * The facts each rule reads, by rule; a rule whose item has no price from
 * its source (or from any, for PREFERRED_SOURCE) has none.
 */
export interface GatheredFacts {
  of(rule: Rule): RuleFacts | undefined;
}

export async function gatherFacts(
  deps: { readonly database: Database; readonly store: Store },
  rules: readonly Rule[],
  sources: readonly PriceSource[],
  now: Date,
): Promise<GatheredFacts> {
  const itemIds = [
    ...new Set(rules.flatMap((rule) => (rule.itemId === null ? [] : [rule.itemId]))),
  ];
  const quotes = await latestPricesOfItems(deps.store, itemIds, sources);
  // An (item, source) pair as one number, the source by its place in
  // `sources`: a batch looks pairs up tens of thousands of times, and a
  // number is hashed for free where a string key is built and hashed each time.
  const place = new Map(sources.map((source, index) => [source, index]));
  const pairKey = (itemId: number, source: PriceSource) =>
    itemId * sources.length + (place.get(source) ?? 0);
  const latest = new Map(quotes.map((quote) => [pairKey(quote.item_id, quote.source), quote]));

  /**
   * A rule's (item, source): its own source, or the first configured one
   * with a price; undefined when that has no price. Computed again when the
   * evaluator asks rather than kept per rule: a map of ten thousand rules
   * cost more to fill than the lookups it saved.
   */
  const keyOf = (rule: Rule): number | undefined => {
    const { itemId } = rule;
    if (itemId === null) return undefined;
    if (rule.source === PREFERRED_SOURCE) {
      for (const one of sources) {
        const key = pairKey(itemId, one);
        if (latest.has(key)) return key;
      }
      return undefined;
    }
    if (!place.has(rule.source as PriceSource)) return undefined;
    const key = pairKey(itemId, rule.source as PriceSource);
    return latest.has(key) ? key : undefined;
  };
  /** What the rules of each (item, source) read besides the latest price. */
  const pairs = new Map<number, { itemId: number; source: PriceSource; band: boolean }>();
  const needsPast = new Map<PriceSource, Map<number, Set<PastNeed>>>();
  for (const rule of rules) {
    const key = keyOf(rule);
    if (key === undefined) continue;
    const itemId = rule.itemId as number;
    const source = (latest.get(key) as PriceQuote).source;
    let pair = pairs.get(key);
    if (!pair) {
      pair = { itemId, source, band: false };
      pairs.set(key, pair);
    }
    const { params } = rule;
    if (params.kind === 'bollinger') pair.band = true;
    const need =
      params.kind === 'change' ? params.window : params.kind === 'volume_spike' ? 'volume' : null;
    if (need) {
      let items = needsPast.get(source);
      if (!items) {
        items = new Map();
        needsPast.set(source, items);
      }
      let needs = items.get(itemId);
      if (!needs) {
        needs = new Set();
        items.set(itemId, needs);
      }
      needs.add(need);
    }
  }
  const needsBand = [...pairs.values()].filter((pair) => pair.band);

  // The past from the database and the bands from the store, at once.
  const [pastBySource, bandTexts] = await Promise.all([
    Promise.all(
      [...needsPast].map(async ([source, needs]) => ({
        source,
        rows: await pastFacts(deps.database, source, needs, now),
      })),
    ),
    needsBand.length === 0
      ? Promise.resolve([])
      : deps.store.getMany(
          needsBand.map(({ itemId, source }) => volatilityKey(source, '24h', itemId)),
        ),
  ]);
  const past = new Map<number, PastRow>();
  for (const { source, rows } of pastBySource) {
    for (const [itemId, row] of rows) past.set(pairKey(itemId, source), row);
  }
  const bands = new Map<number, PriceFacts['band']>();
  needsBand.forEach(({ itemId, source }, index) => {
    const text = bandTexts[index];
    if (!text) return;
    const { bollinger } = JSON.parse(text) as { bollinger: { middle: number; upper: number } };
    const stddev = (bollinger.upper - bollinger.middle) / BOLLINGER_WIDTH;
    bands.set(pairKey(itemId, source), {
      middle: bollinger.middle,
      stddev,
      width: BOLLINGER_WIDTH,
    });
  });

  // One facts object per (item, source), shared by the rules that read it.
  const byPair = new Map<number, RuleFacts>();
  for (const [key, { source }] of pairs) {
    const quote = latest.get(key);
    if (!quote) continue;
    const row = past.get(key);
    const band = bands.get(key);
    const pastPriceCents: Partial<Record<ChangeWindow, number>> = {};
    const p1h = cents(row?.p1h ?? null);
    const p24h = cents(row?.p24h ?? null);
    const p7d = cents(row?.p7d ?? null);
    if (p1h !== undefined) pastPriceCents['1h'] = p1h;
    if (p24h !== undefined) pastPriceCents['24h'] = p24h;
    if (p7d !== undefined) pastPriceCents['7d'] = p7d;
    byPair.set(key, {
      source,
      facts: {
        priceCents: quote.price_cents,
        observedAt: quote.observed_at.getTime(),
        pastPriceCents,
        ...(band ? { band } : {}),
        ...(quote.volume === undefined ? {} : { volume24h: quote.volume }),
        ...(row?.volume_mean == null ? {} : { volumeMean7d: row.volume_mean }),
      },
    });
  }
  return {
    of(rule) {
      const key = keyOf(rule);
      return key === undefined ? undefined : byPair.get(key);
    },
  };
}
