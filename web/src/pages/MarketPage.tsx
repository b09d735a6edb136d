// The home page: the whole market as a table, filtered and sorted by the
// server (GET /market), a page of 50 at a time, the rows on screen kept
// current by the live feed. Each row has a star to watch its item; signed
// in, "Watchlist only" narrows the table to the watched items, filtered by
// the server too (`watchlist=true`), so sorting and paging still hold.
import { type FormEvent, useEffect, useId, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { MarketEntry } from '../../../src/shared/api-types.js';
import { EXTERIORS, ITEM_CATEGORIES, RARITIES } from '../../../src/shared/catalog-vocabulary.js';
import type { MarketProvider, OverviewSort } from '../../../src/shared/market-vocabulary.js';
import { newerPrice, useFollow, useLivePrice } from '../api/live.js';
import { type MarketFilters, useMarket, useSignedIn } from '../api/queries.js';
import { useDebounced, useNow } from '../clock.js';
import { Change, ItemThumb, PriceTag, SimulatedBadge } from '../components/bits.js';
import { Sparkline } from '../components/Sparkline.js';
import { useVisibleIds } from '../components/visible.js';
import { WatchStar } from '../components/WatchStar.js';
import { categoryName, compact } from '../format.js';

const SEARCH_SETTLE_MS = 250;

type SortOrder = 'asc' | 'desc';

/** Reads a boolean filter from the address: absent means "either". */
function flag(params: URLSearchParams, name: string): boolean | undefined {
  const value = params.get(name);
  return value === 'true' ? true : value === 'false' ? false : undefined;
}

function cents(params: URLSearchParams, name: string): number | undefined {
  const value = Number(params.get(name));
  return params.get(name) && Number.isFinite(value) && value >= 0
    ? Math.round(value * 100)
    : undefined;
}

/** The most traded items first: what a newcomer wants to see, and every one of them priced. */
const DEFAULT_SORT: OverviewSort = 'volume';

function filtersOf(params: URLSearchParams, q: string, signedIn: boolean): MarketFilters {
  const sort = (params.get('sort') ?? DEFAULT_SORT) as OverviewSort;
  const order = params.get('order');
  return {
    ...(q ? { q } : {}),
    ...(params.get('category') ? { category: params.get('category') as string } : {}),
    ...(params.get('rarity') ? { rarity: params.get('rarity') as string } : {}),
    ...(params.get('exterior') ? { exterior: params.get('exterior') as string } : {}),
    ...(flag(params, 'stattrak') !== undefined ? { stattrak: flag(params, 'stattrak') } : {}),
    ...(flag(params, 'souvenir') !== undefined ? { souvenir: flag(params, 'souvenir') } : {}),
    ...(flag(params, 'priced') ? { priced: true } : {}),
    // Signed out, there is no watchlist to narrow to: the whole market rather than a 401.
    ...(signedIn && flag(params, 'watchlist') ? { watchlist: true } : {}),
    ...(cents(params, 'min') !== undefined ? { min_price_cents: cents(params, 'min') } : {}),
    ...(cents(params, 'max') !== undefined ? { max_price_cents: cents(params, 'max') } : {}),
    sort,
    ...(order === 'asc' || order === 'desc' ? { order } : {}),
  };
}

interface Column {
  readonly sort: OverviewSort;
  readonly label: string;
  readonly className: string;
}

const COLUMNS: readonly Column[] = [
  { sort: 'price', label: 'Price', className: 'col-price' },
  { sort: 'change_24h', label: '24h', className: 'col-change' },
  { sort: 'change_7d', label: '7d', className: 'col-change col-wide' },
  { sort: 'volume', label: 'Volume', className: 'col-volume col-wide' },
];

function SortHeader({
  column,
  sort,
  order,
  onSort,
}: {
  column: Pick<Column, 'sort' | 'label' | 'className'>;
  sort: OverviewSort;
  order: SortOrder;
  onSort: (sort: OverviewSort) => void;
}) {
  const active = column.sort === sort;
  return (
    <th
      scope="col"
      className={column.className}
      aria-sort={active ? (order === 'asc' ? 'ascending' : 'descending') : 'none'}
    >
      <button type="button" className="sort-button" onClick={() => onSort(column.sort)}>
        {column.label}
        <span className="sort-mark" aria-hidden="true">
          {active ? (order === 'asc' ? '↑' : '↓') : '↕'}
        </span>
      </button>
    </th>
  );
}

/** A 24 h change moved along with a live price: the same base, the new price. */
function changeSince(
  change: number | null,
  answered: number | undefined,
  now: number,
): number | null {
  if (change === null || answered === undefined || answered === 0) return change;
  const base = answered / (1 + change / 100);
  return base === 0 ? change : ((now - base) / base) * 100;
}

function MarketRow({
  entry,
  source,
  currency,
  now,
  observe,
}: {
  entry: MarketEntry;
  source: MarketProvider;
  currency: string;
  now: number;
  observe: (element: HTMLElement | null) => void;
}) {
  const { item } = entry;
  const live = useLivePrice(item.id, source);
  const price = newerPrice(entry.price, live);
  const stale = price?.stale ?? false;
  const answered = entry.price?.price_cents;
  const change24 = price?.live
    ? changeSince(entry.change_24h, answered, price.price_cents)
    : entry.change_24h;
  const change7 = price?.live
    ? changeSince(entry.change_7d, answered, price.price_cents)
    : entry.change_7d;
  const tick =
    price?.live && answered !== undefined
      ? price.price_cents > answered
        ? ' tick-up'
        : price.price_cents < answered
          ? ' tick-down'
          : ''
      : '';
  return (
    <tr ref={observe} data-item-id={item.id} className={stale ? 'row-stale' : undefined}>
      <td className="col-watch">
        <WatchStar item={item} />
      </td>
      <th scope="row" className="col-item">
        <Link to={`/items/${item.id}`} className="item-link">
          <ItemThumb item={item} />
          <span className="item-text">
            <span className="item-name">{item.market_hash_name}</span>
            <span className="item-meta">
              {categoryName(item.category)}
              {item.rarity ? ` · ${item.rarity}` : ''}
            </span>
          </span>
        </Link>
      </th>
      <td className={`col-price${tick}`} key={price?.observed_at}>
        {price ? (
          <PriceTag
            cents={price.price_cents}
            observedAt={price.observed_at}
            stale={stale}
            source={source}
            now={now}
            currency={currency}
            live={price.live}
          />
        ) : (
          <span className="no-price">No price yet</span>
        )}
      </td>
      <td className="col-change">
        <Change value={change24} />
      </td>
      <td className="col-change col-wide">
        <Change value={change7} />
      </td>
      <td className="col-volume col-wide">{compact(entry.volume)}</td>
      <td className="col-spark">
        <Sparkline points={entry.sparkline} label={`${item.market_hash_name}, last 7 days`} />
      </td>
    </tr>
  );
}

function Select({
  label,
  name,
  value,
  options,
  onChange,
}: {
  label: string;
  name: string;
  value: string;
  options: readonly { value: string; label: string }[];
  onChange: (name: string, value: string) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(name, event.target.value)}>
        <option value="">Any</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

const FILTER_PARAMS = [
  'category',
  'rarity',
  'exterior',
  'stattrak',
  'souvenir',
  'min',
  'max',
  'priced',
];

const TRI_STATE = [
  { value: 'true', label: 'Only' },
  { value: 'false', label: 'Without' },
];

export function MarketPage() {
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(params.get('q') ?? '');
  const q = useDebounced(search.trim(), SEARCH_SETTLE_MS);
  const now = useNow();
  const searchId = useId();
  const minId = useId();
  const maxId = useId();
  const pricedId = useId();
  const watchlistId = useId();
  const { data: signedIn } = useSignedIn();

  // The settled search goes into the address, so back and reload keep it.
  useEffect(() => {
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (q) next.set('q', q);
        else next.delete('q');
        return next;
      },
      { replace: true },
    );
  }, [q, setParams]);

  const filters = filtersOf(params, q, signedIn === true);
  const sort = filters.sort ?? DEFAULT_SORT;
  const order: SortOrder = filters.order ?? (sort === 'name' ? 'asc' : 'desc');
  const watchlistOnly = filters.watchlist === true;
  // An address asking for the watchlist waits to know who is asking, rather than load twice.
  const market = useMarket(filters, !(flag(params, 'watchlist') && signedIn === undefined));
  const pages = market.data?.pages ?? [];
  const first = pages[0];
  const entries = pages.flatMap((page) => page.items);
  const { observe, visible } = useVisibleIds();
  useFollow(visible);

  const setFilter = (name: string, value: string) => {
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (value) next.set(name, value);
      else next.delete(name);
      return next;
    });
  };

  const onSort = (column: OverviewSort) => {
    setParams((current) => {
      const next = new URLSearchParams(current);
      const defaultOrder: SortOrder = column === 'name' ? 'asc' : 'desc';
      const nextOrder: SortOrder =
        column === sort ? (order === 'asc' ? 'desc' : 'asc') : defaultOrder;
      next.set('sort', column);
      next.set('order', nextOrder);
      return next;
    });
  };

  const onSubmit = (event: FormEvent) => event.preventDefault();
  const activeFilters = FILTER_PARAMS.filter((name) => params.has(name)).length;
  const filtered = activeFilters > 0;

  return (
    <>
      <div className="page-title">
        <div>
          <h1>CS2 market</h1>
          <p className="lede">
            Every item, its latest price and how it moved.
            {first ? (
              <>
                {' '}
                Prices from the {first.simulated ? 'demo market' : first.source}, in{' '}
                {first.currency}.
              </>
            ) : null}
          </p>
        </div>
        {first?.simulated ? (
          <p className="simulated-note">
            <SimulatedBadge /> These prices are simulated; they are not a real market.
          </p>
        ) : null}
      </div>

      <form className="filters" aria-label="Market filters" onSubmit={onSubmit}>
        <div className="field field-search">
          <label htmlFor={searchId}>Search items</label>
          <input
            id={searchId}
            type="search"
            placeholder="AK-47 Redline, Karambit, sticker…"
            value={search}
            autoComplete="off"
            maxLength={100}
            onChange={(event) => setSearch(event.target.value)}
          />
        </div>
        {signedIn ? (
          <div className="field field-check field-watchlist">
            <input
              id={watchlistId}
              type="checkbox"
              checked={watchlistOnly}
              onChange={(event) => setFilter('watchlist', event.target.checked ? 'true' : '')}
            />
            <label htmlFor={watchlistId}>Watchlist only</label>
          </div>
        ) : null}
        <details className="more-filters" open={filtered || undefined}>
          <summary>Filters{activeFilters > 0 ? ` (${activeFilters})` : ''}</summary>
          <div className="more-filters-body">
            <Select
              label="Category"
              name="category"
              value={params.get('category') ?? ''}
              options={ITEM_CATEGORIES.map((value) => ({ value, label: categoryName(value) }))}
              onChange={setFilter}
            />
            <Select
              label="Rarity"
              name="rarity"
              value={params.get('rarity') ?? ''}
              options={RARITIES.map((value) => ({ value, label: value }))}
              onChange={setFilter}
            />
            <Select
              label="Exterior"
              name="exterior"
              value={params.get('exterior') ?? ''}
              options={EXTERIORS.map(({ name }) => ({ value: name, label: name }))}
              onChange={setFilter}
            />
            <Select
              label="StatTrak™"
              name="stattrak"
              value={params.get('stattrak') ?? ''}
              options={TRI_STATE}
              onChange={setFilter}
            />
            <Select
              label="Souvenir"
              name="souvenir"
              value={params.get('souvenir') ?? ''}
              options={TRI_STATE}
              onChange={setFilter}
            />
            <div className="field field-price">
              <label htmlFor={minId}>Min price</label>
              <input
                id={minId}
                type="number"
                inputMode="decimal"
                min="0"
                step="0.01"
                value={params.get('min') ?? ''}
                onChange={(event) => setFilter('min', event.target.value)}
              />
            </div>
            <div className="field field-price">
              <label htmlFor={maxId}>Max price</label>
              <input
                id={maxId}
                type="number"
                inputMode="decimal"
                min="0"
                step="0.01"
                value={params.get('max') ?? ''}
                onChange={(event) => setFilter('max', event.target.value)}
              />
            </div>
            <div className="field field-check">
              <input
                id={pricedId}
                type="checkbox"
                checked={params.get('priced') === 'true'}
                onChange={(event) => setFilter('priced', event.target.checked ? 'true' : '')}
              />
              <label htmlFor={pricedId}>Priced only</label>
            </div>
            {filtered ? (
              <button
                type="button"
                className="button-quiet"
                onClick={() =>
                  setParams({
                    ...(q ? { q } : {}),
                    ...(watchlistOnly ? { watchlist: 'true' } : {}),
                  })
                }
              >
                Clear filters
              </button>
            ) : null}
          </div>
        </details>
      </form>

      {market.isError ? (
        <p className="error" role="alert">
          The market could not be loaded: {market.error.message}
        </p>
      ) : null}

      <div className="table-wrap">
        <table className="market-table" aria-busy={market.isFetching}>
          <caption className="visually-hidden">
            Items, sorted by {sort.replace('_', ' ')},{' '}
            {order === 'asc' ? 'ascending' : 'descending'}
          </caption>
          <thead>
            <tr>
              <th scope="col" className="col-watch">
                <span className="visually-hidden">Watch</span>
              </th>
              <SortHeader
                column={{ sort: 'name', label: 'Item', className: 'col-item' }}
                sort={sort}
                order={order}
                onSort={onSort}
              />
              {COLUMNS.map((column) => (
                <SortHeader
                  key={column.sort}
                  column={column}
                  sort={sort}
                  order={order}
                  onSort={onSort}
                />
              ))}
              <th scope="col" className="col-spark">
                7 days
              </th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <MarketRow
                key={entry.item.id}
                entry={entry}
                source={first?.source ?? 'demo'}
                currency={first?.currency ?? 'USD'}
                now={now}
                observe={observe}
              />
            ))}
          </tbody>
        </table>
        {market.isPending ? <p className="table-note">Loading the market…</p> : null}
        {!market.isPending && entries.length === 0 && !market.isError ? (
          <p className="table-note">
            {watchlistOnly ? (
              <>
                You watch no item that matches. Star items in the market to watch them, or see{' '}
                <Link to="/watchlist">your watchlist</Link>.
              </>
            ) : (
              'No item matches these filters.'
            )}
          </p>
        ) : null}
      </div>
      <div className="table-footer">
        <span className="table-count" aria-live="polite">
          {entries.length > 0 ? `${entries.length} items shown` : ''}
        </span>
        {market.hasNextPage ? (
          <button
            type="button"
            className="button"
            onClick={() => market.fetchNextPage()}
            disabled={market.isFetchingNextPage}
          >
            {market.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        ) : null}
      </div>
    </>
  );
}
