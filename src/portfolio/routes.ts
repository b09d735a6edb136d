// The portfolio API under /api/v1/portfolio: the valued holdings, the Steam
// inventory import and its status, holdings added by hand, the ledger (and
// its CSV import), the value history and the CSV export. Every route needs a
// session; the app's CSRF protection covers the unsafe ones (S37), and each
// is counted per client address like the auth reads (S44).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { auditFor } from '../audit/events.js';
import type { RequestAuth } from '../auth/request-auth.js';
import { NoContent } from '../auth/schemas.js';
import type { Config } from '../config.js';
import { detail, ERRORS, SIGNED_IN, tagRoutes } from '../http/openapi.js';
import { signedInRoutes, type UserRouteLimits } from '../http/signed-in-routes.js';
import { getItem, type Item } from '../market/catalog/items.js';
import { isSimulated } from '../market/types.js';
import type { Database } from '../platform/db/index.js';
import { ApiError } from '../platform/errors.js';
import type { Store } from '../platform/store/index.js';
import { DAY_MS } from '../platform/time.js';
import { portfolioCsv } from './export.js';
import {
  addManualHolding,
  deleteManualHolding,
  type ImportRecord,
  listManualHoldings,
  MAX_MANUAL_UNITS_PER_ITEM,
  type ManualHolding,
  manualHoldingItem,
  manualUnits,
  updateManualHolding,
} from './holdings.js';
import { importInventory, importStatus } from './inventory-import.js';
import {
  addLedgerRow,
  deleteLedgerRow,
  InvalidLedgerCursorError,
  type LedgerInput,
  type LedgerRow,
  ledgerPage,
  ledgerRow,
  replaceLedgerRow,
} from './ledger.js';
import { importLedgerCsv } from './ledger-csv.js';
import {
  CsvImportedJson,
  CsvRefusedJson,
  HistoryQuery,
  HOLDINGS_PAGE_DEFAULT,
  IdParams,
  ImportResultJson,
  ImportStatusJson,
  ManualHoldingBody,
  ManualHoldingJson,
  ManualHoldingPatch,
  PortfolioHistoryJson,
  PortfolioJson,
  PortfolioQuery,
  TRANSACTIONS_PAGE_DEFAULT,
  TransactionBody,
  TransactionJson,
  TransactionPatch,
  TransactionsPageJson,
  TransactionsQuery,
} from './schemas.js';
import { backfillSnapshots, snapshotHistory, takeSnapshot } from './snapshots.js';
import {
  itemsById,
  type PortfolioValuation,
  type ValuedHolding,
  valuePortfolio,
} from './valuation.js';

export interface PortfolioRouteOptions {
  readonly database: Database;
  readonly store: Store;
  readonly requestAuth: RequestAuth;
  readonly portfolio: Config['portfolio'];
  readonly market: Pick<Config['market'], 'currency' | 'staleAfterMs'>;
  /**
   * Per client address and route (S44): the CSV import, which parses up to a
   * megabyte, on the strict budget; every other route on the read budget.
   */
  readonly rateLimits: UserRouteLimits;
  readonly now: () => number;
  /** Told of each import a signed-in user attempted, and how it ended (docs/metrics.md). */
  readonly onImport?: (kind: 'inventory' | 'csv', outcome: 'success' | 'failure') => void;
}

/** A trade dated further ahead than this is a typing mistake, not a plan. */
const FUTURE_TOLERANCE_MS = DAY_MS;
const NO_SUCH_ITEM = 'No item with that id';
/** Counted against the read budget; see PortfolioRouteOptions.rateLimits. */
const PAGE_READ = { rateLimit: 'read' } as const;
/** Before this, a date is a typing mistake (and the CSV import refuses it too). */
const EARLIEST_TRADE_MS = Date.UTC(1970, 0, 1);
const NO_SUCH_HOLDING = 'No holding added by hand with that id';
const NO_SUCH_TRANSACTION = 'No transaction with that id';

