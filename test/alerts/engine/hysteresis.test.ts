// The re-arm rule at its boundaries: an armed rule fires at the threshold
// exactly; a disarmed one is armed again only strictly below the threshold
// less its margin, for positive and negative thresholds alike.
import { describe, expect, it } from 'vitest';
import type { Measure } from '../../../src/alerts/conditions.js';
import { rearmBelow, step } from '../../../src/alerts/hysteresis.js';

const at = (score: number, threshold: number): Measure => ({ score, threshold, value: score });

describe('step', () => {
  it('an armed rule fires at the threshold and above, and does nothing below it', () => {
    expect(step(true, at(100, 100), 2)).toBe('fire');
    expect(step(true, at(150, 100), 2)).toBe('fire');
    expect(step(true, at(99.999, 100), 2)).toBe('none');
    expect(step(true, at(0, 100), 2)).toBe('none');
  });

  it('a disarmed rule never fires: true again and again, it stays disarmed', () => {
    expect(step(false, at(100, 100), 2)).toBe('none');
    expect(step(false, at(1_000_000, 100), 2)).toBe('none');
    expect(step(false, at(99, 100), 2)).toBe('none');
  });

  it('a disarmed rule re-arms strictly below threshold - margin% of it', () => {
    expect(step(false, at(98, 100), 2)).toBe('none');
    expect(step(false, at(97.999, 100), 2)).toBe('rearm');
    expect(step(false, at(94.9, 100), 5)).toBe('rearm');
    expect(step(false, at(95, 100), 5)).toBe('none');
  });

  it('a margin of 0 re-arms as soon as the condition is false', () => {
    expect(step(false, at(100, 100), 0)).toBe('none');
    expect(step(false, at(99.999, 100), 0)).toBe('rearm');
  });

  it("the margin is a share of the threshold's size when the threshold is negative (price_below)", () => {
    // price_below 10.00: threshold -1000; margin 2 % re-arms once the price is above 10.20.
    expect(rearmBelow(at(0, -1000), 2)).toBe(-1020);
    expect(step(false, at(-1020, -1000), 2)).toBe('none');
    expect(step(false, at(-1021, -1000), 2)).toBe('rearm');
  });

  it('a threshold of 0 leaves no margin to wait for', () => {
    expect(rearmBelow(at(0, 0), 10)).toBe(0);
    expect(step(false, at(-1, 0), 10)).toBe('rearm');
  });
});
