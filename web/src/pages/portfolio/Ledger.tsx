// The ledger: the buys and sells that give the cost basis (FIFO) and the
// realized P&L. Newest first, a page at a time; add, edit or delete an
// entry; import many from a CSV file (every line checked, nothing stored
// when one is bad, each bad line listed); money typed as decimals and sent
// as exact cents.
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { CsvRefused, Transaction } from '../../../../src/shared/api-types.js';
import { ApiError } from '../../api/client.js';
import {
  type CatalogItem,
  type TransactionPatch,
  useAddTransaction,
  useDeleteTransaction,
  useEditTransaction,
  useImportCsv,
  useTransactions,
} from '../../api/portfolio.js';
import { money } from '../../format.js';
import {
  Field,
  FormMessage,
  ItemCell,
  messageOf,
  onSubmitWith,
  useAction,
  When,
  whenText,
} from './bits.js';
import { ItemPicker } from './ItemPicker.js';
import {
  centsFromDecimal,
  decimalFromCents,
  isoFromLocalInput,
  localInputFromIso,
} from './money-input.js';

type Kind = Transaction['kind'];

const MAX_QUANTITY = 1_000_000;
const MAX_NOTE = 500;
const CSV_COLUMNS = 'date,type,item,quantity,unit_price,fee,currency,note';

interface Draft {
  readonly kind: Kind;
  readonly item: CatalogItem | null;
  readonly quantity: string;
  readonly unitPrice: string;
  readonly fee: string;
  readonly occurredAt: string;
  readonly note: string;
}

function emptyDraft(): Draft {
  return {
    kind: 'buy',
    item: null,
    quantity: '1',
    unitPrice: '',
    fee: '',
    occurredAt: localInputFromIso(new Date().toISOString()),
    note: '',
  };
}

function draftOf(entry: Transaction): Draft {
  return {
    kind: entry.kind,
    item: entry.item,
    quantity: String(entry.quantity),
    unitPrice: decimalFromCents(entry.unit_price_cents),
    fee: entry.fee_cents ? decimalFromCents(entry.fee_cents) : '',
    occurredAt: localInputFromIso(entry.occurred_at),
    note: entry.note,
  };
}

/** The draft as the API's body; an Error whose message the form shows when a field is wrong. */
function bodyOf(draft: Draft) {
  if (!draft.item) throw new Error('Choose an item first.');
  const unitPrice = centsFromDecimal(draft.unitPrice);
  if (unitPrice === null)
    throw new Error('Unit price: a number with at most two decimals, such as 12.34.');
  const fee = draft.fee.trim() === '' ? 0 : centsFromDecimal(draft.fee);
  if (fee === null)
    throw new Error('Fee: a number with at most two decimals, such as 0.50, or empty.');
  const occurredAt = isoFromLocalInput(draft.occurredAt);
  if (!occurredAt) throw new Error('Date and time: choose when it happened.');
  return {
    kind: draft.kind,
    item_id: draft.item.id,
    quantity: Number.parseInt(draft.quantity, 10),
    unit_price_cents: unitPrice,
    fee_cents: fee,
    occurred_at: occurredAt,
    note: draft.note.trim(),
  };
}

