// Every kind of alert rule over real storage, its facts gathered as in
// production (prices written and made the latest through the ingestion
// path, the volatility cache recomputed, the rollups run, the market
// summary refreshed): each fires exactly once when its condition becomes
// true, stays quiet while it hovers there, is re-armed only once the
// condition is false by its margin, and then fires again under the next
// arm_seq.
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { writePrices } from '../../../src/market/ingest/index.js';
import { rollUpPrices } from '../../../src/market/ingest/rollups.js';
import { refreshSummaries } from '../../../src/market/summary/refresh.js';
import { cachedVolatility } from '../../../src/market/volatility/index.js';
import { recomputeVolatility } from '../../../src/market/volatility/recompute.js';
import { utcDay } from '../../../src/portfolio/snapshots.js';
import { DAY_MS, type Engine, HOUR_MS, MINUTE_MS, openEngine } from './engine-fixture.js';

let engine: Engine | undefined;

afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

async function start(names: readonly string[]) {
  engine = await openEngine(names);
  return engine;
}

describe('price_above and price_below', () => {
  it('a price hovering at the level fires once; past the margin re-arms; crossing again fires arm_seq 1', async () => {
    const { items, rule, evaluator, ticks, ruleRow, firings } = await start(['Above', 'Below']);
    const [above, below] = items as [number, number];
    // Margin 2 %: re-armed below 980 (above) and above 1020 (below).
    const up = await rule({ itemId: above, params: { kind: 'price_above', level_cents: 1000 } });
    const down = await rule({ itemId: below, params: { kind: 'price_below', level_cents: 1000 } });
    const evaluation = await evaluator();

    await ticks(evaluation, above, [990, 1000, 1005, 995, 1001, 985, 1010, 981, 1200]);
    await ticks(evaluation, below, [1010, 1000, 995, 1005, 999, 1015, 990, 1019, 800]);
    expect((await firings(up)).map((one) => [one.arm_seq, one.value])).toEqual([[0, 1000]]);
    expect((await firings(down)).map((one) => [one.arm_seq, one.value])).toEqual([[0, 1000]]);
    expect(await ruleRow(up)).toEqual({ armed: false, arm_seq: 0 });
    expect(await ruleRow(down)).toEqual({ armed: false, arm_seq: 0 });

    // Past the margin: re-armed, with the next sequence number.
    await ticks(evaluation, above, [979]);
    await ticks(evaluation, below, [1021]);
    expect(await ruleRow(up)).toEqual({ armed: true, arm_seq: 1 });
    expect(await ruleRow(down)).toEqual({ armed: true, arm_seq: 1 });

    await ticks(evaluation, above, [1002, 1003]);
    await ticks(evaluation, below, [998, 997]);
    expect((await firings(up)).map((one) => [one.arm_seq, one.value])).toEqual([
      [0, 1000],
      [1, 1002],
    ]);
    expect((await firings(down)).map((one) => [one.arm_seq, one.value])).toEqual([
      [0, 1000],
      [1, 998],
    ]);
    const [first] = await firings(up);
    expect(first?.message).toBe('Above is at $10.00, at or above your level of $10.00 (steam).');
    expect((await firings(down))[1]?.message).toBe(
      'Below is at $9.98, at or below your level of $10.00 (steam).',
    );
  });

  it('a margin of 0 re-arms as soon as the price is back on the other side', async () => {
    const { items, rule, evaluator, ticks, firings } = await start(['Zero margin']);
    const [item] = items as [number];
    const id = await rule({
      itemId: item,
      params: { kind: 'price_above', level_cents: 1000 },
      marginPercent: 0,
    });
    await ticks(await evaluator(), item, [1000, 999, 1000]);
    expect((await firings(id)).map((one) => one.arm_seq)).toEqual([0, 1]);
  });
});

