// The leader's rules in memory, indexed so that a batch of changed prices
// touches only the rules about those items: the cost of an evaluation grows
// with the changes, not with the number of rules. Rules about the whole
// portfolio and stale-price rules, which time rather than a price change
// makes true, are also kept by kind, for the pass after each cycle.
import type { AlertChannel, AlertParams } from '../shared/alert-vocabulary.js';
import { PREFERRED_SOURCE } from '../shared/alert-vocabulary.js';

export interface Rule {
  readonly id: number;
  readonly userId: number;
  readonly itemId: number | null;
  /** A provider, or PREFERRED_SOURCE. */
  readonly source: string;
  readonly params: AlertParams;
  readonly marginPercent: number;
  readonly channels: readonly AlertChannel[];
  readonly paused: boolean;
  armed: boolean;
  armSeq: number;
}

export interface Change {
  readonly itemId: number;
  readonly source: string;
}

export class RuleIndex {
  private readonly byId = new Map<number, Rule>();
  private readonly byItem = new Map<number, Rule[]>();
  private readonly timed = new Map<number, Rule>();
  private readonly portfolio = new Map<number, Rule>();

  get size(): number {
    return this.byId.size;
  }

  get(id: number): Rule | undefined {
    return this.byId.get(id);
  }

  /** Adds the rule, or replaces the one with its id. */
  put(rule: Rule): void {
    this.remove(rule.id);
    this.byId.set(rule.id, rule);
    if (rule.params.kind === 'portfolio_change') this.portfolio.set(rule.id, rule);
    if (rule.params.kind === 'stale') this.timed.set(rule.id, rule);
    if (rule.itemId !== null) {
      const list = this.byItem.get(rule.itemId);
      if (list) list.push(rule);
      else this.byItem.set(rule.itemId, [rule]);
    }
  }

  clear(): void {
    this.byId.clear();
    this.byItem.clear();
    this.timed.clear();
    this.portfolio.clear();
  }

  remove(id: number): void {
    const rule = this.byId.get(id);
    if (!rule) return;
    this.byId.delete(id);
    this.timed.delete(id);
    this.portfolio.delete(id);
    if (rule.itemId === null) return;
    const list = this.byItem.get(rule.itemId) ?? [];
    const left = list.filter((one) => one.id !== id);
    if (left.length > 0) this.byItem.set(rule.itemId, left);
    else this.byItem.delete(rule.itemId);
  }

  /**
   * The unpaused rules a batch of changes may have made true or false: those
   * about a changed item whose source changed, or that follow the preferred
   * source. Each rule once, however many of its item's sources changed.
   */
  affectedBy(changes: readonly Change[]): Rule[] {
    // A rule on one source matches one change of its item, once the changes
    // are unique; only a preferred rule could match twice, and it is taken
    // at its item's first change. No set of the rules taken: filling one
    // cost more than the rest of this (bench/alerts).
    const seenChanges = new Set<string>();
    const seenItems = new Set<number>();
    const found: Rule[] = [];
    for (const { itemId, source } of changes) {
      const change = `${source}:${itemId}`;
      if (seenChanges.has(change)) continue;
      seenChanges.add(change);
      const first = !seenItems.has(itemId);
      seenItems.add(itemId);
      for (const rule of this.byItem.get(itemId) ?? []) {
        if (rule.paused) continue;
        if (rule.source === source || (first && rule.source === PREFERRED_SOURCE)) found.push(rule);
      }
    }
    return found;
  }

  /** The unpaused stale-price rules, which the passage of time alone can make true. */
  timedRules(): Rule[] {
    return [...this.timed.values()].filter((rule) => !rule.paused);
  }

  /** The unpaused rules about a whole portfolio. */
  portfolioRules(): Rule[] {
    return [...this.portfolio.values()].filter((rule) => !rule.paused);
  }
}
