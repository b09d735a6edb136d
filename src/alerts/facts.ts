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
import type { PriceSource } from '../market/types.js';
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

const pairKey = (itemId: number, source: string) => `${source}:${itemId}`;

interface PastRow {
  readonly id: number;
  readonly p1h: string | number | null;
  readonly p24h: string | number | null;
  readonly p7d: string | number | null;
  readonly volume_mean: number | null;
}

async function pastFacts(
  database: Database,
  source: PriceSource,
  itemIds: readonly number[],
  now: Date,
): Promise<Map<number, PastRow>> {
  const at = (windowMs: number) => {
    const then = new Date(now.getTime() - windowMs);
    return priceAt(source, then, new Date(then.getTime() - windowMs));
  };
  const { rows } = await sql<PastRow>`
    select latest.id,
      ${at(HOUR_MS)} as p1h, ${at(DAY_MS)} as p24h, ${at(7 * DAY_MS)} as p7d,
      (select avg(volume)::float8 from price_rollups_hourly
        where item_id = latest.id and source = ${source}
          and bucket >= ${new Date(now.getTime() - 7 * DAY_MS)}) as volume_mean
    from unnest(${arrayLiteral(itemIds)}::int[]) as latest (id)`.execute(database.db);
  return new Map(rows.map((row) => [row.id, row]));
}

const cents = (value: string | number | null) => (value === null ? undefined : Number(value));

/**
 * The facts each rule reads, by rule id; a rule whose item has no price
 * from its source (or from any, for PREFERRED_SOURCE) is absent.
 */
export async function gatherFacts(
  deps: { readonly database: Database; readonly store: Store },
  rules: readonly Rule[],
  sources: readonly PriceSource[],
  now: Date,
): Promise<Map<number, RuleFacts>> {
  const itemIds = [
    ...new Set(rules.flatMap((rule) => (rule.itemId === null ? [] : [rule.itemId]))),
  ];
  const quotes = await latestPricesOfItems(deps.store, itemIds, sources);
  const latest = new Map(quotes.map((quote) => [pairKey(quote.item_id, quote.source), quote]));

  /** Each rule's source: its own, or the first configured one with a price. */
  const chosen = new Map<number, PriceSource>();
  for (const rule of rules) {
    if (rule.itemId === null) continue;
    const itemId = rule.itemId;
    const source =
      rule.source === PREFERRED_SOURCE
        ? sources.find((one) => latest.has(pairKey(itemId, one)))
        : sources.find((one) => one === rule.source);
    if (source && latest.has(pairKey(itemId, source))) chosen.set(rule.id, source);
  }

  const needsPast = new Map<PriceSource, Set<number>>();
  const needsBand: { itemId: number; source: PriceSource }[] = [];
  for (const rule of rules) {
    const source = chosen.get(rule.id);
    if (!source || rule.itemId === null) continue;
    const { kind } = rule.params;
    if (kind === 'change' || kind === 'volume_spike') {
      const ids = needsPast.get(source) ?? new Set<number>();
      ids.add(rule.itemId);
      needsPast.set(source, ids);
    }
    if (kind === 'bollinger') needsBand.push({ itemId: rule.itemId, source });
  }
  const past = new Map<string, PastRow>();
  for (const [source, ids] of needsPast) {
    for (const [itemId, row] of await pastFacts(deps.database, source, [...ids], now)) {
      past.set(pairKey(itemId, source), row);
    }
  }
  const bandTexts = await deps.store.getMany(
    needsBand.map(({ itemId, source }) => volatilityKey(source, '24h', itemId)),
  );
  const bands = new Map<string, PriceFacts['band']>();
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

  const facts = new Map<number, RuleFacts>();
  for (const rule of rules) {
    const source = chosen.get(rule.id);
    if (!source || rule.itemId === null) continue;
    const key = pairKey(rule.itemId, source);
    const quote = latest.get(key);
    if (!quote) continue;
    const row = past.get(key);
    const band = bands.get(key);
    const pastPriceCents: Partial<Record<ChangeWindow, number>> = {};
    for (const [window, value] of [
      ['1h', row?.p1h ?? null],
      ['24h', row?.p24h ?? null],
      ['7d', row?.p7d ?? null],
    ] as const) {
      const price = cents(value);
      if (price !== undefined) pastPriceCents[window] = price;
    }
    facts.set(rule.id, {
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
  return facts;
}