describe('change over a window', () => {
  it('measures against the price one window ago, 1h, 24h and 7d alike', async () => {
    const { items, rule, evaluator, ticks, price, clock, firings, ruleRow } = await start([
      'One hour',
      'One day',
      'One week',
    ]);
    const windows = [
      ['1h', HOUR_MS],
      ['24h', DAY_MS],
      ['7d', 7 * DAY_MS],
    ] as const;
    const ids: number[] = [];
    for (const [index, [window, ms]] of windows.entries()) {
      const item = items[index] as number;
      // The price one window (and a minute) ago, and now.
      await price(item, 1000, { at: clock.now() - ms - MINUTE_MS });
      await price(item, 1000);
      ids.push(
        await rule({
          itemId: item,
          params: { kind: 'change', window, threshold_percent: 10, direction: 'up' },
        }),
      );
    }
    const evaluation = await evaluator();
    for (const [index] of windows.entries()) {
      const item = items[index] as number;
      // +10 % fires; hovering above 9.8 % does not fire again; 9.7 % re-arms; 12 % fires again.
      await ticks(evaluation, item, [1050, 1100, 1150, 1099, 1098, 1200, 1097, 1120]);
    }
    for (const [index, [window]] of windows.entries()) {
      const id = ids[index] as number;
      const fired = await firings(id);
      expect(fired.map((one) => [one.arm_seq, Math.round(one.value * 10) / 10])).toEqual([
        [0, 10],
        [1, 12],
      ]);
      expect(await ruleRow(id)).toEqual({ armed: false, arm_seq: 1 });
      const words = { '1h': 'an hour', '24h': '24 hours', '7d': '7 days' }[window];
      expect(fired[0]?.message).toBe(
        `${['One hour', 'One day', 'One week'][index]} changed +10.0% in ${words}, past your 10% (steam).`,
      );
    }
  });

  it('up fires on a rise only, down on a fall only, either on both', async () => {
    const { items, rule, evaluator, ticks, price, clock, firings } = await start(['Swinging']);
    const [item] = items as [number];
    await price(item, 1000, { at: clock.now() - HOUR_MS - MINUTE_MS });
    const rules = {} as Record<'up' | 'down' | 'either', number>;
    for (const direction of ['up', 'down', 'either'] as const) {
      rules[direction] = await rule({
        itemId: item,
        params: { kind: 'change', window: '1h', threshold_percent: 10, direction },
      });
    }
    const evaluation = await evaluator();
    // Up 12 %, back to flat (re-arms what fired), down 12 %.
    await ticks(evaluation, item, [1120, 1000, 880]);
    const seqs = async (id: number) =>
      (await firings(id)).map((one) => [one.arm_seq, Math.round(one.value)]);
    expect(await seqs(rules.up)).toEqual([[0, 12]]);
    expect(await seqs(rules.down)).toEqual([[0, -12]]);
    expect(await seqs(rules.either)).toEqual([
      [0, 12],
      [1, -12],
    ]);
    expect((await firings(rules.down))[0]?.message).toBe(
      'Swinging changed −12.0% in an hour, past your 10% (steam).',
    );
  });
});

