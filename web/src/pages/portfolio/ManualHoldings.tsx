// Holdings added by hand: items held elsewhere than the Steam inventory, or
// a portfolio without Steam at all. Add one (find the item, a quantity, a
// note), change its quantity or note, or remove it. After each action the
// focus goes to where the result is said.
import { useEffect, useRef, useState } from 'react';
import type { Portfolio } from '../../../../src/shared/api-types.js';
import {
  type CatalogItem,
  useAddHolding,
  useDeleteHolding,
  useEditHolding,
} from '../../api/portfolio.js';
import { Field, FormMessage, ItemCell, onSubmitWith, useAction, When } from './bits.js';
import { ItemPicker } from './ItemPicker.js';

type ManualHolding = Portfolio['manual_holdings'][number];

const MAX_QUANTITY = 1_000_000;
const MAX_NOTE = 500;

function EditHolding({
  holding,
  onDone,
}: {
  holding: ManualHolding;
  onDone: (message: string | null) => void;
}) {
  const [quantity, setQuantity] = useState(String(holding.quantity));
  const [note, setNote] = useState(holding.note);
  const edit = useEditHolding();
  const action = useAction();
  const first = useRef<HTMLDivElement>(null);
  useEffect(() => first.current?.querySelector('input')?.focus(), []);
  return (
    <form
      className="portfolio-form inline-form"
      aria-label={`Edit ${holding.item.market_hash_name}`}
      aria-busy={action.busy}
      onSubmit={onSubmitWith(() =>
        action.run(async () => {
          await edit.mutateAsync({
            id: holding.id,
            patch: { quantity: Number.parseInt(quantity, 10), note: note.trim() },
          });
          onDone(`Saved ${holding.item.market_hash_name}.`);
          return undefined;
        }),
      )}
    >
      <div ref={first} className="form-fields">
        <Field
          label="Quantity"
          type="number"
          min={1}
          max={MAX_QUANTITY}
          step={1}
          required
          value={quantity}
          onChange={(event) => setQuantity(event.target.value)}
        />
        <Field
          label="Note"
          type="text"
          maxLength={MAX_NOTE}
          value={note}
          onChange={(event) => setNote(event.target.value)}
        />
      </div>
      <div className="form-actions">
        <button type="submit" className="button" disabled={action.busy}>
          Save
        </button>
        <button type="button" className="button-quiet" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
      <FormMessage outcome={action.outcome} />
    </form>
  );
}

export function ManualHoldings({ portfolio }: { portfolio: Portfolio }) {
  const [item, setItem] = useState<CatalogItem | null>(null);
  const [quantity, setQuantity] = useState('1');
  const [note, setNote] = useState('');
  const [editing, setEditing] = useState<number | null>(null);
  /** Counts additions: a new key empties the item search for the next one. */
  const [added, setAdded] = useState(0);
  const add = useAddHolding();
  const remove = useDeleteHolding();
  const adding = useAction();
  const listAction = useAction();
  const heading = useRef<HTMLHeadingElement>(null);
  const holdings = portfolio.manual_holdings;

  const said = (text: string) => {
    listAction.setOutcome({ text, kind: 'success' });
    heading.current?.focus();
  };

  return (
    <section className="card" aria-labelledby="manual-heading">
      <h2 id="manual-heading" tabIndex={-1} ref={heading}>
        Added by hand
      </h2>
      <p className="card-note">
        Items you hold elsewhere. They are valued like the rest and kept when you import from Steam.
      </p>
      {holdings.length === 0 ? (
        <p className="table-note">None yet.</p>
      ) : (
        <ul className="manual-holdings" aria-labelledby="manual-heading">
          {holdings.map((holding) => (
            <li key={holding.id} className="manual-holding">
              <div className="manual-holding-head">
                <ItemCell item={holding.item} />
                <span className="manual-holding-quantity">× {holding.quantity}</span>
                <span className="muted manual-holding-note">{holding.note}</span>
                <span className="muted">
                  added <When iso={holding.added_at} />
                </span>
                <span className="row-actions">
                  <button
                    type="button"
                    className="button-quiet"
                    aria-expanded={editing === holding.id}
                    onClick={() => setEditing(editing === holding.id ? null : holding.id)}
                  >
                    Edit <span className="visually-hidden">{holding.item.market_hash_name}</span>
                  </button>
                  <button
                    type="button"
                    className="button-quiet"
                    disabled={listAction.busy}
                    onClick={() =>
                      listAction.run(async () => {
                        await remove.mutateAsync(holding.id);
                        heading.current?.focus();
                        return `Removed ${holding.item.market_hash_name}.`;
                      })
                    }
                  >
                    Remove <span className="visually-hidden">{holding.item.market_hash_name}</span>
                  </button>
                </span>
              </div>
              {editing === holding.id ? (
                <EditHolding
                  holding={holding}
                  onDone={(message) => {
                    setEditing(null);
                    if (message) said(message);
                  }}
                />
              ) : null}
            </li>
          ))}
        </ul>
      )}
      <FormMessage outcome={listAction.outcome} />

      <h3>Add a holding</h3>
      <form
        className="portfolio-form"
        aria-label="Add a holding"
        aria-busy={adding.busy}
        onSubmit={onSubmitWith(() =>
          adding.run(async () => {
            if (!item) throw new Error('Choose an item first.');
            await add.mutateAsync({
              item_id: item.id,
              quantity: Number.parseInt(quantity, 10),
              ...(note.trim() ? { note: note.trim() } : {}),
            });
            setNote('');
            setQuantity('1');
            setItem(null);
            setAdded((count) => count + 1);
            return `Added ${quantity} × ${item.market_hash_name}.`;
          }),
        )}
      >
        <div className="form-fields">
          <ItemPicker key={added} value={item} onChange={setItem} />
          <Field
            label="Quantity"
            type="number"
            min={1}
            max={MAX_QUANTITY}
            step={1}
            required
            value={quantity}
            onChange={(event) => setQuantity(event.target.value)}
          />
          <Field
            label={
              <>
                Note <span className="optional">(optional)</span>
              </>
            }
            type="text"
            maxLength={MAX_NOTE}
            value={note}
            onChange={(event) => setNote(event.target.value)}
          />
        </div>
        <button type="submit" className="button" disabled={adding.busy}>
          Add holding
        </button>
        <FormMessage outcome={adding.outcome} />
      </form>
    </section>
  );
}
