// The portfolio's value over time: one snapshot per user and UTC day.
//
// The ingestion leader takes the day's snapshot for every user who has
// holdings and none yet today, right after an ingestion cycle, so it values
// fresh prices; the primary key (user, day) and `on conflict do nothing` make
// taking it twice harmless, whether a cycle runs again or a new leader takes
// over. A user's first import fills the days before from the daily price
// closes where they exist, valuing today's holdings at each day's close: the
// history before that import cannot know what was held then.
import { sql } from 'kysely';
import type { PriceSource } from '../market/types.js';
import { arrayLiteral } from '../platform/db/array-literal.js';
import type { Database } from '../platform/db/index.js';
import { DAY_MS } from '../platform/time.js';
import { heldItems } from './holdings.js';
import { sellerReceivesCents } from './steam-fees.js';
import { portfolioDb } from './tables.js';
import { preferredPrices } from './valuation.js';

/** How far back a first import fills the history. */
const BACKFILL_DAYS = 365;
/** Users valued per turn of the event loop: the job runs beside serving. */
const USERS_PER_TURN = 20;

export const HISTORY_WINDOW_DAYS = { '30d': 30, '1y': 365 } as const;
export type PortfolioHistoryWindow = keyof typeof HISTORY_WINDOW_DAYS;

export interface SnapshotPoint {
  /** `YYYY-MM-DD`, UTC. */
  readonly day: string;
  readonly valueCents: number;
  readonly netValueCents: number;
}

export function utcDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

interface Snapshot extends SnapshotPoint {
  readonly userId: number;
  readonly pricedQuantity: number;
}

async function storeSnapshots(
  database: Database,
  snapshots: readonly Snapshot[],
  takenAt: Date,
): Promise<number> {
  if (snapshots.length === 0) return 0;
  const result = await portfolioDb(database)
    .insertInto('portfolio_snapshots')
    .values(
      snapshots.map((snapshot) => ({
        user_id: snapshot.userId,
        day: snapshot.day,
        value_cents: snapshot.valueCents,
        net_value_cents: snapshot.netValueCents,
        priced_quantity: snapshot.pricedQuantity,
        taken_at: takenAt,
      })),
    )
    .onConflict((conflict) => conflict.columns(['user_id', 'day']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n);
}

/** Today's value of one user's holdings, at the preferred latest prices. */
async function snapshotNow(
  database: Database,
  userId: number,
  sources: readonly PriceSource[],
  day: string,
): Promise<Snapshot> {
  const held = await heldItems(database, userId);
  const quantities = new Map<number, number>();
  for (const entry of held) {
    if (entry.itemId === null) continue;
    const quantity = entry.steamQuantity + entry.manualQuantity;
    quantities.set(entry.itemId, (quantities.get(entry.itemId) ?? 0) + quantity);
  }
  const prices = await preferredPrices(database, [...quantities.keys()], sources);
  let valueCents = 0;
  let netValueCents = 0;
  let pricedQuantity = 0;
  for (const [itemId, price] of prices) {
    const quantity = quantities.get(itemId) ?? 0;
    valueCents += price.priceCents * quantity;
    netValueCents += sellerReceivesCents(price.priceCents) * quantity;
    pricedQuantity += quantity;
  }
  return { userId, day, valueCents, netValueCents, pricedQuantity };
}

/** A user's holdings valued now, at the preferred latest prices: what an alert on the portfolio reads. */
export async function portfolioValueNow(
  database: Database,
  userId: number,
  sources: readonly PriceSource[],
  now: number,
): Promise<number> {
  return (await snapshotNow(database, userId, sources, utcDay(now))).valueCents;
}

/** The value of each user's snapshot of `day`, by user id. */
export async function snapshotValues(
  database: Database,
  userIds: readonly number[],
  day: string,
): Promise<Map<number, number>> {
  if (userIds.length === 0) return new Map();
  const rows = await portfolioDb(database)
    .selectFrom('portfolio_snapshots')
    .select(['user_id', 'value_cents'])
    .where('day', '=', day)
    .where('user_id', 'in', userIds)
    .execute();
  return new Map(rows.map((row) => [Number(row.user_id), Number(row.value_cents)]));
}

/** Takes today's snapshot of one user (after an import), unless it exists. */
export async function takeSnapshot(
  database: Database,
  userId: number,
  sources: readonly PriceSource[],
  now: number,
): Promise<void> {
  const snapshot = await snapshotNow(database, userId, sources, utcDay(now));
  if (snapshot.pricedQuantity > 0) await storeSnapshots(database, [snapshot], new Date(now));
}

/**
 * Takes today's snapshot of every user with holdings who has none today;
 * returns how many it stored. Cheap when there is nothing to do: one query.
 */
export async function takeDueSnapshots(
  database: Database,
  sources: readonly PriceSource[],
  now: number,
  signal?: AbortSignal,
  onUserError: (userId: number, error: unknown) => void = () => {},
): Promise<number> {
  const day = utcDay(now);
  const due = await portfolioDb(database)
    .selectFrom('portfolio_holdings as h')
    .select('h.user_id')
    .distinct()
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('portfolio_snapshots as s')
            .select('s.user_id')
            .whereRef('s.user_id', '=', 'h.user_id')
            .where('s.day', '=', day),
        ),
      ),
    )
    .orderBy('h.user_id')
    .execute();
  let stored = 0;
  for (let start = 0; start < due.length && !signal?.aborted; start += USERS_PER_TURN) {
    const snapshots: Snapshot[] = [];
    for (const { user_id } of due.slice(start, start + USERS_PER_TURN)) {
      // One portfolio that cannot be valued must not cost every other user theirs.
      try {
        const snapshot = await snapshotNow(database, user_id, sources, day);
        if (snapshot.pricedQuantity > 0) snapshots.push(snapshot);
      } catch (error) {
        onUserError(user_id, error);
      }
    }
    stored += await storeSnapshots(database, snapshots, new Date(now));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return stored;
}

