// Evaluates alert rules on the ingestion leader. After each batch of stored
// prices, the rules about the items the batch changed are measured
// (rule-index.ts picks them; the cost grows with the changes, not with the
// rules), and after each cycle the rules that time alone makes true: stale
// prices and the portfolio's value. Batches are noted and evaluated one run
// at a time in the background, as volatility is, so ingestion never waits.
//
// Exactly once. A rule fires when its condition becomes true while armed
// (hysteresis.ts). The firing is recorded in one transaction that disarms
// the rule only if it is still armed at the sequence number this evaluator
// read, and inserts the firing under the unique key (rule, sequence): two
// instances that evaluate the same batch record it once, and the second
// sees no row to disarm. Delivery reads recorded firings (delivery.ts), so
// a crash after the record delivers on the next pass, never loses it.
//
// Rules change through the API on any instance: each change is announced on
// ALERT_RULES_CHANNEL, and the evaluator reads that one rule again. A
// missed message is repaired by reading every rule again at the start of
// each leader's term and every RELOAD_EVERY_MS.
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { getItems } from '../market/catalog/items.js';
import type { PriceSource } from '../market/types.js';
import type { Clock } from '../platform/clock.js';
import { arrayLiteral } from '../platform/db/array-literal.js';
import type { Database } from '../platform/db/index.js';
import type { Store, Unsubscribe } from '../platform/store/index.js';
import { MINUTE_MS } from '../platform/time.js';
import type { Measure } from './conditions.js';
import { step } from './hysteresis.js';
import { measureRules } from './measure-rules.js';
import { alertMessage, alertTitle } from './messages.js';
import { type Change, type Rule, RuleIndex } from './rule-index.js';
import { ALERT_RULES_CHANNEL, loadAllRules, loadRule } from './rules.js';
import type { Deliveries } from './tables.js';

/** Every rule is read again this often, in case an announcement was missed. */
export const RELOAD_EVERY_MS = 10 * MINUTE_MS;

export interface AlertEvaluatorOptions {
  readonly database: Database;
  readonly store: Store;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The configured providers in preference order: a `preferred` rule reads the first with a price. */
  readonly sources: readonly PriceSource[];
  readonly currency: string;
  /** Told after firings were recorded, so delivery starts at once. */
  readonly onFired?: (count: number) => void;
  /** Told how many rules each run measured (docs/metrics.md). */
  readonly onEvaluated?: (rules: number) => void;
}

export interface EvaluationReport {
  /** Rules measured. */
  readonly evaluated: number;
  readonly fired: number;
  readonly rearmed: number;
}

export interface AlertEvaluator {
  /** Follows the announcements and reads every rule; a failure is logged and retried after the next cycle. */
  start(): Promise<void>;
  /** Notes changed (item, source) pairs; returns at once. */
  changed(changes: readonly Change[]): void;
  /** The rules time makes true (stale prices, the portfolio); run after each cycle. */
  afterCycle(signal: AbortSignal): Promise<void>;
  /** Resolves when nothing is noted and no run is in flight. */
  idle(): Promise<void>;
  stop(): Promise<void>;
  /** Evaluates `rules` now; what `changed` and `afterCycle` run, exposed for tests and the bench. */
  evaluate(rules: readonly Rule[]): Promise<EvaluationReport>;
  readonly index: RuleIndex;
}

interface Transition {
  readonly rule: Rule;
  readonly step: 'fire' | 'rearm';
  readonly measured: Measure;
  readonly source: string;
}

