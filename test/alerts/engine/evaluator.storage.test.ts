// The evaluator over real storage: a batch measures only the rules of the
// items (and sources) it changed, counted; two evaluators over one database
// record a firing once, one after the other or racing; a "preferred" rule
// reads the first configured source with a price; and a rule whose facts
// are missing neither fires nor re-arms.
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlertEvaluator } from '../../../src/alerts/evaluator.js';
import type { PriceSource } from '../../../src/market/types.js';
import { openDatabase } from '../../../src/platform/db/index.js';
import { testDatabaseUrl } from '../../support/backends.js';
import { type Engine, HOUR_MS, MINUTE_MS, openEngine, total } from './engine-fixture.js';

let engine: Engine | undefined;

afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

async function start(names: readonly string[], sources?: readonly PriceSource[]) {
  engine = await openEngine(names, sources);
  return engine;
}

const names = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, index) => `${prefix} ${index + 1}`);

describe('evaluation touches only the changed items', () => {
  it('1,000 rules over 100 items: a change of 3 items measures their 30 rules', async () => {
    const { items, database, userId, evaluator, prices, changed, evaluated, firings } = await start(
      names(100, 'Item'),
    );
    // Ten rules per item, every one of them true at the price every item has.
    await sql`insert into alert_rules (user_id, kind, item_id, source, params, margin_percent, channels)
      select ${userId}, 'price_above', item.id, 'steam',
        jsonb_build_object('kind', 'price_above', 'level_cents', 1000 + copy), 2, '{app}'
      from unnest(${items}::int[]) as item (id), generate_series(1, 10) as copy`.execute(
      database.db,
    );
    await prices(items, 5000, { at: Date.UTC(2026, 10, 17, 11) });
    const evaluation = await evaluator();
    expect(evaluation.index.size).toBe(1000);

    const batch = await prices(items.slice(40, 43), 5000);
    await changed(evaluation, batch);
    expect(evaluated).toEqual([30]);
    const fired = await firings();
    expect(fired.length).toBe(30);
    expect(new Set(fired.map((one) => one.message.split(' is at')[0]))).toEqual(
      new Set(['Item 41', 'Item 42', 'Item 43']),
    );

    // The same items again: measured again (30 more), nothing fires twice.
    await changed(evaluation, batch);
    expect(evaluated).toEqual([30, 30]);
    expect((await firings()).length).toBe(30);
    // The report of an evaluation says the same.
    const report = await evaluation.evaluate(evaluation.index.affectedBy(batch.slice(0, 1)));
    expect(report).toEqual({ evaluated: 10, fired: 0, rearmed: 0 });
  });

  it('a change from one source measures the rules on that source and the preferred ones', async () => {
    const { items, rule, evaluator, price, changed, evaluated, clock } = await start(
      ['Two markets'],
      ['steam', 'skinport'],
    );
    const [item] = items as [number];
    const level = { kind: 'price_above', level_cents: 100_000 } as const;
    await rule({ itemId: item, source: 'steam', params: level });
    await rule({ itemId: item, source: 'skinport', params: level });
    await rule({ itemId: item, source: 'preferred', params: level });
    await rule({ itemId: item, source: 'steam', params: level, paused: true });
    const evaluation = await evaluator();
    await changed(evaluation, [await price(item, 1000, { source: 'skinport' })]);
    clock.advance(1000);
    await changed(evaluation, [
      await price(item, 1000, { source: 'steam' }),
      await price(item, 1000, { source: 'skinport' }),
    ]);
    expect(evaluated).toEqual([2, 3]);
  });
});

