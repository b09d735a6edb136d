import { describe, expect, it } from 'vitest';
import { catalogSummary, progressReporter } from '../../src/cli/catalog.js';

function stream(isTTY: boolean) {
  const written: string[] = [];
  return { isTTY, written, write: (text: string) => written.push(text) };
}

describe('catalog sync progress', () => {
  it('redraws one bar in place on a terminal, ending the line when done', () => {
    const terminal = stream(true);
    const report = progressReporter(terminal, 'Syncing catalog');
    report({ done: 1000, total: 4000 });
    report({ done: 4000, total: 4000 });
    expect(terminal.written).toEqual([
      `\rSyncing catalog [========${' '.repeat(22)}] 25% 1000/4000`,
      `\rSyncing catalog [${'='.repeat(30)}] 100% 4000/4000\n`,
    ]);
  });

  it('writes a plain line each time another 10% is done when not on a terminal', () => {
    const log = stream(false);
    const report = progressReporter(log, 'Syncing catalog');
    for (let done = 500; done <= 10_000; done += 500) report({ done, total: 10_000 });
    expect(log.written).toHaveLength(10);
    expect(log.written[0]).toBe('Syncing catalog: 10% (1000/10000)\n');
    expect(log.written.at(-1)).toBe('Syncing catalog: 100% (10000/10000)\n');
  });

  it('sums up counts and time in one line', () => {
    expect(
      catalogSummary({ total: 37_286, inserted: 37_000, updated: 6, unchanged: 280 }, 7_840),
    ).toBe('Catalog: 37,286 items (37,000 new, 6 updated, 280 unchanged) in 7.8 s');
  });
});
