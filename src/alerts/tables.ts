// The alert tables as Kysely sees them (migrations/015_alerts.sql).
import type { ColumnType, Generated, Kysely } from 'kysely';
import type { Database } from '../platform/db/index.js';
import type { AlertChannel, AlertKind, AlertParams } from '../shared/alert-vocabulary.js';

export type DeliveryState = 'pending' | 'sent' | 'failed' | 'skipped';
export type Deliveries = Partial<
  Record<AlertChannel, { readonly state: DeliveryState; readonly reason?: string }>
>;

export type AlertTables = {
  alert_rules: {
    id: Generated<number>;
    user_id: number;
    kind: AlertKind;
    item_id: number | null;
    source: string;
    params: ColumnType<AlertParams, string, string>;
    margin_percent: number;
    channels: AlertChannel[];
    note: ColumnType<string, string | undefined, string>;
    paused: ColumnType<boolean, boolean | undefined, boolean>;
    armed: ColumnType<boolean, boolean | undefined, boolean>;
    arm_seq: ColumnType<number, number | undefined, number>;
    created_at: ColumnType<Date, Date | undefined, never>;
    updated_at: ColumnType<Date, Date | undefined, Date>;
  };
  alert_firings: {
    id: Generated<number>;
    /** Null once the rule was deleted. */
    rule_id: number | null;
    user_id: number;
    arm_seq: number;
    fired_at: Date;
    kind: AlertKind;
    item_id: number | null;
    source: string;
    value: number;
    title: string;
    message: string;
    deliveries: ColumnType<Deliveries, string, string>;
    delivered_at: Date | null;
  };
  alert_webhooks: {
    user_id: number;
    url: string;
    format: 'discord' | 'json';
    secret: string;
    created_at: ColumnType<Date, Date | undefined, never>;
    last_attempt_at: Date | null;
    last_success_at: Date | null;
    last_failure_at: Date | null;
    last_failure: string | null;
    deliveries_ok: ColumnType<number, number | undefined, number>;
    deliveries_failed: ColumnType<number, number | undefined, number>;
  };
};

export function alertsDb(database: Database): Kysely<AlertTables> {
  return database.db.withTables<AlertTables>();
}
