// What providers take from the outside world besides the network: time, so
// tests move it by hand instead of sleeping through Steam's request spacing,
// and a log for prices a source sent but we could not read.
import type { Clock } from '../../platform/clock.js';

/** The part of the app's pino logger providers use. */
export interface ProviderLog {
  warn(details: Record<string, unknown>, message: string): void;
}

export interface ProviderDeps {
  readonly clock?: Clock;
  readonly log?: ProviderLog;
}
