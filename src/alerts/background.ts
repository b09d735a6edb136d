// The alerts' background work, started beside market ingestion by `serve`
// and `worker`: the evaluator behind each batch of stored prices and after
// each cycle, and the delivery of what fired. Both act only on the
// ingestion leader, where batches are stored; a firing recorded there is
// delivered from the same process, and firings left undelivered by a crash
// go at the next cycle, wherever the leader then is.
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { StoredChange } from '../market/ingest/index.js';
import type { Clock } from '../platform/clock.js';
import type { Database } from '../platform/db/index.js';
import type { Mailer } from '../platform/mail/index.js';
import type { Store } from '../platform/store/index.js';
import type { AlertChannel } from '../shared/alert-vocabulary.js';
import {
  type AlertNotification,
  createFiringDelivery,
  type FiringDelivery,
} from './deliver-firings.js';
import { type AlertEvaluator, createAlertEvaluator } from './evaluator.js';
import type { DeliveryState } from './tables.js';
import type { WebhookOptions } from './webhook/delivery.js';

export interface AlertsBackgroundOptions {
  readonly config: Config;
  readonly database: Database;
  readonly store: Store;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly mailer: Mailer;
  readonly notify: (userId: number, notification: AlertNotification) => Promise<void>;
  readonly webhookOptions?: WebhookOptions;
  readonly onEvaluated?: (rules: number) => void;
  readonly onFired?: (count: number) => void;
  readonly onDelivery?: (channel: AlertChannel, state: DeliveryState) => void;
}

export interface AlertsBackground {
  readonly evaluator: AlertEvaluator;
  readonly delivery: FiringDelivery;
  /** For the ingestion's onStored: the batch's changed (item, source) pairs. */
  changed(changes: readonly StoredChange[]): void;
  /** For the ingestion's afterCycle: time-made rules; starts delivering what is left, without waiting. */
  afterCycle(signal: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}

export async function startAlertsBackground(
  options: AlertsBackgroundOptions,
): Promise<AlertsBackground> {
  const { config, database, store, logger, clock } = options;
  const delivery = createFiringDelivery({
    database,
    store,
    mailer: options.mailer,
    logger,
    clock,
    baseUrl: config.baseUrl,
    emailsPerHour: config.alerts.emailsPerHour,
    notify: options.notify,
    ...(options.webhookOptions ? { webhookOptions: options.webhookOptions } : {}),
    ...(options.onDelivery ? { onDelivery: options.onDelivery } : {}),
  });
  const evaluator = createAlertEvaluator({
    database,
    store,
    logger,
    clock,
    sources: config.market.providers,
    currency: config.market.currency,
    onFired: (count) => {
      options.onFired?.(count);
      delivery.kick();
    },
    ...(options.onEvaluated ? { onEvaluated: options.onEvaluated } : {}),
  });
  await evaluator.start();
  return {
    evaluator,
    delivery,
    changed: (changes) => evaluator.changed(changes),
    async afterCycle(signal) {
      await evaluator.afterCycle(signal);
      // Not awaited: the ingestion cycle waits for this, and a user's webhook
      // can take minutes per alert (timeouts, Retry-After); prices must not.
      delivery.kick();
    },
    async stop() {
      await evaluator.stop();
      await delivery.idle();
    },
  };
}