describe('exactly once across instances', () => {
  async function twoEvaluators(rules: number) {
    const started = await start(names(5, 'Shared'));
    const ids: number[] = [];
    for (let index = 0; index < rules; index += 1) {
      ids.push(
        await started.rule({
          itemId: started.items[index % 5] as number,
          params: { kind: 'price_above', level_cents: 1000 + index },
        }),
      );
    }
    await started.prices(started.items, 500);
    const fired: number[] = [];
    const onFired = (count: number) => fired.push(count);
    const first = await started.evaluator({ onFired });
    const second = await started.evaluator({ onFired });
    return { ...started, ids, first, second, fired };
  }

  const ruleStates = async (engineOf: Engine) => {
    const { rows } = await sql<{ armed: boolean; arm_seq: number; count: number }>`
      select armed, arm_seq, count(*)::int as count from alert_rules
      group by armed, arm_seq order by armed, arm_seq`.execute(engineOf.database.db);
    return rows;
  };

  it('two evaluators noting the same batch one after the other record each firing once', async () => {
    const shared = await twoEvaluators(20);
    const { items, prices, clock, changed, first, second, firings, fired } = shared;
    clock.advance(1000);
    const batch = await prices(items, 2000);
    await changed(first, batch);
    await changed(second, batch);
    expect(fired).toEqual([20]);
    const rows = await firings();
    expect(rows.length).toBe(20);
    expect(new Set(rows.map((one) => one.rule_id))).toEqual(new Set(shared.ids));
    expect(await ruleStates(shared)).toEqual([{ armed: false, arm_seq: 0, count: 20 }]);
  });

  it('two evaluators racing on the same batch (Promise.all) record each firing once, across a re-arm', async () => {
    const shared = await twoEvaluators(50);
    const { items, prices, clock, first, second, firings, fired } = shared;
    const race = async (cents: number) => {
      clock.advance(1000);
      const batch = await prices(items, cents);
      return total(
        await Promise.all([
          first.evaluate(first.index.affectedBy(batch)),
          second.evaluate(second.index.affectedBy(batch)),
        ]),
      );
    };
    const crossed = await race(2000);
    expect(crossed).toMatchObject({ evaluated: 100, fired: 50 });
    expect(fired.reduce((sum, count) => sum + count, 0)).toBe(50);
    expect((await firings()).length).toBe(50);
    expect(await ruleStates(shared)).toEqual([{ armed: false, arm_seq: 0, count: 50 }]);

    // Both re-arm (one of them in the database), then the next crossing fires once more.
    const back = await race(500);
    expect(back.rearmed).toBe(100);
    expect(await ruleStates(shared)).toEqual([{ armed: true, arm_seq: 1, count: 50 }]);
    expect((await race(2000)).fired).toBe(50);
    const rows = await firings();
    expect(rows.length).toBe(100);
    expect(rows.filter((one) => one.arm_seq === 1).length).toBe(50);
    expect(await ruleStates(shared)).toEqual([{ armed: false, arm_seq: 1, count: 50 }]);
  });

  it.runIf(testDatabaseUrl)(
    'on PostgreSQL, one disarm waits for the other and finds the rule disarmed',
    async () => {
      // Two evaluators on two pools of the same database, so the race is a real one.
      const shared = await twoEvaluators(10);
      const other = await openDatabase({
        kind: 'postgres',
        url: shared.database.url as string,
        poolSize: 5,
      });
      try {
        const elsewhere = createAlertEvaluator({
          database: other,
          store: shared.store,
          logger: pino({ level: 'silent' }),
          clock: shared.clock,
          sources: ['steam'],
          currency: 'USD',
        });
        await elsewhere.start();
        shared.clock.advance(1000);
        const batch = await shared.prices(shared.items, 2000);
        const reports = await Promise.all([
          shared.first.evaluate(shared.first.index.affectedBy(batch)),
          elsewhere.evaluate(elsewhere.index.affectedBy(batch)),
        ]);
        expect(total(reports).fired).toBe(10);
        expect((await shared.firings()).length).toBe(10);
        await elsewhere.stop();
      } finally {
        await other.close();
      }
    },
  );
});

describe('sources', () => {
  it('a "preferred" rule reads the first configured source that has a price', async () => {
    const { items, rule, evaluator, price, changed, clock, firings } = await start(
      ['Preferred'],
      ['steam', 'skinport'],
    );
    const [item] = items as [number];
    const level = { kind: 'price_above', level_cents: 1000 } as const;
    const preferred = await rule({ itemId: item, source: 'preferred', params: level });
    const skinport = await rule({ itemId: item, source: 'skinport', params: level });
    const evaluation = await evaluator();

    // Only skinport has a price: the preferred rule reads it.
    await changed(evaluation, [await price(item, 900, { source: 'skinport' })]);
    expect(await firings()).toEqual([]);
    // Steam, first in the list, now has one below the level: the preferred rule reads steam.
    clock.advance(1000);
    await changed(evaluation, [await price(item, 950, { source: 'steam' })]);
    clock.advance(1000);
    await changed(evaluation, [await price(item, 1200, { source: 'skinport' })]);
    expect((await firings()).map((one) => [one.rule_id, one.source])).toEqual([
      [skinport, 'skinport'],
    ]);
    clock.advance(1000);
    await changed(evaluation, [await price(item, 1100, { source: 'steam' })]);
    const fired = await firings(preferred);
    expect(fired.map((one) => [one.source, one.value])).toEqual([['steam', 1100]]);
    expect(fired[0]?.message).toBe(
      'Preferred is at $11.00, at or above your level of $10.00 (steam).',
    );
  });

  it('a "preferred" rule falls back to a later source when the first has no price', async () => {
    const { items, rule, evaluator, price, changed, firings } = await start(
      ['Fallback'],
      ['steam', 'skinport'],
    );
    const [item] = items as [number];
    const id = await rule({
      itemId: item,
      source: 'preferred',
      params: { kind: 'price_above', level_cents: 1000 },
    });
    await changed(await evaluator(), [await price(item, 1500, { source: 'skinport' })]);
    expect((await firings(id)).map((one) => one.source)).toEqual(['skinport']);
  });

  it('a rule on a source not configured is not measured against another', async () => {
    const { items, rule, evaluator, price, changed, firings } = await start(
      ['Unlisted'],
      ['steam'],
    );
    const [item] = items as [number];
    await rule({
      itemId: item,
      source: 'skinport',
      params: { kind: 'price_above', level_cents: 1 },
    });
    const evaluation = await evaluator();
    await price(item, 1500, { source: 'skinport' });
    await changed(evaluation, [await price(item, 1500, { source: 'steam' })]);
    const report = await evaluation.evaluate(
      evaluation.index.affectedBy([{ itemId: item, source: 'skinport' }]),
    );
    expect(report).toEqual({ evaluated: 1, fired: 0, rearmed: 0 });
    expect(await firings()).toEqual([]);
  });
});