describe('bollinger', () => {
  it('fires when the price leaves the 24 h band, says by how many sigmas, re-arms inside it', async () => {
    const { items, rule, evaluator, price, changed, clock, store, database, firings, ruleRow } =
      await start(['Banded']);
    const [item] = items as [number];
    // 23 hourly prices alternating 990 / 1010: a band around 1000.
    for (let hours = 23; hours >= 1; hours -= 1) {
      await price(item, hours % 2 === 0 ? 990 : 1010, { at: clock.now() - hours * HOUR_MS });
    }
    const id = await rule({ itemId: item, params: { kind: 'bollinger' } });
    const evaluation = await evaluator();
    /** A price, the volatility recomputed as the updater does after a batch, the evaluator's run. */
    const tick = async (cents: number) => {
      clock.advance(MINUTE_MS);
      const change = await price(item, cents);
      const now = new Date(clock.now());
      await recomputeVolatility({ database, store, now }, [change], ['24h']);
      await changed(evaluation, [change]);
      const band = await cachedVolatility(store, { itemId: item, source: 'steam', window: '24h' });
      if (!band) throw new Error('no band cached');
      const { middle, upper } = band.bollinger;
      return (cents - middle) / ((upper - middle) / 2);
    };

    expect(Math.abs(await tick(1005))).toBeLessThan(2);
    expect(await firings(id)).toEqual([]);
    const sigmas = await tick(1100);
    expect(sigmas).toBeGreaterThan(2);
    const fired = await firings(id);
    expect(fired.map((one) => one.arm_seq)).toEqual([0]);
    expect(fired[0]?.value).toBeCloseTo(sigmas, 9);
    expect(fired[0]?.message).toBe(
      `Banded is ${(sigmas - 2).toFixed(2)}σ above the upper band (+${sigmas.toFixed(2)}σ from the 24 h mean, the band is ±2σ) (steam).`,
    );
    // Still outside: no second firing.
    expect(await tick(1102)).toBeGreaterThan(2);
    expect((await firings(id)).length).toBe(1);
    // Back inside by more than the margin: re-armed; far below: fires again.
    expect(Math.abs(await tick(1000))).toBeLessThan(1.96);
    expect(await ruleRow(id)).toEqual({ armed: true, arm_seq: 1 });
    const below = await tick(850);
    expect(below).toBeLessThan(-2);
    const again = await firings(id);
    expect(again.map((one) => one.arm_seq)).toEqual([0, 1]);
    expect(again[1]?.message).toContain('σ below the lower band (−');
  });
});

describe('volume_spike', () => {
  it('fires when the 24 h volume passes N times its 7-day mean, re-arms below the margin', async () => {
    const { items, rule, evaluator, price, ticks, changed, clock, database, firings, ruleRow } =
      await start(['Traded']);
    const [item] = items as [number];
    // Ten days of hourly prices, rolled up: 100 sold in each rolling 24 h
    // over the last 7 whole days, and 1,000 before them, which the week's
    // mean must leave out.
    const weekStart = Date.UTC(2026, 10, 10);
    const at: number[] = [];
    for (let hours = 10 * 24; hours >= 1; hours -= 1) at.push(clock.now() - hours * HOUR_MS);
    await writePrices(
      database,
      at.map((time) => ({
        item_id: item,
        source: 'steam' as const,
        price_cents: 1000,
        volume: time < weekStart ? 1000 : 100,
        observed_at: new Date(time),
      })),
    );
    await price(item, 1000, { volume: 100 });
    await rollUpPrices(database, {
      now: new Date(clock.now()),
      graceMs: 0,
      rawRetentionMs: 30 * DAY_MS,
    });
    const id = await rule({ itemId: item, params: { kind: 'volume_spike', multiplier: 3 } });
    const evaluation = await evaluator();
    const volume = async (sold: number) => {
      clock.advance(1000);
      await changed(evaluation, [await price(item, 1000, { volume: sold })]);
    };
    await volume(250);
    expect(await firings(id)).toEqual([]);
    await volume(300);
    await volume(450);
    await volume(295);
    expect((await firings(id)).map((one) => [one.arm_seq, one.value])).toEqual([[0, 3]]);
    // 2.95× is under 3× but not by the 2 % margin (2.94×): still disarmed.
    expect(await ruleRow(id)).toEqual({ armed: false, arm_seq: 0 });
    await volume(293);
    expect(await ruleRow(id)).toEqual({ armed: true, arm_seq: 1 });
    await volume(520);
    const fired = await firings(id);
    expect(fired.map((one) => [one.arm_seq, one.value])).toEqual([
      [0, 3],
      [1, 5.2],
    ]);
    expect(fired[1]?.message).toBe(
      'Traded sold 5.2× its 7-day mean volume in the last 24 hours, past your 3× (steam).',
    );
    // A quote without a volume says nothing about volume: the rule stays as it is.
    await volume(100);
    await ticks(evaluation, item, [1000]);
    expect(await ruleRow(id)).toEqual({ armed: true, arm_seq: 2 });
  });
});

