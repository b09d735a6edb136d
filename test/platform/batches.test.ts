import { expect, it } from 'vitest';
import { inBatches } from '../../src/platform/batches.js';

it('slices in order, the last slice holding the rest', () => {
  expect([...inBatches([1, 2, 3, 4, 5], 2)]).toEqual([[1, 2], [3, 4], [5]]);
  expect([...inBatches([1, 2], 2)]).toEqual([[1, 2]]);
  expect([...inBatches([], 3)]).toEqual([]);
});

it('refuses a size that would never move forward', () => {
  expect(() => [...inBatches([1], 0)]).toThrow(RangeError);
  expect(() => [...inBatches([1], 1.5)]).toThrow(RangeError);
});
