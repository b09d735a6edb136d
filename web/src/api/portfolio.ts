// The portfolio routes as TanStack Query hooks, imported only by the
// portfolio page's lazy chunk. Every change (an import, a holding added by
// hand, a ledger entry) refetches the portfolio and its history, since the
// values, the cost basis and the P&L all follow from them.
import {
  keepPreviousData,
  type QueryClient,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import type {
  CsvImported,
  ImportResult,
  ImportStatus,
  ManualHoldingInput,
  Portfolio,
  PortfolioHistory,
  Transaction,
  TransactionInput,
  TransactionsPage,
} from '../../../src/shared/api-types.js';
import { ApiError, apiGet, apiSend, RawBody } from './client.js';

export type PortfolioWindow = PortfolioHistory['window'];
export type TransactionPatch = Partial<TransactionInput>;
export type ManualHoldingPatch = Partial<Pick<ManualHoldingInput, 'quantity' | 'note'>>;

/** A catalog item, as GET /items answers it. */
export type CatalogItem = Portfolio['holdings'][number]['item'];

export const LEDGER_PAGE_SIZE = 25;
const IMPORT_POLL_MS = 1_000;
const PORTFOLIO_KEY = ['portfolio'] as const;

/** Holdings shown at first, and added by each "show more". */
export const HOLDINGS_PAGE_SIZE = 100;

/**
 * The totals and the `limit` most valuable holdings. A 401 here is an
 * answer, signed out, which the page shows itself. The previous answer
 * stays on screen while a longer list loads.
 */
export function usePortfolio(limit: number) {
  return useQuery({
    queryKey: [...PORTFOLIO_KEY, 'holdings', limit],
    queryFn: ({ signal }) => apiGet<Portfolio>('/portfolio', { limit }, signal, 'throw'),
    placeholderData: keepPreviousData,
  });
}

export function isSignedOut(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}

/** Polled about once a second while an import runs, to show how far it got. */
export function useImportStatus(enabled: boolean, importing: boolean) {
  return useQuery({
    queryKey: [...PORTFOLIO_KEY, 'import'],
    queryFn: ({ signal }) => apiGet<ImportStatus>('/portfolio/import', {}, signal, 'throw'),
    enabled,
    staleTime: 0,
    refetchInterval: (query) => (importing || query.state.data?.running ? IMPORT_POLL_MS : false),
  });
}

export function usePortfolioHistory(window: PortfolioWindow, enabled: boolean) {
  return useQuery({
    queryKey: [...PORTFOLIO_KEY, 'history', window],
    queryFn: ({ signal }) =>
      apiGet<PortfolioHistory>('/portfolio/history', { window }, signal, 'throw'),
    enabled,
    placeholderData: keepPreviousData,
  });
}

export function useTransactions(enabled: boolean) {
  return useInfiniteQuery({
    queryKey: [...PORTFOLIO_KEY, 'transactions'],
    queryFn: ({ pageParam, signal }) =>
      apiGet<TransactionsPage>(
        '/portfolio/transactions',
        { limit: LEDGER_PAGE_SIZE, cursor: pageParam ?? undefined },
        signal,
        'throw',
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    enabled,
  });
}

/** Catalog items whose name matches `q`, for the forms that add an item. */
export function useItemSearch(q: string) {
  return useQuery({
    queryKey: ['item-search', q],
    queryFn: ({ signal }) => apiGet<{ items: CatalogItem[] }>('/items', { q, limit: 20 }, signal),
    enabled: q.trim().length >= 2,
    placeholderData: keepPreviousData,
  });
}

function refetchPortfolio(client: QueryClient): Promise<void> {
  return client.invalidateQueries({ queryKey: PORTFOLIO_KEY });
}

/** A mutation that refetches the whole portfolio once it is done. */
function usePortfolioMutation<Input, Output>(send: (input: Input) => Promise<Output>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: send,
    onSettled: () => refetchPortfolio(client),
  });
}

export function useImportInventory() {
  return usePortfolioMutation<void, ImportResult>(() =>
    apiSend<ImportResult>('POST', '/portfolio/import'),
  );
}

export function useAddHolding() {
  return usePortfolioMutation((input: ManualHoldingInput) =>
    apiSend<unknown>('POST', '/portfolio/holdings', input),
  );
}

export function useEditHolding() {
  return usePortfolioMutation(({ id, patch }: { id: number; patch: ManualHoldingPatch }) =>
    apiSend<unknown>('PATCH', `/portfolio/holdings/${id}`, patch),
  );
}

export function useDeleteHolding() {
  return usePortfolioMutation((id: number) => apiSend<null>('DELETE', `/portfolio/holdings/${id}`));
}

export function useAddTransaction() {
  return usePortfolioMutation((input: TransactionInput) =>
    apiSend<Transaction>('POST', '/portfolio/transactions', input),
  );
}

export function useEditTransaction() {
  return usePortfolioMutation(({ id, patch }: { id: number; patch: TransactionPatch }) =>
    apiSend<Transaction>('PATCH', `/portfolio/transactions/${id}`, patch),
  );
}

export function useDeleteTransaction() {
  return usePortfolioMutation((id: number) =>
    apiSend<null>('DELETE', `/portfolio/transactions/${id}`),
  );
}

/** Sends the file as it is; a 400 carries `errors`, one per bad line, and nothing was stored. */
export function useImportCsv() {
  return usePortfolioMutation((file: Blob) =>
    apiSend<CsvImported>('POST', '/portfolio/transactions/import', new RawBody(file, 'text/csv')),
  );
}
