// What the alert engine's storage tests share: the file's database and a
// store of the test's own, a user, items, rules inserted as the API stores
// them, evaluators over that storage with a clock the test moves, and
// prices written through the ingestion path (the prices table, the latest
// price in the store), so the engine gathers its facts as in production.
import { sql } from 'kysely';
import { pino } from 'pino';
import {
  type AlertEvaluator,
  type AlertEvaluatorOptions,
  createAlertEvaluator,
  type EvaluationReport,
} from '../../../src/alerts/evaluator.js';
import type { Change } from '../../../src/alerts/rule-index.js';
import { alertsDb } from '../../../src/alerts/tables.js';
import { writePrices } from '../../../src/market/ingest/index.js';
import { updateLatestPrices } from '../../../src/market/ingest/latest-prices.js';
import type { PriceSource } from '../../../src/market/types.js';
import type { Store } from '../../../src/platform/store/index.js';
import type { AlertChannel, AlertParams } from '../../../src/shared/alert-vocabulary.js';
import { fileDatabase, openTestStore, type TestDatabase } from '../../support/backends.js';
import { ManualClock } from '../../support/manual-clock.js';
import { insertItems } from '../../support/market.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export interface RuleSpec {
  readonly itemId: number | null;
  readonly params: AlertParams;
  readonly source?: string;
  readonly marginPercent?: number;
  readonly channels?: readonly AlertChannel[];
  readonly paused?: boolean;
  readonly armed?: boolean;
  readonly armSeq?: number;
  readonly userId?: number;
}

export interface RuleRow {
  readonly armed: boolean;
  readonly arm_seq: number;
}

export interface FiringRow {
  readonly rule_id: number;
  readonly arm_seq: number;
  readonly source: string;
  readonly value: number;
  readonly message: string;
  readonly fired_at: Date;
}

export interface Engine {
  readonly database: TestDatabase;
  readonly store: Store;
  readonly clock: ManualClock;
  readonly userId: number;
  /** Item ids, in the order of the names given. */
  readonly items: number[];
  /** Rules measured, per run, of every evaluator this engine started. */
  readonly evaluated: number[];
  rule(spec: RuleSpec): Promise<number>;
  /** A started evaluator over the engine's storage (rules read at start). */
  evaluator(options?: Partial<AlertEvaluatorOptions>): Promise<AlertEvaluator>;
  /**
   * A price through the ingestion path at the clock's time (or `at`): stored,
   * made the latest in the store. Returns the change an ingestion batch reports.
   */
  price(itemId: number, cents: number, options?: PriceOptions): Promise<PricedChange>;
  /** One price for each of `itemIds`, in one batch, as a provider's cycle stores them. */
  prices(
    itemIds: readonly number[],
    cents: number,
    options?: PriceOptions,
  ): Promise<PricedChange[]>;
  /** Prices one item one second apart, each followed by the evaluator's run, as ingestion ticks. */
  ticks(
    evaluator: AlertEvaluator,
    itemId: number,
    prices: readonly number[],
    source?: PriceSource,
  ): Promise<void>;
  /** Notes `changes` and waits for the background run, as the ingestion leader does. */
  changed(evaluator: AlertEvaluator, changes: readonly Change[]): Promise<void>;
  ruleRow(id: number): Promise<RuleRow>;
  firings(ruleId?: number): Promise<FiringRow[]>;
  close(): Promise<void>;
}

/** A change an ingestion batch reports: an item that has a new price from a source. */
export interface PricedChange extends Change {
  readonly source: PriceSource;
}

export interface PriceOptions {
  readonly source?: PriceSource;
  readonly at?: number;
  readonly volume?: number;
}

export async function openEngine(
  itemNames: readonly string[],
  sources: readonly PriceSource[] = ['steam'],
): Promise<Engine> {
  const database = await fileDatabase();
  const { store } = await openTestStore();
  const clock = new ManualClock(new Date('2026-11-17T12:00:00Z'));
  const { rows } = await sql<{ id: number }>`
    insert into users (email) values ('trader@tracera.test') returning id`.execute(database.db);
  const userId = Number(rows[0]?.id);
  const items = itemNames.length > 0 ? await insertItems(database, itemNames) : [];
  const evaluated: number[] = [];
  const started: AlertEvaluator[] = [];

  const engine: Engine = {
    database,
    store,
    clock,
    userId,
    items,
    evaluated,
    async rule(spec) {
      const row = await alertsDb(database)
        .insertInto('alert_rules')
        .values({
          user_id: spec.userId ?? userId,
          kind: spec.params.kind,
          item_id: spec.itemId,
          source: spec.source ?? 'steam',
          params: JSON.stringify(spec.params),
          margin_percent: spec.marginPercent ?? 2,
          channels: [...(spec.channels ?? ['app'])],
          paused: spec.paused ?? false,
          armed: spec.armed ?? true,
          arm_seq: spec.armSeq ?? 0,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return Number(row.id);
    },
    async evaluator(options = {}) {
      const evaluator = createAlertEvaluator({
        database,
        store,
        logger: pino({ level: 'silent' }),
        clock,
        sources,
        currency: 'USD',
        onEvaluated: (count) => evaluated.push(count),
        ...options,
      });
      await evaluator.start();
      started.push(evaluator);
      return evaluator;
    },
    async price(itemId, cents, options = {}) {
      const [change] = await engine.prices([itemId], cents, options);
      return change as PricedChange;
    },
    async prices(itemIds, cents, options = {}) {
      const source = options.source ?? 'steam';
      const quotes = itemIds.map((itemId) => ({
        item_id: itemId,
        source,
        price_cents: cents,
        ...(options.volume === undefined ? {} : { volume: options.volume }),
        observed_at: new Date(options.at ?? clock.now()),
      }));
      await writePrices(database, quotes);
      await updateLatestPrices(store, quotes, { publish: false });
      return itemIds.map((itemId) => ({ itemId, source }));
    },
    async ticks(evaluator, itemId, prices, source = 'steam') {
      for (const cents of prices) {
        clock.advance(1000);
        await engine.changed(evaluator, [await engine.price(itemId, cents, { source })]);
      }
    },
    async changed(evaluator, changes) {
      evaluator.changed(changes);
      await evaluator.idle();
    },
    async ruleRow(id) {
      const { rows: found } = await sql<RuleRow>`
        select armed, arm_seq from alert_rules where id = ${id}`.execute(database.db);
      if (!found[0]) throw new Error(`no rule ${id}`);
      return found[0];
    },
    async firings(ruleId) {
      const { rows: found } = await sql<FiringRow>`
        select rule_id::int as rule_id, arm_seq, source, value, message, fired_at
        from alert_firings
        where ${ruleId === undefined ? sql`true` : sql`rule_id = ${ruleId}`}
        order by id`.execute(database.db);
      return found;
    },
    async close() {
      for (const evaluator of started) await evaluator.stop();
      await store.close();
    },
  };
  return engine;
}

/** The sum of a few reports' counts. */
export function total(reports: readonly EvaluationReport[]): EvaluationReport {
  return reports.reduce(
    (sum, report) => ({
      evaluated: sum.evaluated + report.evaluated,
      fired: sum.fired + report.fired,
      rearmed: sum.rearmed + report.rearmed,
    }),
    { evaluated: 0, fired: 0, rearmed: 0 },
  );
}
