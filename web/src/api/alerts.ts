// The alerts routes (/api/v1/alerts) as TanStack Query hooks, imported only
// by the alerts page's lazy chunk. A change to a rule refetches the rules
// (their preview and armed state follow from it); a webhook change refetches
// the webhook. The history is paged newest first, and refetched by the app
// frame when a notification arrives (components/AlertToasts.tsx).
import {
  type QueryKey,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import type {
  AlertHistory,
  AlertRule,
  AlertRuleInput,
  AlertRulePatch,
  AlertRules,
  AlertWebhookCreated,
  AlertWebhookInput,
  AlertWebhookState,
  AlertWebhookTest,
  SourceStatuses,
} from '../../../src/shared/api-types.js';
import { ALERT_HISTORY_KEY, ALERT_RULES_KEY, ALERT_WEBHOOK_KEY, ALERTS_KEY } from './alert-keys.js';
import { apiGet, apiSend } from './client.js';

export const HISTORY_PAGE_SIZE = 20;

/** The user's rules with their previews. A 401 is an answer (signed out), which the page shows. */
export function useAlertRules() {
  return useQuery({
    queryKey: ALERT_RULES_KEY,
    queryFn: ({ signal }) => apiGet<AlertRules>('/alerts/rules', {}, signal, 'throw'),
    refetchInterval: 60_000,
  });
}

export function useAlertHistory(enabled: boolean) {
  return useInfiniteQuery({
    queryKey: ALERT_HISTORY_KEY,
    queryFn: ({ pageParam, signal }) =>
      apiGet<AlertHistory>(
        '/alerts/history',
        { limit: HISTORY_PAGE_SIZE, cursor: pageParam ?? undefined },
        signal,
        'throw',
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    enabled,
  });
}

export function useAlertWebhook(enabled: boolean) {
  return useQuery({
    queryKey: ALERT_WEBHOOK_KEY,
    queryFn: ({ signal }) => apiGet<AlertWebhookState>('/alerts/webhook', {}, signal, 'throw'),
    enabled,
  });
}

/** The price sources this server reads (GET /market/sources), for a rule's source. */
export function useConfiguredSources() {
  return useQuery({
    queryKey: ['market-sources'],
    queryFn: ({ signal }) => apiGet<SourceStatuses>('/market/sources', {}, signal),
    select: (answer) => answer.sources.map((status) => status.source),
    staleTime: 10 * 60_000,
  });
}

/** A mutation that refetches `key` once it is done, whether it worked or not. */
function useRefetching<Input, Output>(key: QueryKey, send: (input: Input) => Promise<Output>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: send,
    onSettled: () => client.invalidateQueries({ queryKey: key }),
  });
}

export function useCreateRule() {
  return useRefetching(ALERT_RULES_KEY, (input: AlertRuleInput) =>
    apiSend<AlertRule>('POST', '/alerts/rules', input),
  );
}

export function useUpdateRule() {
  return useRefetching(ALERT_RULES_KEY, ({ id, patch }: { id: number; patch: AlertRulePatch }) =>
    apiSend<AlertRule>('PATCH', `/alerts/rules/${id}`, patch),
  );
}

/** Deletes a rule; what it fired stays in the history, with no rule to go back to. */
export function useDeleteRule() {
  return useRefetching(ALERTS_KEY, (id: number) => apiSend<null>('DELETE', `/alerts/rules/${id}`));
}

export function usePutWebhook() {
  return useRefetching(ALERT_WEBHOOK_KEY, (input: AlertWebhookInput) =>
    apiSend<AlertWebhookCreated>('PUT', '/alerts/webhook', input),
  );
}

export function useDeleteWebhook() {
  return useRefetching(ALERT_WEBHOOK_KEY, () => apiSend<null>('DELETE', '/alerts/webhook'));
}

/** The health counts alerts delivered, not tests, so a test refetches nothing: the page says its outcome. */
export function useTestWebhook() {
  return useMutation({
    mutationFn: () => apiSend<AlertWebhookTest>('POST', '/alerts/webhook/test'),
  });
}