export function createAlertEvaluator(options: AlertEvaluatorOptions): AlertEvaluator {
  const { database, store, clock, sources, currency } = options;
  const logger = options.logger.child({ component: 'alerts' });
  const index = new RuleIndex();
  let pending = new Map<string, Change>();
  let running: Promise<void> | null = null;
  let unsubscribe: Unsubscribe | null = null;
  let loadedAt = Number.NEGATIVE_INFINITY;

  async function reloadAll(): Promise<void> {
    const rules = await loadAllRules(database);
    index.clear();
    for (const rule of rules) index.put(rule);
    loadedAt = clock.now();
  }

  /** Follows the announcements of changed rules, then reads every rule. */
  async function follow(): Promise<void> {
    unsubscribe ??= await store.subscribe(ALERT_RULES_CHANNEL, (message) => {
      const id = Number(message);
      if (Number.isSafeInteger(id) && id > 0) {
        reloadOne(id).catch((error: unknown) =>
          logger.error({ err: error, ruleId: id }, 'could not read a changed alert rule'),
        );
      }
    });
    await reloadAll();
  }

  async function reloadOne(id: number): Promise<void> {
    const rule = await loadRule(database, id);
    if (rule) index.put(rule);
    else index.remove(id);
  }

  async function itemNames(itemIds: readonly number[]): Promise<Map<number, string>> {
    const items = await getItems(database, [...new Set(itemIds)]);
    return new Map(items.map((item) => [item.id, item.market_hash_name]));
  }

  /** Records one firing and disarms its rule, unless another evaluator did first. */
  async function fire(transition: Transition, names: Map<number, string>, at: Date) {
    const { rule, measured, source } = transition;
    const context = {
      itemName: rule.itemId === null ? null : (names.get(rule.itemId) ?? `item ${rule.itemId}`),
      source,
      currency,
    };
    const title = alertTitle(rule.params, context);
    const message = alertMessage(rule.params, measured, context);
    const deliveries: Deliveries = Object.fromEntries(
      rule.channels.map((channel) => [channel, { state: 'pending' }]),
    );
    const recorded = await database.db.transaction().execute(async (trx) => {
      const disarmed = await sql`
        update alert_rules set armed = false
        where id = ${rule.id} and armed and arm_seq = ${rule.armSeq}`.execute(trx);
      if (Number(disarmed.numAffectedRows ?? 0n) === 0) return false;
      await sql`
        insert into alert_firings (rule_id, user_id, arm_seq, fired_at, kind, item_id, source,
          value, title, message, deliveries)
        values (${rule.id}, ${rule.userId}, ${rule.armSeq}, ${at}, ${rule.params.kind},
          ${rule.itemId}, ${source}, ${measured.value}, ${title}, ${message},
          ${JSON.stringify(deliveries)})
        on conflict (rule_id, arm_seq) do nothing`.execute(trx);
      return true;
    });
    rule.armed = false;
    return recorded;
  }

  async function rearm(transitions: readonly Transition[]): Promise<void> {
    if (transitions.length === 0) return;
    const ids = transitions.map(({ rule }) => rule.id);
    const seqs = transitions.map(({ rule }) => rule.armSeq);
    await sql`
      update alert_rules r set armed = true, arm_seq = r.arm_seq + 1
      from unnest(${arrayLiteral(ids)}::bigint[], ${arrayLiteral(seqs)}::int[]) as t (id, seq)
      where r.id = t.id and not r.armed and r.arm_seq = t.seq`.execute(database.db);
    for (const { rule } of transitions) {
      rule.armed = true;
      rule.armSeq += 1;
    }
  }

  async function evaluate(rules: readonly Rule[]): Promise<EvaluationReport> {
    const now = clock.now();
    const measuredNow = await measureRules({ database, store, sources }, rules, now);
    const transitions: Transition[] = [];
    for (const rule of rules) {
      const found = measuredNow.get(rule.id);
      if (!found) continue;
      const next = step(rule.armed, found.measured, rule.marginPercent);
      if (next !== 'none') transitions.push({ rule, step: next, ...found });
    }
    const fires = transitions.filter((one) => one.step === 'fire');
    const names = await itemNames(
      fires.flatMap(({ rule }) => (rule.itemId === null ? [] : [rule.itemId])),
    );
    const at = new Date(now);
    let fired = 0;
    for (const transition of fires) if (await fire(transition, names, at)) fired += 1;
    const rearms = transitions.filter((one) => one.step === 'rearm');
    await rearm(rearms);
    options.onEvaluated?.(rules.length);
    if (fired > 0) options.onFired?.(fired);
    return { evaluated: rules.length, fired, rearmed: rearms.length };
  }

  async function drain(): Promise<void> {
    while (pending.size > 0) {
      const changes = [...pending.values()];
      pending = new Map();
      try {
        const rules = index.affectedBy(changes);
        if (rules.length > 0) {
          const report = await evaluate(rules);
          if (report.fired > 0) logger.info({ ...report, changes: changes.length }, 'alerts fired');
        }
      } catch (error) {
        // The next batch measures the same rules again; a firing is never half recorded.
        logger.error({ err: error, changes: changes.length }, 'alert evaluation failed');
      }
    }
  }

  return {
    index,
    evaluate,
    async start() {
      // Neither the store nor the database may be up when the process starts:
      // then the next cycle tries again, and until then no rule is measured.
      await follow().catch((error: unknown) =>
        logger.warn({ err: error }, 'alert rules not loaded yet; the next cycle tries again'),
      );
    },
    changed(changes) {
      for (const change of changes) pending.set(`${change.source}:${change.itemId}`, change);
      if (running) return;
      running = drain().finally(() => {
        running = null;
      });
    },
    async afterCycle(signal) {
      if (!unsubscribe || clock.now() - loadedAt >= RELOAD_EVERY_MS) await follow();
      if (signal.aborted) return;
      const rules = [...index.timedRules(), ...index.portfolioRules()];
      if (rules.length === 0) return;
      const report = await evaluate(rules);
      if (report.fired > 0) logger.info(report, 'alerts fired after the cycle');
    },
    async idle() {
      while (running) await running;
    },
    async stop() {
      await unsubscribe?.();
      unsubscribe = null;
      while (running) await running;
    },
  };
}
