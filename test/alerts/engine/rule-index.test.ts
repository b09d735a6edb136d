// The index by item: a batch of changes picks the unpaused rules about the
// changed items whose source changed (or that follow the preferred source),
// each once; replacing and removing a rule leaves no trace of the old one;
// stale and portfolio rules are also kept by kind for the pass after a cycle.
import { describe, expect, it } from 'vitest';
import { type Rule, RuleIndex } from '../../../src/alerts/rule-index.js';
import type { AlertParams } from '../../../src/shared/alert-vocabulary.js';

const ABOVE: AlertParams = { kind: 'price_above', level_cents: 1000 };

function rule(id: number, fields: Partial<Rule> = {}): Rule {
  return {
    id,
    userId: 1,
    itemId: 10,
    source: 'steam',
    params: ABOVE,
    marginPercent: 2,
    channels: ['app'],
    paused: false,
    armed: true,
    armSeq: 0,
    ...fields,
  };
}

const ids = (rules: readonly Rule[]) => rules.map((one) => one.id).sort((a, b) => a - b);

describe('RuleIndex.affectedBy', () => {
  it('picks the rules about the changed items only', () => {
    const index = new RuleIndex();
    for (let id = 1; id <= 30; id += 1) index.put(rule(id, { itemId: 100 + (id % 10) }));
    expect(index.size).toBe(30);
    expect(ids(index.affectedBy([{ itemId: 103, source: 'steam' }]))).toEqual([3, 13, 23]);
    expect(
      ids(
        index.affectedBy([
          { itemId: 101, source: 'steam' },
          { itemId: 109, source: 'steam' },
        ]),
      ),
    ).toEqual([1, 9, 11, 19, 21, 29]);
    expect(index.affectedBy([{ itemId: 999, source: 'steam' }])).toEqual([]);
  });

  it('picks a rule on a source only when that source changed, a preferred rule on any', () => {
    const index = new RuleIndex();
    index.put(rule(1, { source: 'steam' }));
    index.put(rule(2, { source: 'skinport' }));
    index.put(rule(3, { source: 'preferred' }));
    expect(ids(index.affectedBy([{ itemId: 10, source: 'steam' }]))).toEqual([1, 3]);
    expect(ids(index.affectedBy([{ itemId: 10, source: 'skinport' }]))).toEqual([2, 3]);
    expect(ids(index.affectedBy([{ itemId: 10, source: 'demo' }]))).toEqual([3]);
  });

  it('picks each rule once however many of its sources changed', () => {
    const index = new RuleIndex();
    index.put(rule(1, { source: 'preferred' }));
    index.put(rule(2, { source: 'steam' }));
    const picked = index.affectedBy([
      { itemId: 10, source: 'steam' },
      { itemId: 10, source: 'skinport' },
      { itemId: 10, source: 'steam' },
    ]);
    expect(ids(picked)).toEqual([1, 2]);
  });

  it('leaves paused rules out', () => {
    const index = new RuleIndex();
    index.put(rule(1));
    index.put(rule(2, { paused: true }));
    expect(ids(index.affectedBy([{ itemId: 10, source: 'steam' }]))).toEqual([1]);
  });

  it('returns the rule objects it holds, so a firing updates what the next batch reads', () => {
    const index = new RuleIndex();
    const held = rule(1);
    index.put(held);
    expect(index.affectedBy([{ itemId: 10, source: 'steam' }])[0]).toBe(held);
  });
});

describe('RuleIndex.put and remove', () => {
  it('put replaces the rule with its id, including a move to another item', () => {
    const index = new RuleIndex();
    index.put(rule(1, { itemId: 10 }));
    index.put(rule(1, { itemId: 20, paused: false }));
    expect(index.size).toBe(1);
    expect(index.affectedBy([{ itemId: 10, source: 'steam' }])).toEqual([]);
    expect(ids(index.affectedBy([{ itemId: 20, source: 'steam' }]))).toEqual([1]);
    expect(index.get(1)?.itemId).toBe(20);
  });

  it('put replaces a rule whose kind changed out of the stale and portfolio lists', () => {
    const index = new RuleIndex();
    index.put(rule(1, { params: { kind: 'stale', max_age_seconds: 60 } }));
    index.put(
      rule(2, {
        itemId: null,
        params: { kind: 'portfolio_change', window: '24h', threshold_percent: 5, direction: 'up' },
      }),
    );
    expect(ids(index.timedRules())).toEqual([1]);
    expect(ids(index.portfolioRules())).toEqual([2]);
    index.put(rule(1));
    index.put(rule(2));
    expect(index.timedRules()).toEqual([]);
    expect(index.portfolioRules()).toEqual([]);
  });

  it('remove takes a rule out of every list; removing an unknown id is harmless', () => {
    const index = new RuleIndex();
    index.put(rule(1, { params: { kind: 'stale', max_age_seconds: 60 } }));
    index.put(rule(2));
    index.remove(1);
    index.remove(99);
    expect(index.size).toBe(1);
    expect(index.get(1)).toBeUndefined();
    expect(index.timedRules()).toEqual([]);
    expect(ids(index.affectedBy([{ itemId: 10, source: 'steam' }]))).toEqual([2]);
    index.remove(2);
    expect(index.affectedBy([{ itemId: 10, source: 'steam' }])).toEqual([]);
  });

  it('clear empties every list', () => {
    const index = new RuleIndex();
    index.put(rule(1, { params: { kind: 'stale', max_age_seconds: 60 } }));
    index.clear();
    expect(index.size).toBe(0);
    expect(index.timedRules()).toEqual([]);
    expect(index.affectedBy([{ itemId: 10, source: 'steam' }])).toEqual([]);
  });
});

describe('RuleIndex.timedRules and portfolioRules', () => {
  it('hold the unpaused stale and portfolio rules, nothing else', () => {
    const index = new RuleIndex();
    const portfolio: AlertParams = {
      kind: 'portfolio_change',
      window: '7d',
      threshold_percent: 5,
      direction: 'either',
    };
    index.put(rule(1, { params: { kind: 'stale', max_age_seconds: 60 } }));
    index.put(rule(2, { params: { kind: 'stale', max_age_seconds: 60 }, paused: true }));
    index.put(rule(3, { itemId: null, params: portfolio }));
    index.put(rule(4, { itemId: null, params: portfolio, paused: true }));
    index.put(rule(5));
    expect(ids(index.timedRules())).toEqual([1]);
    expect(ids(index.portfolioRules())).toEqual([3]);
    // A stale rule is also about its item: a fresh price measures (and re-arms) it.
    expect(ids(index.affectedBy([{ itemId: 10, source: 'steam' }]))).toEqual([1, 5]);
  });
});