function importJson(record: ImportRecord) {
  return {
    imported_at: record.importedAt.toISOString(),
    steam_id: record.steamId,
    pages: record.pages,
    assets: record.assets,
    matched: record.matched,
    unmatched: record.unmatched,
    without_description: record.withoutDescription,
    duration_ms: record.durationMs,
  };
}

function manualJson(holding: ManualHolding) {
  return {
    id: holding.id,
    item: holding.item,
    quantity: holding.quantity,
    note: holding.note,
    added_at: holding.addedAt.toISOString(),
  };
}

function transactionJson(row: LedgerRow) {
  return {
    id: row.id,
    kind: row.kind,
    item: row.item,
    market_hash_name: row.marketHashName,
    quantity: row.quantity,
    unit_price_cents: row.unitPriceCents,
    fee_cents: row.feeCents,
    currency: row.currency,
    occurred_at: row.occurredAt.toISOString(),
    note: row.note,
  };
}

function portfolioJson(
  valuation: PortfolioValuation,
  page: {
    readonly offset: number;
    readonly limit: number;
    readonly shown: readonly ValuedHolding[];
  },
  items: ReadonlyMap<number, Item>,
  manual: readonly ManualHolding[],
  options: PortfolioRouteOptions,
) {
  const { totals } = valuation;
  const { shown } = page;
  const itemOf = (itemId: number) => {
    const item = items.get(itemId);
    // Holdings reference the catalog, whose rows are never deleted while held.
    if (!item) throw new Error(`item ${itemId} is missing from the catalog`);
    return item;
  };
  return {
    currency: options.market.currency,
    price_sources: [...options.portfolio.priceSources],
    cost_basis_method: 'fifo' as const,
    totals: {
      value_cents: totals.valueCents,
      net_value_cents: totals.netValueCents,
      change_24h_cents: totals.change24hCents,
      cost_basis_cents: totals.costBasisCents,
      unrealized_cents: totals.unrealizedCents,
      realized_cents: totals.realizedCents,
      priced_quantity: totals.pricedQuantity,
      unpriced_quantity: totals.unpricedQuantity,
      unmatched_quantity: totals.unmatchedQuantity,
      uncovered_quantity: totals.uncoveredQuantity,
    },
    holdings: shown.map((holding) => ({
      item: itemOf(holding.itemId),
      quantity: holding.quantity,
      steam_quantity: holding.steamQuantity,
      manual_quantity: holding.manualQuantity,
      price: {
        price_cents: holding.price.priceCents,
        source: holding.price.source,
        simulated: isSimulated(holding.price.source),
        observed_at: holding.price.observedAt.toISOString(),
        age_seconds: holding.ageSeconds,
        stale: holding.stale,
      },
      value_cents: holding.valueCents,
      net_value_cents: holding.netValueCents,
      change_24h_percent: holding.price.change24hPercent,
      change_24h_cents: holding.change24hCents,
      cost_basis_cents: holding.costBasisCents,
      covered_quantity: holding.coveredQuantity,
      unrealized_cents: holding.unrealizedCents,
      realized_cents: holding.realizedCents,
    })),
    holdings_count: valuation.holdings.length,
    offset: page.offset,
    limit: page.limit,
    unpriced: valuation.unpriced.map(({ itemId, quantity }) => ({
      item: itemOf(itemId),
      quantity,
    })),
    unmatched: valuation.unmatched.map((entry) => ({
      market_hash_name: entry.marketHashName,
      quantity: entry.quantity,
    })),
    manual_holdings: manual.map(manualJson),
    last_import: valuation.lastImport ? importJson(valuation.lastImport) : null,
  };
}

