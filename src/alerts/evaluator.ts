// Evaluates alert rules on the ingestion leader. After each batch of stored
// prices, the rules about the items the batch changed are measured
// (rule-index.ts picks them; the cost grows with the changes, not with the
// rules), and after each cycle the rules that time alone makes true: stale
// prices and the portfolio's value. Batches are noted and evaluated one run
// at a time in the background, as volatility is, so ingestion never waits.
//
// Exactly once. A rule fires when its condition becomes true while armed
// (hysteresis.ts). A run's firings are recorded by one statement that
// disarms each rule only if it is still armed at the sequence number this
// evaluator read, and inserts the firings of the rules it disarmed under the
// unique key (rule, sequence): two instances that evaluate the same batch
// record it once, and the second sees no row to disarm. One statement for
// the whole run, not one transaction per firing: a tick that fires a
// hundred rules costs about what one firing does (bench/alerts). Delivery
// reads recorded firings (deliver-firings.ts), so
// a crash after the record delivers on the next pass, never loses it.
//
// Rules change through the API on any instance: each change is announced on
// ALERT_RULES_CHANNEL, and the evaluator reads that one rule again. A
// missed message is repaired by reading every rule again at the start of
// each leader's term and every RELOAD_EVERY_MS.
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { itemNames as readItemNames } from '../market/catalog/items.js';
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

  /** Item names by id, kept: a market name does not change, and a tick need not ask again. */
  const names = new Map<number, string>();

  async function itemNames(itemIds: readonly number[]): Promise<Map<number, string>> {
    const missing = [...new Set(itemIds)].filter((itemId) => !names.has(itemId));
    if (missing.length === 0) return names;
    for (const [id, name] of await readItemNames(database, missing)) names.set(id, name);
    return names;
  }

  /**
   * Records the firings and disarms their rules, in one statement: each
   * rule is disarmed only if it is still armed at the sequence number this
   * evaluator read, and only the firings of the rules this statement
   * disarmed are inserted, so a rule another evaluator fired first is left
   * to its record. Rows are locked in id order, here and in `rearm`, so
   * evaluators whose statements overlap wait for each other rather than
   * deadlock. Returns how many were recorded.
   */
  async function fire(transitions: readonly Transition[], at: Date): Promise<number> {
    if (transitions.length === 0) return 0;
    const known = await itemNames(
      transitions.flatMap(({ rule }) => (rule.itemId === null ? [] : [rule.itemId])),
    );
    const texts = transitions.map((transition) => textsOf(transition, known));
    const column = <T>(pick: (transition: Transition, index: number) => T) => transitions.map(pick);
    const { rows } = await sql<{ id: number | string }>`
      with disarmed as (
        update alert_rules r set armed = false
        where r.id in (
          select held.id from alert_rules held
          join unnest(${arrayLiteral(column(({ rule }) => rule.id))}::bigint[],
            ${arrayLiteral(column(({ rule }) => rule.armSeq))}::int[]) as t (id, seq)
            on held.id = t.id and held.arm_seq = t.seq
          where held.armed
          order by held.id
          for update of held)
        returning r.id
      ),
      recorded as (
        insert into alert_firings (rule_id, user_id, arm_seq, fired_at, kind, item_id, source,
          value, title, message, deliveries)
        select rule_id, user_id, arm_seq, ${at}, kind, item_id, source, value, title, message,
          deliveries::jsonb
        from unnest(
          ${arrayLiteral(column(({ rule }) => rule.id))}::bigint[],
          ${arrayLiteral(column(({ rule }) => rule.userId))}::bigint[],
          ${arrayLiteral(column(({ rule }) => rule.armSeq))}::int[],
          ${arrayLiteral(column(({ rule }) => rule.params.kind))}::text[],
          ${arrayLiteral(column(({ rule }) => rule.itemId))}::int[],
          ${arrayLiteral(column(({ source }) => source))}::text[],
          ${arrayLiteral(column(({ measured }) => measured.value))}::float8[],
          ${arrayLiteral(texts.map(({ title }) => title))}::text[],
          ${arrayLiteral(texts.map(({ message }) => message))}::text[],
          ${arrayLiteral(column(({ rule }) => deliveriesOf(rule)))}::text[])
          as f (rule_id, user_id, arm_seq, kind, item_id, source, value, title, message,
            deliveries)
        where f.rule_id in (select id from disarmed)
        on conflict (rule_id, arm_seq) do nothing
      )
      select id from disarmed`.execute(database.db);
    for (const { rule } of transitions) rule.armed = false;
    return rows.length;
  }

  function textsOf(transition: Transition, known: Map<number, string>) {
    const { rule, measured, source } = transition;
    const context = {
      itemName: rule.itemId === null ? null : (known.get(rule.itemId) ?? `item ${rule.itemId}`),
      source,
      currency,
    };
    return {
      title: alertTitle(rule.params, context),
      message: alertMessage(rule.params, measured, context),
    };
  }

  /** Every channel of the rule pending delivery. */
  function deliveriesOf(rule: Rule): string {
    const deliveries: Deliveries = Object.fromEntries(
      rule.channels.map((channel) => [channel, { state: 'pending' }]),
    );
    return JSON.stringify(deliveries);
  }

  async function rearm(transitions: readonly Transition[]): Promise<void> {
    if (transitions.length === 0) return;
    const ids = transitions.map(({ rule }) => rule.id);
    const seqs = transitions.map(({ rule }) => rule.armSeq);
    // Locked in id order, as `fire` locks them.
    await sql`
      update alert_rules r set armed = true, arm_seq = r.arm_seq + 1
      where r.id in (
        select held.id from alert_rules held
        join unnest(${arrayLiteral(ids)}::bigint[], ${arrayLiteral(seqs)}::int[]) as t (id, seq)
          on held.id = t.id and held.arm_seq = t.seq
        where not held.armed
        order by held.id
        for update of held)`.execute(database.db);
    // Set from the sequence this run read, not incremented: another run that
    // re-armed the same rule at once has set it already, and a second
    // increment would leave this evaluator a sequence the database never
    // reaches, so the rule could not fire until every rule is read again.
    transitions.forEach(({ rule }, index) => {
      rule.armed = true;
      rule.armSeq = (seqs[index] as number) + 1;
    });
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
    // Disjoint rules, each statement locking in id order: at once.
    const rearms = transitions.filter((one) => one.step === 'rearm');
    const [fired] = await Promise.all([
      fire(
        transitions.filter((one) => one.step === 'fire'),
        new Date(now),
      ),
      rearm(rearms),
    ]);
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
