// Durations in milliseconds, the unit of every `*_MS` constant and setting in
// Tracera: one definition, so a duration reads as `10 * MINUTE_MS` anywhere.
export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
