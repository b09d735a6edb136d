// Small pieces every page uses: a change in its colour, the simulated badge,
// a price with its source and age, an item's thumbnail.
import type { MarketEntry } from '../../../src/shared/api-types.js';
import { age, direction, money, percent, sourceName } from '../format.js';

export function Change({ value, label }: { value: number | null | undefined; label?: string }) {
  const way = direction(value);
  return (
    <span className={`change change-${way}`}>
      {label ? <span className="visually-hidden">{label} </span> : null}
      {way === 'up' ? '▲ ' : way === 'down' ? '▼ ' : ''}
      {percent(value)}
    </span>
  );
}

export function SimulatedBadge() {
  return (
    <span
      className="badge badge-simulated"
      title="Prices from Tracera's demo market, not a real one"
    >
      Simulated
    </span>
  );
}

/** A price, where it came from and how old it is; a stale price is greyed and says so. */
export function PriceTag({
  cents,
  observedAt,
  stale,
  source,
  now,
  currency,
  live = false,
}: {
  cents: number;
  observedAt: string;
  stale: boolean;
  source: string;
  now: number;
  currency: string;
  live?: boolean;
}) {
  return (
    <span className={`price-tag${stale ? ' is-stale' : ''}${live ? ' is-live' : ''}`}>
      <span className="price">{money(cents, currency)}</span>
      <span className="freshness">
        <span className="freshness-source">{sourceName(source)} · </span>
        <time dateTime={observedAt}>{age(observedAt, now)}</time>
        {stale ? <span className="stale-flag"> · stale</span> : null}
      </span>
    </span>
  );
}

const RARITY_CLASSES: Readonly<Record<string, string>> = {
  'Consumer Grade': 'r-common',
  'Base Grade': 'r-common',
  'Industrial Grade': 'r-uncommon',
  'Mil-Spec Grade': 'r-rare',
  'High Grade': 'r-rare',
  Distinguished: 'r-rare',
  Restricted: 'r-mythical',
  Remarkable: 'r-mythical',
  Exceptional: 'r-mythical',
  Classified: 'r-legendary',
  Exotic: 'r-legendary',
  Superior: 'r-legendary',
  Covert: 'r-ancient',
  Extraordinary: 'r-ancient',
  Master: 'r-ancient',
  Contraband: 'r-contraband',
};

export function rarityClass(rarity: string | null): string {
  return (rarity && RARITY_CLASSES[rarity]) || 'r-none';
}

/**
 * The item's picture when the server has one of its own; the catalog's
 * images live on another origin, which S24's policy (img-src falls back to
 * 'self') does not load, so those show a monogram in the rarity's colour.
 */
export function ItemThumb({
  item,
  size = 'small',
}: {
  item: MarketEntry['item'];
  size?: 'small' | 'large';
}) {
  const local = item.image_url?.startsWith('/') && !item.image_url.startsWith('//');
  const name = item.weapon_type ?? item.market_hash_name;
  const letters = name
    .replace(/[^\p{L}\p{N} ]/gu, '')
    .split(' ')
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => word.charAt(0).toUpperCase())
    .join('');
  return (
    <span className={`thumb thumb-${size} ${rarityClass(item.rarity)}`} aria-hidden="true">
      {local ? <img src={item.image_url ?? ''} alt="" loading="lazy" /> : letters}
    </span>
  );
}
