// Choosing a catalog item for a form: type part of its name, then pick it
// from the matches (GET /items?q=). A native select, so keyboards and
// screen readers need nothing special; the first match is chosen for you
// when nothing is yet.
import { useEffect, useId, useState } from 'react';
import { type CatalogItem, useItemSearch } from '../../api/portfolio.js';
import { useDebounced } from '../../clock.js';

const SEARCH_SETTLE_MS = 250;

export function ItemPicker({
  value,
  onChange,
}: {
  value: CatalogItem | null;
  onChange: (item: CatalogItem | null) => void;
}) {
  const searchId = useId();
  const selectId = useId();
  const hintId = useId();
  const [q, setQ] = useState('');
  const settled = useDebounced(q.trim(), SEARCH_SETTLE_MS);
  const search = useItemSearch(settled);
  const found = settled.length >= 2 ? (search.data?.items ?? []) : [];
  const options = value && !found.some((item) => item.id === value.id) ? [value, ...found] : found;
  const first = found[0];

  useEffect(() => {
    if (!value && first) onChange(first);
  }, [value, first, onChange]);

  const placeholder =
    settled.length < 2
      ? 'Search first'
      : search.isFetching
        ? 'Searching…'
        : found.length === 0
          ? 'No item matches'
          : 'Choose an item';

  return (
    <>
      <div className="account-field">
        <label htmlFor={searchId}>Find an item</label>
        <input
          id={searchId}
          type="search"
          autoComplete="off"
          aria-describedby={hintId}
          value={q}
          onChange={(event) => setQ(event.target.value)}
        />
        <p className="hint" id={hintId}>
          Two letters or more of its name, such as “redline ft”.
        </p>
      </div>
      <div className="account-field">
        <label htmlFor={selectId}>Item</label>
        <select
          id={selectId}
          required
          value={value ? String(value.id) : ''}
          onChange={(event) =>
            onChange(options.find((item) => String(item.id) === event.target.value) ?? null)
          }
        >
          <option value="">{placeholder}</option>
          {options.map((item) => (
            <option key={item.id} value={item.id}>
              {item.market_hash_name}
            </option>
          ))}
        </select>
      </div>
    </>
  );
}
