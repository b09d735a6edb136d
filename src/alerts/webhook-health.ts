// How users' alert webhooks are doing, for the admin console: one row per
// webhook with its owner, its host (never the whole URL, which often holds
// the receiver's own secret) and its delivery record.
import { sql } from 'kysely';
import type { Database } from '../platform/db/index.js';

export interface WebhookHealth {
  readonly user_id: number;
  readonly email: string | null;
  readonly host: string;
  readonly format: 'discord' | 'json';
  readonly created_at: string;
  readonly last_success_at: string | null;
  readonly last_failure_at: string | null;
  readonly last_failure: string | null;
  readonly deliveries_ok: number;
  readonly deliveries_failed: number;
  readonly failing: boolean;
}

interface Row {
  readonly user_id: number;
  readonly email: string | null;
  readonly url: string;
  readonly format: 'discord' | 'json';
  readonly created_at: Date;
  readonly last_success_at: Date | null;
  readonly last_failure_at: Date | null;
  readonly last_failure: string | null;
  readonly deliveries_ok: number;
  readonly deliveries_failed: number;
  readonly failing: boolean;
}

const iso = (at: Date | null) => (at ? at.toISOString() : null);

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

/** Webhooks by owner id, after `afterUserId`; with `failing`, only those whose last delivery failed. */
export async function webhookHealth(
  database: Database,
  query: { readonly limit: number; readonly failing: boolean; readonly afterUserId?: number },
): Promise<WebhookHealth[]> {
  const { rows } = await sql<Row>`
    select w.user_id, u.email, w.url, w.format, w.created_at, w.last_success_at,
      w.last_failure_at, w.last_failure, w.deliveries_ok, w.deliveries_failed,
      (w.last_failure_at is not null
        and (w.last_success_at is null or w.last_failure_at > w.last_success_at)) as failing
    from alert_webhooks w join users u on u.id = w.user_id
    where w.user_id > ${query.afterUserId ?? 0}
      and (not ${query.failing} or (w.last_failure_at is not null
        and (w.last_success_at is null or w.last_failure_at > w.last_success_at)))
    order by w.user_id
    limit ${query.limit}`.execute(database.db);
  return rows.map((row) => ({
    user_id: Number(row.user_id),
    email: row.email,
    host: hostOf(row.url),
    format: row.format,
    created_at: row.created_at.toISOString(),
    last_success_at: iso(row.last_success_at),
    last_failure_at: iso(row.last_failure_at),
    last_failure: row.last_failure,
    deliveries_ok: Number(row.deliveries_ok),
    deliveries_failed: Number(row.deliveries_failed),
    failing: row.failing,
  }));
}