/**
 * Fills the user's history before today from the daily closes of the items
 * they hold now, for days that have no snapshot; returns how many days it
 * stored.
 */
export async function backfillSnapshots(
  database: Database,
  userId: number,
  sources: readonly PriceSource[],
  now: number,
): Promise<number> {
  if (sources.length === 0) return 0;
  const today = utcDay(now);
  const from = utcDay(now - BACKFILL_DAYS * DAY_MS);
  const { rows } = await sql<{
    day: string;
    item_id: number;
    close_cents: number;
    quantity: number;
  }>`
    with held as (
      select item_id, sum(quantity)::int as quantity
      from portfolio_holdings
      where user_id = ${userId} and item_id is not null
      group by item_id
    ), closes as (
      select distinct on (r.item_id, r.bucket) r.item_id, r.bucket, r.close_cents
      from price_rollups_daily r
      join unnest(${arrayLiteral(sources)}::text[]) with ordinality as wanted(source, rank)
        on wanted.source = r.source
      where r.item_id in (select item_id from held)
        and r.bucket >= ${`${from}T00:00:00Z`}::timestamptz
        and r.bucket < ${`${today}T00:00:00Z`}::timestamptz
      order by r.item_id, r.bucket, wanted.rank
    )
    select to_char(closes.bucket at time zone 'UTC', 'YYYY-MM-DD') as day,
      closes.item_id, closes.close_cents, held.quantity
    from closes join held using (item_id)`.execute(database.db);
  const byDay = new Map<string, Snapshot>();
  for (const row of rows) {
    const previous = byDay.get(row.day) ?? {
      userId,
      day: row.day,
      valueCents: 0,
      netValueCents: 0,
      pricedQuantity: 0,
    };
    byDay.set(row.day, {
      ...previous,
      valueCents: previous.valueCents + row.close_cents * row.quantity,
      netValueCents: previous.netValueCents + sellerReceivesCents(row.close_cents) * row.quantity,
      pricedQuantity: previous.pricedQuantity + row.quantity,
    });
  }
  return storeSnapshots(database, [...byDay.values()], new Date(now));
}

/** The user's snapshots in the window ending today, oldest first. */
export async function snapshotHistory(
  database: Database,
  userId: number,
  window: PortfolioHistoryWindow,
  now: number,
): Promise<SnapshotPoint[]> {
  const from = utcDay(now - (HISTORY_WINDOW_DAYS[window] - 1) * DAY_MS);
  const rows = await portfolioDb(database)
    .selectFrom('portfolio_snapshots')
    .select([
      sql<string>`to_char(day, 'YYYY-MM-DD')`.as('day_text'),
      'value_cents',
      'net_value_cents',
    ])
    .where('user_id', '=', userId)
    .where('day', '>=', from)
    .orderBy('day')
    .execute();
  return rows.map((row) => ({
    day: row.day_text,
    valueCents: row.value_cents,
    netValueCents: row.net_value_cents,
  }));
}

/** The leader's job after each ingestion cycle: today's snapshots still missing. */
export function dailySnapshotJob(options: {
  readonly database: Database;
  readonly priceSources: readonly PriceSource[];
  readonly logger: {
    info(fields: object, message: string): void;
    warn(fields: object, message: string): void;
  };
  readonly now?: () => number;
}): (signal: AbortSignal) => Promise<void> {
  const now = options.now ?? Date.now;
  return async (signal) => {
    const stored = await takeDueSnapshots(
      options.database,
      options.priceSources,
      now(),
      signal,
      (userId, error) =>
        options.logger.warn({ userId, err: error }, 'could not take a portfolio snapshot'),
    );
    if (stored > 0) options.logger.info({ stored }, 'portfolio snapshots taken');
  };
}
