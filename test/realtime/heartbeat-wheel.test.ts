import { describe, expect, it } from 'vitest';
import { HeartbeatWheel } from '../../src/realtime/heartbeat-wheel.js';

/** How many times each member is due over `turns` turns, and the largest turn. */
function dueCounts(wheel: HeartbeatWheel<number>, turns: number) {
  const counts = new Map<number, number>();
  let largest = 0;
  for (let turn = 0; turn < turns; turn += 1) {
    const due = wheel.turn();
    largest = Math.max(largest, due.length);
    for (const member of due) counts.set(member, (counts.get(member) ?? 0) + 1);
  }
  return { counts, largest };
}

describe('HeartbeatWheel', () => {
  it('spreads members connected at once evenly, each due once a round', () => {
    const wheel = new HeartbeatWheel<number>(30);
    for (let member = 0; member < 10_000; member += 1) wheel.add(member);
    const { counts, largest } = dueCounts(wheel, 30);
    expect(counts.size).toBe(10_000);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    expect(largest).toBe(Math.ceil(10_000 / 30));
  });

  it('keeps each member due once a round, whenever it joined', () => {
    const wheel = new HeartbeatWheel<number>(4);
    wheel.add(1);
    wheel.turn();
    wheel.add(2);
    wheel.turn();
    wheel.add(3);
    wheel.add(3);
    const { counts } = dueCounts(wheel, 8);
    expect(Object.fromEntries(counts)).toEqual({ 1: 2, 2: 2, 3: 2 });
  });

  it('never returns a member once it is deleted', () => {
    const wheel = new HeartbeatWheel<number>(3);
    for (const member of [1, 2, 3, 4]) wheel.add(member);
    wheel.delete(2);
    wheel.delete(99);
    const { counts } = dueCounts(wheel, 3);
    expect([...counts.keys()].sort()).toEqual([1, 3, 4]);
  });

  it('needs at least one slice', () => {
    expect(() => new HeartbeatWheel(0)).toThrow(RangeError);
    expect(() => new HeartbeatWheel(1.5)).toThrow(RangeError);
  });
});
