// Measures a set of rules now: the facts each reads, gathered for all of
// them at once (facts.ts), put through its condition (conditions.ts). The
// evaluator acts on the result; the API shows it as each rule's preview.
import type { PriceSource } from '../market/types.js';
import type { Database } from '../platform/db/index.js';
import type { Store } from '../platform/store/index.js';
import { portfolioValueNow, snapshotValues, utcDay } from '../portfolio/snapshots.js';
import type { ChangeWindow } from '../shared/alert-vocabulary.js';
import { type Facts, type Measure, measure } from './conditions.js';
import { CHANGE_WINDOW_MS, gatherFacts } from './facts.js';
import type { Rule } from './rule-index.js';

export interface Measured {
  readonly measured: Measure;
  /** The provider the price came from, or `portfolio`. */
  readonly source: string;
}

export interface MeasureDeps {
  readonly database: Database;
  readonly store: Store;
  /** The configured providers in preference order. */
  readonly sources: readonly PriceSource[];
}

async function portfolioFacts(
  deps: MeasureDeps,
  rules: readonly Rule[],
  now: number,
): Promise<Map<number, Facts>> {
  const facts = new Map<number, Facts>();
  if (rules.length === 0) return facts;
  const userIds = [...new Set(rules.map((rule) => rule.userId))];
  const past = new Map<ChangeWindow, Map<number, number>>();
  for (const window of ['24h', '7d'] as const) {
    const day = utcDay(now - CHANGE_WINDOW_MS[window]);
    past.set(window, await snapshotValues(deps.database, userIds, day));
  }
  const values = new Map<number, number>();
  for (const userId of userIds) {
    values.set(userId, await portfolioValueNow(deps.database, userId, deps.sources, now));
  }
  for (const rule of rules) {
    const pastValueCents: Partial<Record<ChangeWindow, number>> = {};
    for (const [window, byUser] of past) {
      const value = byUser.get(rule.userId);
      if (value !== undefined) pastValueCents[window] = value;
    }
    const valueCents = values.get(rule.userId) ?? 0;
    facts.set(rule.id, { kind: 'portfolio', portfolio: { valueCents, pastValueCents }, now });
  }
  return facts;
}

/** Each rule's measure now, by rule id; a rule without the facts to measure it is absent. */
export async function measureRules(
  deps: MeasureDeps,
  rules: readonly Rule[],
  now: number,
): Promise<Map<number, Measured>> {
  const [price, whole] = await Promise.all([
    gatherFacts(
      deps,
      rules.filter((rule) => rule.itemId !== null),
      deps.sources,
      new Date(now),
    ),
    portfolioFacts(
      deps,
      rules.filter((rule) => rule.itemId === null),
      now,
    ),
  ]);
  const result = new Map<number, Measured>();
  for (const rule of rules) {
    const found = rule.itemId === null ? undefined : price.of(rule);
    const facts: Facts | undefined = found
      ? { kind: 'price', price: found.facts, now }
      : whole.get(rule.id);
    const measured = facts ? measure(rule.params, facts) : null;
    if (measured) result.set(rule.id, { measured, source: found?.source ?? 'portfolio' });
  }
  return result;
}
