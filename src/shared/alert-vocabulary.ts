// The words of alert rules, shared by the server (which validates and
// evaluates them) and the web app (whose forms offer them).

export const ALERT_KINDS = [
  'price_above',
  'price_below',
  'change',
  'bollinger',
  'volume_spike',
  'stale',
  'portfolio_change',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const CHANGE_WINDOWS = ['1h', '24h', '7d'] as const;
export type ChangeWindow = (typeof CHANGE_WINDOWS)[number];

export const DIRECTIONS = ['up', 'down', 'either'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const ALERT_CHANNELS = ['app', 'email', 'webhook'] as const;
export type AlertChannel = (typeof ALERT_CHANNELS)[number];

/** Each kind's own settings; `kind` repeats the rule's kind so the pair cannot disagree. */
export type AlertParams =
  | { readonly kind: 'price_above'; readonly level_cents: number }
  | { readonly kind: 'price_below'; readonly level_cents: number }
  | {
      readonly kind: 'change';
      readonly window: ChangeWindow;
      readonly threshold_percent: number;
      readonly direction: Direction;
    }
  | { readonly kind: 'bollinger' }
  | { readonly kind: 'volume_spike'; readonly multiplier: number }
  | { readonly kind: 'stale'; readonly max_age_seconds: number }
  | {
      readonly kind: 'portfolio_change';
      /** The portfolio keeps one value a day, so its windows are a day or a week. */
      readonly window: Exclude<ChangeWindow, '1h'>;
      readonly threshold_percent: number;
      readonly direction: Direction;
    };

/** A rule's source: a provider, or the first configured one with a price. */
export const PREFERRED_SOURCE = 'preferred';

/** Re-armed once the condition is false by this share of its threshold, unless the rule says. */
export const DEFAULT_MARGIN_PERCENT = 2;
