// The API's read routes as TanStack Query hooks, one per route, each typed
// by the server's schemas. Market data changes every minute, so answers are
// fresh for 30 seconds and the lists refetch on their own; live prices fill
// the gaps in between (live.ts).
import {
  keepPreviousData,
  type QueryClient,
  useInfiniteQuery,
  useQuery,
} from '@tanstack/react-query';
import type {
  Csrf,
  History,
  IndexHistory,
  ItemDetail,
  ItemVolatility,
  MarketIndex,
  Movers,
  Overview,
  OverviewParams,
  Ranking,
} from '../../../src/shared/api-types.js';
import type {
  HistoryWindow,
  MoverWindow,
  VolatilityWindow,
} from '../../../src/shared/market-vocabulary.js';
import { ApiError, apiGet } from './client.js';

const FRESH_MS = 30_000;
const REFETCH_MS = 60_000;

/** Retries a server or network failure twice, never a 4xx: asking again would not change it. */
export function shouldRetry(failures: number, error: Error): boolean {
  if (error instanceof ApiError && error.status < 500) return false;
  return failures < 2;
}

export function queryDefaults(client: QueryClient): void {
  client.setDefaultOptions({
    queries: { staleTime: FRESH_MS, retry: shouldRetry, refetchOnWindowFocus: true },
  });
}

export type MarketFilters = Omit<OverviewParams, 'cursor' | 'limit'>;

export const MARKET_PAGE_SIZE = 50;

export function useMarket(filters: MarketFilters, enabled = true) {
  return useInfiniteQuery({
    enabled,
    queryKey: ['market', filters],
    queryFn: ({ pageParam, signal }) =>
      apiGet<Overview>(
        '/market',
        { ...filters, limit: MARKET_PAGE_SIZE, cursor: pageParam ?? undefined },
        signal,
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    placeholderData: keepPreviousData,
    refetchInterval: REFETCH_MS,
  });
}

export function useMarketIndex() {
  return useQuery({
    queryKey: ['index'],
    queryFn: ({ signal }) => apiGet<MarketIndex>('/index', {}, signal),
    refetchInterval: REFETCH_MS,
  });
}

export function useIndexHistory(window: HistoryWindow) {
  return useQuery({
    queryKey: ['index-history', window],
    queryFn: ({ signal }) => apiGet<IndexHistory>('/index/history', { window }, signal),
    placeholderData: keepPreviousData,
    refetchInterval: REFETCH_MS,
  });
}

export function useItem(id: number) {
  return useQuery({
    queryKey: ['item', id],
    queryFn: ({ signal }) => apiGet<ItemDetail>(`/items/${id}`, {}, signal),
    enabled: id > 0,
    refetchInterval: REFETCH_MS,
  });
}

export function useHistory(id: number, window: HistoryWindow) {
  return useQuery({
    queryKey: ['history', id, window],
    queryFn: ({ signal }) => apiGet<History>(`/items/${id}/history`, { window }, signal),
    enabled: id > 0,
    placeholderData: keepPreviousData,
    refetchInterval: REFETCH_MS,
  });
}

export function useVolatility(id: number, window: VolatilityWindow) {
  return useQuery({
    queryKey: ['volatility', id, window],
    queryFn: ({ signal }) => apiGet<ItemVolatility>(`/items/${id}/volatility`, { window }, signal),
    enabled: id > 0,
    placeholderData: keepPreviousData,
    refetchInterval: REFETCH_MS,
  });
}

export function useMovers(window: MoverWindow, direction: 'up' | 'down') {
  return useQuery({
    queryKey: ['movers', window, direction],
    queryFn: ({ signal }) => apiGet<Movers>('/movers', { window, direction, limit: 10 }, signal),
    placeholderData: keepPreviousData,
    refetchInterval: REFETCH_MS,
  });
}

export function useVolatile(window: VolatilityWindow) {
  return useQuery({
    queryKey: ['volatile', window],
    queryFn: ({ signal }) => apiGet<Ranking>('/rankings/volatile', { window, limit: 10 }, signal),
    placeholderData: keepPreviousData,
    refetchInterval: REFETCH_MS,
  });
}

/** The key of whether this browser is signed in: signing out sets it. */
export const SIGNED_IN_KEY = ['auth', 'signed-in'] as const;

/**
 * Whether this browser is signed in, for the header's account links. Asked
 * of GET /auth/csrf, which answers every visitor (a 401 from /auth/me would
 * be an error in every anonymous visitor's console). Signing in loads a new
 * page, which asks again.
 */
export function useSignedIn() {
  return useQuery({
    queryKey: SIGNED_IN_KEY,
    queryFn: async ({ signal }) => (await apiGet<Csrf>('/auth/csrf', {}, signal)).signed_in,
  });
}
