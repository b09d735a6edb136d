// What the portfolio's parts share: money with a sign and a direction
// (never colour alone), a time, an item's name as a link, and the form kit
// of the account pages.
import { Link } from 'react-router';
import type { CatalogItem } from '../../api/portfolio.js';
import { ItemThumb } from '../../components/bits.js';
import { direction, money } from '../../format.js';

export { Field, FormMessage, messageOf, onSubmitWith, useAction } from '../account/kit.js';

/** "+$1.23" or "−$1.23", with ▲ or ▼ and its colour; an en dash when unknown. */
export function SignedMoney({
  cents,
  currency,
  label,
}: {
  cents: number | null | undefined;
  currency: string;
  label?: string;
}) {
  if (cents === null || cents === undefined) return <span className="change change-flat">–</span>;
  const way = direction(cents);
  const sign = cents > 0 ? '+' : cents < 0 ? '−' : '';
  return (
    <span className={`change change-${way}`}>
      {label ? <span className="visually-hidden">{label} </span> : null}
      {way === 'up' ? '▲ ' : way === 'down' ? '▼ ' : ''}
      {sign}
      {money(Math.abs(cents), currency)}
    </span>
  );
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function When({ iso }: { iso: string }) {
  return <time dateTime={iso}>{dateFormat.format(new Date(iso))}</time>;
}

export function whenText(iso: string): string {
  return dateFormat.format(new Date(iso));
}

/** The item's name, linking to its page. */
export function ItemCell({ item }: { item: CatalogItem }) {
  return (
    <Link to={`/items/${item.id}`} className="item-link">
      <ItemThumb item={item} />
      <span className="item-text">
        <span className="item-name">{item.market_hash_name}</span>
      </span>
    </Link>
  );
}
