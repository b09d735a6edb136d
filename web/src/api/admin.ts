// The admin API (/admin/api, src/admin/routes.ts) as TanStack Query hooks,
// imported only by the admin pages' lazy chunk. The browser holds the admin's
// basic-auth credentials from the page's own challenge and sends them with
// every request to this origin, so these calls add nothing but the CSRF token
// that unsafe ones carry like any other. A 401 is an answer the pages show
// themselves: there is no sign-in page for admin.
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import type {
  AdminStatus,
  AdminUser,
  AdminUsersPage,
  AuditPage,
  Ingestion,
  SessionsEnded,
  WebhooksPage,
} from '../../../src/shared/api-types.js';
import type { AuditEventName } from '../../../src/shared/audit-vocabulary.js';
import { ADMIN_API_PREFIX, apiGet, apiSend, apiUrl, type Query } from './client.js';

const ADMIN_KEY = ['admin'] as const;
const USERS_KEY = [...ADMIN_KEY, 'users'] as const;
/** How often the status and ingestion panels ask again. */
const STATUS_POLL_MS = 10_000;
export const USERS_PAGE_SIZE = 50;
export const AUDIT_PAGE_SIZE = 100;

function adminGet<T>(path: string, query: Query, signal: AbortSignal): Promise<T> {
  return apiGet<T>(path, query, signal, 'throw', ADMIN_API_PREFIX);
}

export function useAdminStatus() {
  return useQuery({
    queryKey: [...ADMIN_KEY, 'status'],
    queryFn: ({ signal }) => adminGet<AdminStatus>('/status', {}, signal),
    refetchInterval: STATUS_POLL_MS,
  });
}

export function useIngestion() {
  return useQuery({
    queryKey: [...ADMIN_KEY, 'ingestion'],
    queryFn: ({ signal }) => adminGet<Ingestion>('/ingestion', {}, signal),
    refetchInterval: STATUS_POLL_MS,
  });
}

export const WEBHOOKS_PAGE_SIZE = 100;

/** Users' alert webhooks and how they deliver; with `failing`, only those failing now. */
export function useWebhookHealth(failing: boolean) {
  return useInfiniteQuery({
    queryKey: [...ADMIN_KEY, 'webhooks', failing],
    queryFn: ({ pageParam, signal }) =>
      adminGet<WebhooksPage>(
        '/webhooks',
        {
          failing: failing || undefined,
          limit: WEBHOOKS_PAGE_SIZE,
          cursor: pageParam ?? undefined,
        },
        signal,
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    placeholderData: keepPreviousData,
  });
}

/** Users whose email or name contains `q` (all when empty), newest first. */
export function useAdminUsers(q: string) {
  return useInfiniteQuery({
    queryKey: [...USERS_KEY, q],
    queryFn: ({ pageParam, signal }) =>
      adminGet<AdminUsersPage>(
        '/users',
        { q: q.trim(), limit: USERS_PAGE_SIZE, cursor: pageParam ?? undefined },
        signal,
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    placeholderData: keepPreviousData,
  });
}

export type UserAction =
  | { readonly kind: 'disable' | 'enable' | 'end-sessions'; readonly id: number }
  | { readonly kind: 'role'; readonly id: number; readonly role: AdminUser['role'] };

function sendUserAction(action: UserAction): Promise<AdminUser | SessionsEnded> {
  const path = `/users/${action.id}`;
  switch (action.kind) {
    case 'disable':
    case 'enable':
      return apiSend<AdminUser>(
        'POST',
        `${path}/${action.kind}`,
        undefined,
        'throw',
        ADMIN_API_PREFIX,
      );
    case 'end-sessions':
      return apiSend<SessionsEnded>(
        'POST',
        `${path}/sessions/end`,
        undefined,
        'throw',
        ADMIN_API_PREFIX,
      );
    case 'role':
      return apiSend<AdminUser>('PATCH', path, { role: action.role }, 'throw', ADMIN_API_PREFIX);
  }
}

/** Disables, enables, ends sessions or sets a role; the user list is fetched again after. */
export function useUserAction() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: sendUserAction,
    onSettled: () => client.invalidateQueries({ queryKey: USERS_KEY }),
  });
}

export interface AuditFilter {
  readonly userId: string;
  readonly event: AuditEventName | '';
  readonly outcome: 'success' | 'failure' | '';
  /** `datetime-local` values, in the browser's time zone. */
  readonly since: string;
  readonly until: string;
}

export const NO_AUDIT_FILTER: AuditFilter = {
  userId: '',
  event: '',
  outcome: '',
  since: '',
  until: '',
};

/** A `datetime-local` value as the API's ISO time, or undefined when empty or unreadable. */
function isoTime(local: string): string | undefined {
  if (!local) return undefined;
  const at = new Date(local);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

function auditQuery(filter: AuditFilter): Query {
  return {
    user_id: filter.userId.trim(),
    event: filter.event,
    outcome: filter.outcome,
    since: isoTime(filter.since),
    until: isoTime(filter.until),
  };
}

export function useAuditEvents(filter: AuditFilter) {
  return useInfiniteQuery({
    queryKey: [...ADMIN_KEY, 'audit', filter],
    queryFn: ({ pageParam, signal }) =>
      adminGet<AuditPage>(
        '/audit',
        { ...auditQuery(filter), limit: AUDIT_PAGE_SIZE, cursor: pageParam ?? undefined },
        signal,
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    placeholderData: keepPreviousData,
  });
}

/** Where the filtered trail downloads as CSV: a plain link, as it is a GET. */
export function auditCsvUrl(filter: AuditFilter): string {
  return apiUrl('/audit.csv', auditQuery(filter), ADMIN_API_PREFIX);
}
