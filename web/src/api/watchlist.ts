// The watchlist routes as TanStack Query hooks. The ids (GET /watchlist/ids)
// back every star button, so they are asked for once per page, and only
// when this browser is signed in: a signed-out visitor's page asks nothing
// that would answer 401. Starring updates the ids at once and puts them
// right if the server refuses; every change refetches the watchlist and the
// market table filtered to it.
import {
  keepPreviousData,
  type QueryClient,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import type { Watchlist, WatchlistIds } from '../../../src/shared/api-types.js';
import { ApiError, apiGet, apiSend } from './client.js';
import type { MarketFilters } from './queries.js';

const WATCHLIST_KEY = ['watchlist'] as const;
const IDS_KEY = [...WATCHLIST_KEY, 'ids'] as const;

/** Watched items shown at first, and added by each "show more". */
export const WATCHLIST_PAGE_SIZE = 100;

const idSet = (answer: WatchlistIds): ReadonlySet<number> => new Set(answer.item_ids);

/** The ids of the items this browser's user watches; asked only when `signedIn`. */
export function useWatchedIds(signedIn: boolean) {
  return useQuery({
    queryKey: IDS_KEY,
    queryFn: ({ signal }) => apiGet<WatchlistIds>('/watchlist/ids', {}, signal, 'throw'),
    enabled: signedIn,
    select: idSet,
  });
}

/** The newest `limit` watched items with their prices; the previous answer stays while more load. */
export function useWatchlist(limit: number, signedIn: boolean) {
  return useQuery({
    queryKey: [...WATCHLIST_KEY, 'list', limit],
    queryFn: ({ signal }) => apiGet<Watchlist>('/watchlist', { limit }, signal, 'throw'),
    enabled: signedIn,
    placeholderData: keepPreviousData,
  });
}

function refetchWatchlist(client: QueryClient): Promise<void> {
  return client.invalidateQueries({
    predicate: (query) =>
      query.queryKey[0] === WATCHLIST_KEY[0] ||
      (query.queryKey[0] === 'market' &&
        (query.queryKey[1] as MarketFilters | undefined)?.watchlist === true),
  });
}

export interface WatchChange {
  readonly itemId: number;
  readonly watch: boolean;
}

/** Watches or stops watching an item; the star shows the change before the server answers. */
export function useToggleWatch() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ itemId, watch }: WatchChange) => {
      try {
        if (watch) await apiSend('PUT', `/watchlist/${itemId}`, {});
        else await apiSend<null>('DELETE', `/watchlist/${itemId}`);
      } catch (error) {
        // Not watched any more (another tab removed it): what was asked for.
        if (!(watch === false && error instanceof ApiError && error.status === 404)) throw error;
      }
    },
    onMutate: async ({ itemId, watch }: WatchChange) => {
      await client.cancelQueries({ queryKey: IDS_KEY });
      const before = client.getQueryData<WatchlistIds>(IDS_KEY);
      if (before) {
        const others = before.item_ids.filter((id) => id !== itemId);
        client.setQueryData<WatchlistIds>(IDS_KEY, {
          item_ids: watch ? [...others, itemId] : others,
        });
      }
      return { before };
    },
    onError: (_error, _change, context) => {
      if (context?.before) client.setQueryData(IDS_KEY, context.before);
    },
    onSettled: () => refetchWatchlist(client),
  });
}

/** Replaces a watched item's note. */
export function useSaveNote() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ itemId, note }: { itemId: number; note: string }) =>
      apiSend('PUT', `/watchlist/${itemId}`, { note }),
    onSettled: () => refetchWatchlist(client),
  });
}