export const portfolioRoutes: FastifyPluginAsyncTypebox<PortfolioRouteOptions> = async (
  app,
  options,
) => {
  const { database, store, requestAuth, portfolio, market, now } = options;
  const onImport = options.onImport ?? (() => {});
  tagRoutes(app, 'portfolio');
  const userOf = signedInRoutes(app, {
    name: 'portfolio',
    requestAuth,
    limits: options.rateLimits,
  });
  const valuationOptions = () => ({
    priceSources: portfolio.priceSources,
    staleAfterMs: market.staleAfterMs,
    now: now(),
  });

  /** The user's portfolio valued now; sums past 2^53 cents are the ledger's typing mistakes. */
  async function valued(userId: number): Promise<PortfolioValuation> {
    try {
      return await valuePortfolio(database, userId, valuationOptions());
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw new ApiError(
        422,
        'The portfolio’s sums are too large to count exactly; check the ledger for a mistyped quantity or price.',
      );
    }
  }

  async function itemOr400(id: number): Promise<Item> {
    const item = await getItem(database, id);
    if (!item) throw new ApiError(400, NO_SUCH_ITEM);
    return item;
  }

  /** Keeps one item's hand-added units, all rows together, within what a value can count. */
  async function checkManualUnits(
    userId: number,
    itemId: number,
    quantity: number,
    exceptId: number | null,
  ): Promise<void> {
    const held = await manualUnits(database, userId, itemId, exceptId);
    if (held + quantity > MAX_MANUAL_UNITS_PER_ITEM) {
      throw new ApiError(
        400,
        `At most ${MAX_MANUAL_UNITS_PER_ITEM.toLocaleString('en-US')} units of one item can be added by hand; ${held.toLocaleString('en-US')} are already.`,
      );
    }
  }

  function checkTrade(currency: string, occurredAt: Date): void {
    // JSON Schema's date-time admits a leap second (:60), which Date cannot hold.
    if (Number.isNaN(occurredAt.getTime()) || occurredAt.getTime() < EARLIEST_TRADE_MS) {
      throw new ApiError(400, 'occurred_at must be a time from 1970 on');
    }
    if (currency !== market.currency) {
      throw new ApiError(
        400,
        `Tracera values everything in ${market.currency} and has no exchange rates; record the trade in ${market.currency}.`,
      );
    }
    if (occurredAt.getTime() > now() + FUTURE_TOLERANCE_MS) {
      throw new ApiError(400, 'The trade is dated in the future');
    }
  }

  app.get(
    '/portfolio',
    {
      config: PAGE_READ,
      schema: {
        summary: 'Holdings valued gross and net of Steam fees, with cost basis (FIFO) and P&L',
        description:
          'Totals cover every holding; `holdings` is a page of them, most valuable first (`limit`, `offset`).',
        security: SIGNED_IN,
        querystring: PortfolioQuery,
        response: {
          200: PortfolioJson,
          401: ERRORS.notSignedIn,
          422: detail('The ledger’s sums are too large to count exactly'),
        },
      },
    },
    async (request) => {
      const userId = await userOf(request);
      const { offset = 0, limit = HOLDINGS_PAGE_DEFAULT } = request.query;
      const [valuation, manual] = await Promise.all([
        valued(userId),
        listManualHoldings(database, userId),
      ]);
      // Only the rows shown need their catalog items: a page, not every holding.
      const shown = valuation.holdings.slice(offset, offset + limit);
      const items = await itemsById(database, [
        ...shown.map((holding) => holding.itemId),
        ...valuation.unpriced.map((entry) => entry.itemId),
      ]);
      return portfolioJson(valuation, { offset, limit, shown }, items, manual, options);
    },
  );

  app.get(
    '/portfolio/import',
    {
      config: PAGE_READ,
      schema: {
        summary: 'Whether an inventory import runs, its progress, and the cooldown',
        security: SIGNED_IN,
        response: { 200: ImportStatusJson, 401: ERRORS.notSignedIn },
      },
    },
    async (request) => {
      const status = await importStatus({ database, store, portfolio, now }, await userOf(request));
      return {
        steam_linked: status.steamLinked,
        running: status.progress !== null,
        progress: status.progress,
        cooldown_until: status.cooldownUntil?.toISOString() ?? null,
        last_import: status.last ? importJson(status.last) : null,
      };
    },
  );

  app.post(
    '/portfolio/import',
    {
      config: PAGE_READ,
      schema: {
        summary: 'Import the linked Steam account’s CS2 inventory as holdings',
        description:
          'Replaces the holdings from the previous import in one step; holdings added by hand and the ledger stay. One import per user per PORTFOLIO_IMPORT_COOLDOWN_SECONDS.',
        security: SIGNED_IN,
        response: {
          200: ImportResultJson,
          401: ERRORS.notSignedIn,
          409: detail(
            'Steam is not linked, or the inventory is private (the detail says how to make it public)',
          ),
          429: detail(
            'An import ran too recently, or is running; the detail says when the last one finished',
            {
              'retry-after': {
                type: 'integer',
                minimum: 1,
                description: 'Seconds until an import may start',
              },
            },
          ),
          502: detail(
            'Steam answered with an error (the detail names its EResult) or with an inventory that cannot be read',
          ),
          503: detail(
            'Steam is limiting requests, or the store is unavailable; try again after Retry-After',
          ),
          504: detail('Steam took too long to answer'),
        },
      },
    },
    async (request) => {
      const userId = await userOf(request);
      const audit = auditFor(database, request);
      try {
        const outcome = await importInventory({ database, store, portfolio, now }, userId);
        const { record } = outcome;
        // The holdings are stored by now: the history is a bonus the daily job catches up on.
        try {
          if (outcome.first) {
            await backfillSnapshots(database, userId, portfolio.priceSources, now());
          }
          await takeSnapshot(database, userId, portfolio.priceSources, now());
        } catch (error) {
          request.log.warn({ err: error }, 'could not fill the portfolio history after an import');
        }
        await audit({
          event: 'portfolio_import',
          outcome: 'success',
          userId,
          detail: {
            assets: record.assets,
            matched: record.matched,
            unmatched: record.unmatched,
            pages: record.pages,
          },
        });
        onImport('inventory', 'success');
        return {
          import: importJson(record),
          unmatched: outcome.unmatched.map((entry) => ({
            market_hash_name: entry.marketHashName,
            quantity: entry.quantity,
          })),
          cooldown_until: outcome.cooldownUntil.toISOString(),
        };
      } catch (error) {
        const status = error instanceof ApiError ? error.statusCode : 500;
        onImport('inventory', 'failure');
        await audit({ event: 'portfolio_import', outcome: 'failure', userId, detail: { status } });
        throw error;
      }
    },
  );

  app.post(
    '/portfolio/holdings',
    {
      config: PAGE_READ,
      schema: {
        summary: 'Add a holding by hand (an item held elsewhere, or without Steam)',
        security: SIGNED_IN,
        body: ManualHoldingBody,
        response: { 201: ManualHoldingJson, 401: ERRORS.notSignedIn },
      },
    },
    async (request, reply) => {
      const userId = await userOf(request);
      const item = await itemOr400(request.body.item_id);
      await checkManualUnits(userId, item.id, request.body.quantity, null);
      const note = request.body.note ?? '';
      const id = await addManualHolding(database, userId, item, request.body.quantity, note);
      reply.code(201);
      const [added] = await listManualHoldings(database, userId, id);
      if (!added) throw new ApiError(404, NO_SUCH_HOLDING);
      return manualJson(added);
    },
  );

  app.patch(
    '/portfolio/holdings/:id',
    {
      config: PAGE_READ,
      schema: {
        summary: 'Change the quantity or note of a holding added by hand',
        security: SIGNED_IN,
        params: IdParams,
        body: ManualHoldingPatch,
        response: { 200: ManualHoldingJson, 401: ERRORS.notSignedIn, 404: detail(NO_SUCH_HOLDING) },
      },
    },
    async (request) => {
      const userId = await userOf(request);
      const { id } = request.params;
      const itemId = await manualHoldingItem(database, userId, id);
      if (itemId === null) throw new ApiError(404, NO_SUCH_HOLDING);
      if (request.body.quantity !== undefined) {
        await checkManualUnits(userId, itemId, request.body.quantity, id);
      }
      if (!(await updateManualHolding(database, userId, id, request.body))) {
        throw new ApiError(404, NO_SUCH_HOLDING);
      }
      const [updated] = await listManualHoldings(database, userId, id);
      if (!updated) throw new ApiError(404, NO_SUCH_HOLDING);
      return manualJson(updated);
    },
  );

  app.delete(
    '/portfolio/holdings/:id',
    {
      config: PAGE_READ,
      schema: {
        summary: 'Remove a holding added by hand',
        security: SIGNED_IN,
        params: IdParams,
        response: { 204: NoContent, 401: ERRORS.notSignedIn, 404: detail(NO_SUCH_HOLDING) },
      },
    },
    async (request, reply) => {
      const userId = await userOf(request);
      if (!(await deleteManualHolding(database, userId, request.params.id))) {
        throw new ApiError(404, NO_SUCH_HOLDING);
      }
      reply.code(204);
    },
  );

  app.get(
    '/portfolio/transactions',
    {
      config: PAGE_READ,
      schema: {
        summary: 'The ledger, newest first',
        security: SIGNED_IN,
        querystring: TransactionsQuery,
        response: { 200: TransactionsPageJson, 401: ERRORS.notSignedIn },
      },
    },
    async (request) => {
      const userId = await userOf(request);
      const { limit = TRANSACTIONS_PAGE_DEFAULT, cursor } = request.query;
      try {
        const page = await ledgerPage(database, userId, limit, cursor);
        return { transactions: page.rows.map(transactionJson), next_cursor: page.nextCursor };
      } catch (error) {
        if (error instanceof InvalidLedgerCursorError) throw new ApiError(400, 'Invalid cursor');
        throw error;
      }
    },
  );

  app.post(
    '/portfolio/transactions',
    {
      config: PAGE_READ,
      schema: {
        summary: 'Record a buy or a sell',
        security: SIGNED_IN,
        body: TransactionBody,
        response: { 201: TransactionJson, 401: ERRORS.notSignedIn },
      },
    },
    async (request, reply) => {
      const userId = await userOf(request);
      const { body } = request;
      const input: LedgerInput = {
        kind: body.kind,
        item: await itemOr400(body.item_id),
        quantity: body.quantity,
        unitPriceCents: body.unit_price_cents,
        feeCents: body.fee_cents ?? 0,
        currency: body.currency ?? market.currency,
        occurredAt: new Date(body.occurred_at),
        note: body.note ?? '',
      };
      checkTrade(input.currency, input.occurredAt);
      const id = await addLedgerRow(database, userId, input);
      const row = await ledgerRow(database, userId, id);
      if (!row) throw new ApiError(404, NO_SUCH_TRANSACTION);
      reply.code(201);
      return transactionJson(row);
    },
  );

  app.patch(
    '/portfolio/transactions/:id',
    {
      config: PAGE_READ,
      schema: {
        summary: 'Change a ledger entry',
        security: SIGNED_IN,
        params: IdParams,
        body: TransactionPatch,
        response: {
          200: TransactionJson,
          401: ERRORS.notSignedIn,
          404: detail(NO_SUCH_TRANSACTION),
        },
      },
    },
    async (request) => {
      const userId = await userOf(request);
      const { id } = request.params;
      const row = await ledgerRow(database, userId, id);
      if (!row) throw new ApiError(404, NO_SUCH_TRANSACTION);
      const { body } = request;
      const item =
        body.item_id === undefined
          ? { id: row.itemId ?? 0, market_hash_name: row.marketHashName }
          : await itemOr400(body.item_id);
      if (item.id === 0)
        throw new ApiError(400, 'The entry’s item left the catalog; choose an item');
      const input: LedgerInput = {
        kind: body.kind ?? row.kind,
        item,
        quantity: body.quantity ?? row.quantity,
        unitPriceCents: body.unit_price_cents ?? row.unitPriceCents,
        feeCents: body.fee_cents ?? row.feeCents,
        currency: body.currency ?? row.currency,
        occurredAt: body.occurred_at === undefined ? row.occurredAt : new Date(body.occurred_at),
        note: body.note ?? row.note,
      };
      checkTrade(input.currency, input.occurredAt);
      if (!(await replaceLedgerRow(database, userId, id, input))) {
        throw new ApiError(404, NO_SUCH_TRANSACTION);
      }
      const updated = await ledgerRow(database, userId, id);
      if (!updated) throw new ApiError(404, NO_SUCH_TRANSACTION);
      return transactionJson(updated);
    },
  );

  app.delete(
    '/portfolio/transactions/:id',
    {
      config: PAGE_READ,
      schema: {
        summary: 'Delete a ledger entry',
        security: SIGNED_IN,
        params: IdParams,
        response: { 204: NoContent, 401: ERRORS.notSignedIn, 404: detail(NO_SUCH_TRANSACTION) },
      },
    },
    async (request, reply) => {
      const userId = await userOf(request);
      if (!(await deleteLedgerRow(database, userId, request.params.id))) {
        throw new ApiError(404, NO_SUCH_TRANSACTION);
      }
      reply.code(204);
    },
  );

  await app.register(async (csv) => {
    // The CSV arrives as the body itself; only this route reads text/csv.
    csv.addContentTypeParser(
      'text/csv',
      { parseAs: 'string', bodyLimit: portfolio.csvMaxBytes },
      (_request, body, done) => done(null, body),
    );
    csv.post(
      '/portfolio/transactions/import',
      {
        bodyLimit: portfolio.csvMaxBytes,
        schema: {
          summary: 'Import ledger entries from CSV: every line, or none',
          description:
            'The body is the file (Content-Type: text/csv). Columns: date, type, item, quantity, unit_price, and optionally fee, currency, note; a header line names them.',
          security: SIGNED_IN,
          consumes: ['text/csv'],
          body: { type: 'string' },
          response: {
            200: CsvImportedJson,
            400: CsvRefusedJson,
            401: ERRORS.notSignedIn,
            413: ERRORS.bodyTooLarge,
            415: detail('The body is not text/csv'),
          },
        },
      },
      async (request, reply) => {
        const userId = await userOf(request);
        // Fastify also reads text/plain and JSON strings as text; this route takes CSV only.
        if (!String(request.headers['content-type'] ?? '').startsWith('text/csv')) {
          onImport('csv', 'failure');
          throw new ApiError(415, 'Send the file as text/csv');
        }
        const result = await importLedgerCsv(database, userId, String(request.body), {
          currency: market.currency,
          now: now(),
          futureToleranceMs: FUTURE_TOLERANCE_MS,
        }).catch((error: unknown) => {
          onImport('csv', 'failure');
          throw error;
        });
        onImport('csv', result.ok ? 'success' : 'failure');
        if (!result.ok) {
          reply.code(400);
          return { detail: result.detail, errors: result.errors };
        }
        return { imported: result.imported };
      },
    );
  });

  app.get(
    '/portfolio/history',
    {
      config: PAGE_READ,
      schema: {
        summary: "The portfolio's value once a day",
        security: SIGNED_IN,
        querystring: HistoryQuery,
        response: { 200: PortfolioHistoryJson, 401: ERRORS.notSignedIn },
      },
    },
    async (request) => {
      const userId = await userOf(request);
      const window = request.query.window ?? '30d';
      const points = await snapshotHistory(database, userId, window, now());
      return {
        currency: market.currency,
        window,
        points: points.map((point) => ({
          day: point.day,
          value_cents: point.valueCents,
          net_value_cents: point.netValueCents,
        })),
      };
    },
  );

  app.get(
    '/portfolio/export.csv',
    {
      config: PAGE_READ,
      schema: {
        summary: 'The holdings with their prices and P&L, as CSV',
        security: SIGNED_IN,
        response: {
          200: {
            description: 'RFC 4180 CSV, one line per held item',
            content: { 'text/csv': { schema: { type: 'string' } } },
          },
          401: ERRORS.notSignedIn,
        },
      },
    },
    async (request, reply) => {
      const userId = await userOf(request);
      const valuation = await valued(userId);
      const items = await itemsById(database, [
        ...valuation.holdings.map((holding) => holding.itemId),
        ...valuation.unpriced.map((entry) => entry.itemId),
      ]);
      reply
        .type('text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="tracera-portfolio-${new Date(now()).toISOString().slice(0, 10)}.csv"`,
        );
      return portfolioCsv(valuation, items, market.currency);
    },
  );
};
