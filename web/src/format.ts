// How numbers read on screen: prices in the market's currency from cents,
// changes as signed percents, volumes and ages short.

export function money(cents: number, currency = 'USD'): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(cents / 100);
}

/** A signed percent with two decimals ("+1.25%"), or an en dash when unknown. */
export function percent(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const sign = value > 0 ? '+' : value < 0 ? '−' : '';
  return `${sign}${Math.abs(value).toFixed(digits)}%`;
}

/** Which way a change went, for its colour. */
export function direction(value: number | null | undefined): 'up' | 'down' | 'flat' {
  if (value === null || value === undefined || !Number.isFinite(value) || value === 0)
    return 'flat';
  return value > 0 ? 'up' : 'down';
}

export function compact(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(
    value,
  );
}

/** "just now", "45s ago", "12m ago", "3h ago", "2d ago". */
export function age(observedAt: string, now: number): string {
  const seconds = Math.max(0, Math.floor((now - Date.parse(observedAt)) / 1000));
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

export function dateTime(iso: string): string {
  return new Date(iso).toLocaleString('en-US', {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

const SOURCE_NAMES: Readonly<Record<string, string>> = {
  demo: 'Demo market',
  steam: 'Steam',
  skinport: 'Skinport',
};

export function sourceName(source: string): string {
  return SOURCE_NAMES[source] ?? source;
}

export function categoryName(category: string): string {
  const words = category.replace('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