function TransactionForm({
  editing,
  currency,
  onSaved,
  onCancel,
}: {
  editing: Transaction | null;
  currency: string;
  onSaved: (message: string) => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState<Draft>(() => (editing ? draftOf(editing) : emptyDraft()));
  const add = useAddTransaction();
  const edit = useEditTransaction();
  const action = useAction();
  const set = <K extends keyof Draft>(name: K, value: Draft[K]) =>
    setDraft((current) => ({ ...current, [name]: value }));
  const setItem = useCallback(
    (item: CatalogItem | null) => setDraft((current) => ({ ...current, item })),
    [],
  );
  const kindId = useId();
  const titleRef = useRef<HTMLHeadingElement>(null);
  // Opened to edit an entry: the form is where the user's attention goes next.
  useEffect(() => {
    if (editing) titleRef.current?.focus();
  }, [editing]);
  const title = editing
    ? `Edit the ${editing.kind} of ${whenText(editing.occurred_at)}`
    : 'Add a transaction';

  return (
    <form
      className="portfolio-form"
      aria-label={title}
      aria-busy={action.busy}
      onSubmit={onSubmitWith(() =>
        action.run(async () => {
          const body = bodyOf(draft);
          const name = draft.item?.market_hash_name ?? '';
          if (editing) {
            const patch: TransactionPatch = body;
            await edit.mutateAsync({ id: editing.id, patch });
            onSaved(`Saved the ${body.kind} of ${name}.`);
          } else {
            await add.mutateAsync(body);
            onSaved(`Added a ${body.kind} of ${body.quantity} × ${name}.`);
          }
          return undefined;
        }),
      )}
    >
      <h3 tabIndex={-1} ref={titleRef}>
        {title}
      </h3>
      <div className="form-fields">
        <div className="account-field">
          <label htmlFor={kindId}>Kind</label>
          <select
            id={kindId}
            value={draft.kind}
            onChange={(event) => set('kind', event.target.value as Kind)}
          >
            <option value="buy">Buy</option>
            <option value="sell">Sell</option>
          </select>
        </div>
        <ItemPicker value={draft.item} onChange={setItem} />
        <Field
          label="Quantity"
          type="number"
          min={1}
          max={MAX_QUANTITY}
          step={1}
          required
          value={draft.quantity}
          onChange={(event) => set('quantity', event.target.value)}
        />
        <Field
          label={`Unit price (${currency})`}
          type="text"
          inputMode="decimal"
          required
          pattern="\d{1,9}([.,]\d{0,2})?"
          title="A number with at most two decimals, such as 12.34"
          placeholder="12.34"
          value={draft.unitPrice}
          onChange={(event) => set('unitPrice', event.target.value)}
        />
        <Field
          label={
            <>
              Fee ({currency}) <span className="optional">(optional)</span>
            </>
          }
          type="text"
          inputMode="decimal"
          pattern="\d{1,9}([.,]\d{0,2})?"
          title="A number with at most two decimals, such as 0.50"
          placeholder="0.00"
          hint="For the whole transaction."
          value={draft.fee}
          onChange={(event) => set('fee', event.target.value)}
        />
        <Field
          label="Date and time"
          type="datetime-local"
          required
          value={draft.occurredAt}
          onChange={(event) => set('occurredAt', event.target.value)}
        />
        <Field
          label={
            <>
              Note <span className="optional">(optional)</span>
            </>
          }
          type="text"
          maxLength={MAX_NOTE}
          value={draft.note}
          onChange={(event) => set('note', event.target.value)}
        />
      </div>
      <div className="form-actions">
        <button type="submit" className="button" disabled={action.busy}>
          {editing ? 'Save changes' : 'Add transaction'}
        </button>
        {editing ? (
          <button type="button" className="button-quiet" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
      <FormMessage outcome={action.outcome} />
    </form>
  );
}

function csvErrorsOf(error: unknown): NonNullable<CsvRefused['errors']> {
  if (!(error instanceof ApiError) || error.status !== 400) return [];
  const errors = (error.body as Partial<CsvRefused> | null)?.errors;
  return Array.isArray(errors) ? errors : [];
}

function CsvImport() {
  const [file, setFile] = useState<File | null>(null);
  const upload = useImportCsv();
  const input = useRef<HTMLInputElement>(null);
  const result = useRef<HTMLDivElement>(null);
  const errors = csvErrorsOf(upload.error);
  return (
    <div className="csv-import">
      <h3>Import from CSV</h3>
      <p className="card-note">
        A header line, then one transaction a line: <code>{CSV_COLUMNS}</code>. <code>type</code> is{' '}
        <code>buy</code> or <code>sell</code>, <code>item</code> the Steam market name, prices in
        decimals (<code>12.34</code>); fee, currency and note may be empty. If any line is wrong,
        nothing is stored and every wrong line is listed.
      </p>
      <form
        className="csv-form"
        aria-label="Import transactions from CSV"
        aria-busy={upload.isPending}
        onSubmit={onSubmitWith(() => {
          if (!file) return;
          upload.mutate(file, {
            onSuccess: () => {
              setFile(null);
              if (input.current) input.current.value = '';
            },
            onSettled: () => result.current?.focus(),
          });
        })}
      >
        <div className="account-field">
          <label htmlFor="ledger-csv">CSV file</label>
          <input
            ref={input}
            id="ledger-csv"
            type="file"
            accept=".csv,text/csv"
            required
            onChange={(event) => setFile(event.target.files?.[0] ?? null)}
          />
        </div>
        <button type="submit" className="button" disabled={upload.isPending || !file}>
          {upload.isPending ? 'Importing…' : 'Import CSV'}
        </button>
      </form>
      <div ref={result} tabIndex={-1} className="csv-result" role="status">
        {upload.isSuccess ? (
          <p className="form-message form-message-success">
            Imported {upload.data.imported}{' '}
            {upload.data.imported === 1 ? 'transaction' : 'transactions'}.
          </p>
        ) : null}
        {upload.isError ? (
          <>
            <p className="form-message form-message-error">
              <span className="visually-hidden">Error: </span>
              {messageOf(upload.error)}
              {errors.length > 0 ? ' Fix these lines and import the file again:' : ''}
            </p>
            {errors.length > 0 ? (
              <ul className="csv-errors">
                {errors.map((line) => (
                  <li key={`${line.line}:${line.column ?? ''}:${line.message}`}>
                    Line {line.line}
                    {line.column ? `, ${line.column}` : ''}: {line.message}
                  </li>
                ))}
              </ul>
            ) : null}
          </>
        ) : null}
      </div>
    </div>
  );
}

export function Ledger({ currency }: { currency: string }) {
  const transactions = useTransactions(true);
  const remove = useDeleteTransaction();
  const [editing, setEditing] = useState<Transaction | null>(null);
  /** Counts saves: a new key gives the next entry an empty form, its search included. */
  const [saved, setSaved] = useState(0);
  const listAction = useAction();
  const heading = useRef<HTMLHeadingElement>(null);
  const entries = transactions.data?.pages.flatMap((page) => page.transactions) ?? [];

  const said = (text: string) => {
    listAction.setOutcome({ text, kind: 'success' });
    heading.current?.focus();
  };

  return (
    <section className="card" aria-labelledby="ledger-heading">
      <h2 id="ledger-heading" tabIndex={-1} ref={heading}>
        Ledger
      </h2>
      <p className="card-note">
        Your buys and sells. Cost basis is FIFO (first in, first out): each sell uses up the oldest
        buys of that item first, and what it made over them is its realized P&amp;L.
      </p>
      {entries.length === 0 ? (
        <p className="table-note">
          {transactions.isPending
            ? 'Loading the ledger…'
            : transactions.isError
              ? `The ledger could not be loaded: ${messageOf(transactions.error)}`
              : 'No transactions yet. Add one below, or import a CSV file.'}
        </p>
      ) : (
        <div className="table-wrap">
          <table className="market-table ledger-table" aria-busy={transactions.isFetching}>
            <caption className="visually-hidden">Transactions, newest first</caption>
            <thead>
              <tr>
                <th scope="col" className="col-item">
                  Item
                </th>
                <th scope="col">Date</th>
                <th scope="col">Kind</th>
                <th scope="col">Quantity</th>
                <th scope="col">Unit price</th>
                <th scope="col" className="col-wide">
                  Fee
                </th>
                <th scope="col" className="col-wide">
                  Note
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => {
                const name = entry.item?.market_hash_name ?? entry.market_hash_name;
                const what = `${entry.kind} of ${name}, ${whenText(entry.occurred_at)}`;
                return (
                  <tr key={entry.id}>
                    <th scope="row" className="col-item">
                      {entry.item ? <ItemCell item={entry.item} /> : name}
                    </th>
                    <td>
                      <When iso={entry.occurred_at} />
                    </td>
                    <td>
                      <span className={`kind kind-${entry.kind}`}>
                        {entry.kind === 'buy' ? 'Buy' : 'Sell'}
                      </span>
                    </td>
                    <td>{entry.quantity}</td>
                    <td>{money(entry.unit_price_cents, entry.currency)}</td>
                    <td className="col-wide">{money(entry.fee_cents, entry.currency)}</td>
                    <td className="col-wide note-cell">{entry.note}</td>
                    <td className="row-actions">
                      <button
                        type="button"
                        className="button-quiet"
                        onClick={() => setEditing(entry)}
                      >
                        Edit <span className="visually-hidden">the {what}</span>
                      </button>
                      <button
                        type="button"
                        className="button-quiet"
                        disabled={listAction.busy}
                        onClick={() =>
                          listAction.run(async () => {
                            await remove.mutateAsync(entry.id);
                            if (editing?.id === entry.id) setEditing(null);
                            heading.current?.focus();
                            return `Deleted the ${what}.`;
                          })
                        }
                      >
                        Delete <span className="visually-hidden">the {what}</span>
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {transactions.hasNextPage ? (
        <div className="table-footer">
          <button
            type="button"
            className="button-quiet"
            disabled={transactions.isFetchingNextPage}
            onClick={() => transactions.fetchNextPage()}
          >
            {transactions.isFetchingNextPage ? 'Loading…' : 'Load older transactions'}
          </button>
        </div>
      ) : null}
      <FormMessage outcome={listAction.outcome} />

      <TransactionForm
        key={editing ? `edit-${editing.id}` : `new-${saved}`}
        editing={editing}
        currency={currency}
        onSaved={(message) => {
          setEditing(null);
          setSaved((count) => count + 1);
          said(message);
        }}
        onCancel={() => setEditing(null)}
      />
      <CsvImport />
    </section>
  );
}
