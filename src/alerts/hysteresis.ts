// When a rule fires and when it may fire again. A rule fires when its
// condition becomes true while it is armed, and is then disarmed; it is
// armed again only once the condition has been false by its margin, a
// share of the threshold. So a price hovering at a level fires once, not at
// every tick that crosses it, and fires again only after it has clearly left.
import type { Measure } from './conditions.js';

export type Step = 'fire' | 'rearm' | 'none';

/** The score below which a disarmed rule is armed again. */
export function rearmBelow(measure: Measure, marginPercent: number): number {
  return measure.threshold - (Math.abs(measure.threshold) * marginPercent) / 100;
}

export function step(armed: boolean, measure: Measure, marginPercent: number): Step {
  if (armed) return measure.score >= measure.threshold ? 'fire' : 'none';
  return measure.score < rearmBelow(measure, marginPercent) ? 'rearm' : 'none';
}