describe('stale', () => {
  it('fires after the cycle once the price is older than the bound; a fresh price re-arms', async () => {
    const { items, rule, evaluator, price, changed, clock, firings, ruleRow } = await start([
      'Quiet',
    ]);
    const [item] = items as [number];
    await price(item, 1000);
    const id = await rule({ itemId: item, params: { kind: 'stale', max_age_seconds: 3600 } });
    const evaluation = await evaluator();
    const cycle = () => evaluation.afterCycle(new AbortController().signal);

    clock.advance(30 * MINUTE_MS);
    await cycle();
    expect(await firings(id)).toEqual([]);
    clock.advance(30 * MINUTE_MS);
    await cycle();
    clock.advance(10 * MINUTE_MS);
    await cycle();
    await cycle();
    const fired = await firings(id);
    expect(fired.map((one) => [one.arm_seq, one.value])).toEqual([[0, 3600]]);
    expect(fired[0]?.message).toBe(
      'Quiet has had no fresh price for 60 minutes, longer than your 60 minutes (steam).',
    );
    expect(await ruleRow(id)).toEqual({ armed: false, arm_seq: 0 });

    // A late price, itself 59 minutes old, is under the bound but not by the
    // margin (58.8 minutes): still disarmed. A fresh price re-arms (the change
    // itself measures the rule).
    await changed(evaluation, [await price(item, 1001, { at: clock.now() - 59 * MINUTE_MS })]);
    expect(await ruleRow(id)).toEqual({ armed: false, arm_seq: 0 });
    await changed(evaluation, [await price(item, 1001)]);
    expect(await ruleRow(id)).toEqual({ armed: true, arm_seq: 1 });
    clock.advance(2 * HOUR_MS);
    await cycle();
    const again = await firings(id);
    expect(again.map((one) => [one.arm_seq, one.value])).toEqual([
      [0, 3600],
      [1, 7200],
    ]);
    expect(again[1]?.message).toContain('no fresh price for 2.0 hours');
  });
});

describe('portfolio_change', () => {
  it("compares the holdings' value with the snapshot of a day ago, after each cycle", async () => {
    const { items, rule, evaluator, price, clock, database, store, userId, firings, ruleRow } =
      await start(['Held']);
    const [item] = items as [number];
    const now = () => new Date(clock.now());
    // 10 held, worth 100.00 in the snapshot of a day ago.
    await sql`insert into portfolio_holdings (user_id, origin, item_id, market_hash_name, quantity)
      values (${userId}, 'manual', ${item}, 'Held', 10)`.execute(database.db);
    await sql`insert into portfolio_snapshots (user_id, day, value_cents, net_value_cents,
        priced_quantity, taken_at)
      values (${userId}, ${utcDay(clock.now() - DAY_MS)}, 10000, 8700, 10,
        ${new Date(clock.now() - DAY_MS)})`.execute(database.db);
    const id = await rule({
      itemId: null,
      source: 'preferred',
      params: { kind: 'portfolio_change', window: '24h', threshold_percent: 10, direction: 'up' },
    });
    const evaluation = await evaluator();
    /** A price, the market summary refreshed, a cycle's end. */
    const cycle = async (cents: number) => {
      clock.advance(MINUTE_MS);
      await price(item, cents);
      await refreshSummaries({ database, store, source: 'steam', itemIds: [item], now: now() });
      await evaluation.afterCycle(new AbortController().signal);
    };

    await cycle(1000);
    await cycle(1090);
    expect(await firings(id)).toEqual([]);
    await cycle(1150);
    await cycle(1200);
    await cycle(1099);
    // +9.9 % is under 10 % but not by the margin (9.8 %): still disarmed.
    expect(await ruleRow(id)).toEqual({ armed: false, arm_seq: 0 });
    const fired = await firings(id);
    expect(fired.map((one) => [one.arm_seq, Math.round(one.value), one.source])).toEqual([
      [0, 15, 'portfolio'],
    ]);
    expect(fired[0]?.message).toBe(
      "Your portfolio's value changed +15.0% in 24 hours, past your 10%.",
    );
    await cycle(1097);
    expect(await ruleRow(id)).toEqual({ armed: true, arm_seq: 1 });
    await cycle(1110);
    expect((await firings(id)).map((one) => one.arm_seq)).toEqual([0, 1]);
  });
});
