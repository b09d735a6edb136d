// The ledger's rows: the buys and sells a user records by hand or imports
// from CSV. Only this module writes them, and no inventory import touches
// them. Pages go newest first by (occurred_at, id), with a cursor that names
// the last row shown, so a row added meanwhile never shifts a page.
import { ITEM_COLUMNS, type Item } from '../market/catalog/items.js';
import { inBatches } from '../platform/batches.js';
import type { Database } from '../platform/db/index.js';
import {
  decodeTimeIdCursor,
  encodeTimeIdCursor,
  type TimeIdPosition,
} from '../platform/time-id-cursor.js';
import { portfolioDb, type TransactionKind } from './tables.js';

const INSERT_BATCH = 1000;

export interface LedgerInput {
  readonly kind: TransactionKind;
  readonly item: Pick<Item, 'id' | 'market_hash_name'>;
  readonly quantity: number;
  readonly unitPriceCents: number;
  readonly feeCents: number;
  readonly currency: string;
  readonly occurredAt: Date;
  readonly note: string;
}

export interface LedgerRow {
  readonly id: number;
  readonly kind: TransactionKind;
  readonly itemId: number | null;
  readonly item: Item | null;
  readonly marketHashName: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
  readonly feeCents: number;
  readonly currency: string;
  readonly occurredAt: Date;
  readonly note: string;
}

export interface LedgerPage {
  readonly rows: LedgerRow[];
  readonly nextCursor: string | null;
}

/** The cursor could not be read back into a position. */
export class InvalidLedgerCursorError extends Error {
  override name = 'InvalidLedgerCursorError';
}

function decodeLedgerCursor(cursor: string): TimeIdPosition {
  const position = decodeTimeIdCursor(cursor);
  if (!position) throw new InvalidLedgerCursorError();
  return position;
}

function selectRows(database: Database, userId: number) {
  return portfolioDb(database)
    .selectFrom('portfolio_transactions as t')
    .leftJoin('items', 'items.id', 't.item_id')
    .select(ITEM_COLUMNS.map((column) => `items.${column}` as const))
    .select([
      't.id as transaction_id',
      't.kind',
      't.item_id',
      't.market_hash_name as recorded_name',
      't.quantity',
      't.unit_price_cents',
      't.fee_cents',
      't.currency',
      't.occurred_at',
      't.note',
    ])
    .where('t.user_id', '=', userId);
}

type SelectedRow = Awaited<ReturnType<ReturnType<typeof selectRows>['execute']>>[number];

function toLedgerRow(row: SelectedRow): LedgerRow {
  const item: Item | null =
    row.id === null
      ? null
      : {
          id: row.id,
          market_hash_name: row.market_hash_name as string,
          category: row.category as string,
          weapon_type: row.weapon_type,
          skin_name: row.skin_name,
          exterior: row.exterior,
          stattrak: row.stattrak as boolean,
          souvenir: row.souvenir as boolean,
          rarity: row.rarity,
          image_url: row.image_url,
        };
  return {
    id: row.transaction_id,
    kind: row.kind,
    itemId: row.item_id,
    item,
    marketHashName: row.recorded_name,
    quantity: row.quantity,
    unitPriceCents: row.unit_price_cents,
    feeCents: row.fee_cents,
    currency: row.currency,
    occurredAt: row.occurred_at,
    note: row.note,
  };
}

/** A page of the user's ledger, newest first. */
export async function ledgerPage(
  database: Database,
  userId: number,
  limit: number,
  cursor: string | undefined,
): Promise<LedgerPage> {
  let query = selectRows(database, userId);
  if (cursor !== undefined) {
    const after = decodeLedgerCursor(cursor);
    query = query.where((eb) =>
      eb.or([
        eb('t.occurred_at', '<', after.at),
        eb.and([eb('t.occurred_at', '=', after.at), eb('t.id', '<', after.id)]),
      ]),
    );
  }
  const rows = await query
    .orderBy('t.occurred_at', 'desc')
    .orderBy('t.id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit).map(toLedgerRow);
  const last = page.at(-1);
  return {
    rows: page,
    nextCursor: rows.length > limit && last ? encodeTimeIdCursor(last.occurredAt, last.id) : null,
  };
}

/** Every ledger row of the user, oldest first: what FIFO walks. */
export async function wholeLedger(database: Database, userId: number): Promise<LedgerRow[]> {
  const rows = await selectRows(database, userId)
    .orderBy('t.occurred_at')
    .orderBy('t.id')
    .execute();
  return rows.map(toLedgerRow);
}

export async function ledgerRow(
  database: Database,
  userId: number,
  id: number,
): Promise<LedgerRow | null> {
  const row = await selectRows(database, userId).where('t.id', '=', id).executeTakeFirst();
  return row ? toLedgerRow(row) : null;
}

function values(userId: number, input: LedgerInput) {
  return {
    user_id: userId,
    kind: input.kind,
    item_id: input.item.id,
    market_hash_name: input.item.market_hash_name,
    quantity: input.quantity,
    unit_price_cents: input.unitPriceCents,
    fee_cents: input.feeCents,
    currency: input.currency,
    occurred_at: input.occurredAt,
    note: input.note,
  };
}

export async function addLedgerRow(
  database: Database,
  userId: number,
  input: LedgerInput,
): Promise<number> {
  const row = await portfolioDb(database)
    .insertInto('portfolio_transactions')
    .values(values(userId, input))
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Stores every row or, when any statement fails, none. */
export async function addLedgerRows(
  database: Database,
  userId: number,
  inputs: readonly LedgerInput[],
): Promise<void> {
  await portfolioDb(database)
    .transaction()
    .execute(async (trx) => {
      for (const batch of inBatches(inputs, INSERT_BATCH)) {
        await trx
          .insertInto('portfolio_transactions')
          .values(batch.map((input) => values(userId, input)))
          .execute();
      }
    });
}

/** Replaces the row's fields with `input`; false when the user has no such row. */
export async function replaceLedgerRow(
  database: Database,
  userId: number,
  id: number,
  input: LedgerInput,
): Promise<boolean> {
  const { user_id: _owner, ...fields } = values(userId, input);
  const result = await portfolioDb(database)
    .updateTable('portfolio_transactions')
    .set(fields)
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function deleteLedgerRow(
  database: Database,
  userId: number,
  id: number,
): Promise<boolean> {
  const result = await portfolioDb(database)
    .deleteFrom('portfolio_transactions')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