describe('missing facts neither fire nor re-arm', () => {
  it('no price: a price_below rule does not fire, a disarmed price_above rule stays disarmed', async () => {
    const { items, rule, evaluator, firings, ruleRow } = await start(['Unpriced']);
    const [item] = items as [number];
    const below = await rule({ itemId: item, params: { kind: 'price_below', level_cents: 1000 } });
    const above = await rule({
      itemId: item,
      params: { kind: 'price_above', level_cents: 1000 },
      armed: false,
      armSeq: 3,
    });
    const stale = await rule({
      itemId: item,
      params: { kind: 'stale', max_age_seconds: 60 },
    });
    const evaluation = await evaluator();
    const report = await evaluation.evaluate(
      evaluation.index.affectedBy([{ itemId: item, source: 'steam' }]),
    );
    await evaluation.afterCycle(new AbortController().signal);
    expect(report).toEqual({ evaluated: 3, fired: 0, rearmed: 0 });
    expect(await firings()).toEqual([]);
    expect(await ruleRow(below)).toEqual({ armed: true, arm_seq: 0 });
    expect(await ruleRow(above)).toEqual({ armed: false, arm_seq: 3 });
    expect(await ruleRow(stale)).toEqual({ armed: true, arm_seq: 0 });
  });

  it('too little history: change, bollinger and volume rules neither fire nor re-arm', async () => {
    const { items, rule, evaluator, price, changed, clock, firings, ruleRow } = await start([
      'New listing',
    ]);
    const [item] = items as [number];
    // Three prices in the last hour: no price an hour ago, no band, no rollups.
    for (const minutes of [50, 30, 10]) {
      await price(item, 1000, { at: clock.now() - minutes * MINUTE_MS, volume: 10 });
    }
    const specs = [
      { kind: 'change', window: '1h', threshold_percent: 1, direction: 'either' },
      { kind: 'change', window: '24h', threshold_percent: 1, direction: 'either' },
      { kind: 'bollinger' },
      { kind: 'volume_spike', multiplier: 1.5 },
    ] as const;
    const armed: number[] = [];
    const disarmed: number[] = [];
    for (const params of specs) {
      armed.push(await rule({ itemId: item, params }));
      disarmed.push(await rule({ itemId: item, params, armed: false, armSeq: 7 }));
    }
    const evaluation = await evaluator();
    // A jump that would fire every armed rule, and a calm that would re-arm every disarmed one.
    await changed(evaluation, [await price(item, 5000, { volume: 1000 })]);
    clock.advance(MINUTE_MS);
    await changed(evaluation, [await price(item, 1000, { volume: 10 })]);
    expect(await firings()).toEqual([]);
    for (const id of armed) expect(await ruleRow(id)).toEqual({ armed: true, arm_seq: 0 });
    for (const id of disarmed) expect(await ruleRow(id)).toEqual({ armed: false, arm_seq: 7 });
    // The history arrives: the 1h rule now has its price an hour ago.
    await price(item, 1000, { at: clock.now() - HOUR_MS - MINUTE_MS });
    clock.advance(MINUTE_MS);
    await changed(evaluation, [await price(item, 1300, { volume: 10 })]);
    expect((await firings()).map((one) => one.rule_id)).toEqual([armed[0]]);
    expect(await ruleRow(disarmed[0] as number)).toEqual({ armed: false, arm_seq: 7 });
  });
});

describe('the evaluator’s own state', () => {
  it('two runs that re-arm one rule at once leave it able to fire again', async () => {
    // A batch's run and the cycle's run (afterCycle) are not serialized: both
    // can measure a stale rule, or any rule of a changed item, at once.
    const { items, rule, evaluator, price, firings, ruleRow, clock } = await start(['Racing']);
    const [item] = items as [number];
    const id = await rule({
      itemId: item,
      params: { kind: 'price_above', level_cents: 1000 },
      armed: false,
      armSeq: 4,
    });
    const evaluation = await evaluator();
    const change = await price(item, 500);
    const both = await Promise.all([
      evaluation.evaluate(evaluation.index.affectedBy([change])),
      evaluation.evaluate(evaluation.index.affectedBy([change])),
    ]);
    expect(both.map((report) => report.rearmed)).toEqual([1, 1]);
    expect(await ruleRow(id)).toEqual({ armed: true, arm_seq: 5 });
    clock.advance(1000);
    const report = await evaluation.evaluate(
      evaluation.index.affectedBy([await price(item, 2000)]),
    );
    expect(report.fired).toBe(1);
    expect((await firings(id)).map((firing) => firing.arm_seq)).toEqual([5]);
  });
});
