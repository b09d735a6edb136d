// Delivers recorded firings to their channels. A pass reads the firings not
// yet delivered, oldest first, and for each channel still pending:
//
// - app: a private message on the live feed to the user's open sessions
//   (`notify`); the history page shows it in any case.
// - email: one message per firing, or one digest for a user with several in
//   the pass, each counted against ALERT_EMAILS_PER_HOUR in a sliding window
//   in the store. Past the cap the email is skipped (the app and the webhook
//   still have it), so a market storm cannot flood a mailbox.
// - webhook: signed, with the firing's id as the idempotency key, through
//   the S45 client (webhook/delivery.ts), which retries by itself; the
//   outcome goes into the user's webhook health.
//
// Each channel ends `sent`, `failed` or `skipped` (with a reason), and the
// firing is then marked delivered. A crash mid-pass leaves it undelivered,
// so the next pass sends it again: at most once more, never lost; webhook
// receivers can drop the repeat by its X-Tracera-Event-Id.
import type { Logger } from 'pino';
import { findUserById, type User } from '../auth/users.js';
import { itemNames } from '../market/catalog/items.js';
import type { Clock } from '../platform/clock.js';
import type { Database } from '../platform/db/index.js';
import type { Mailer } from '../platform/mail/index.js';
import type { Store } from '../platform/store/index.js';
import { HOUR_MS } from '../platform/time.js';
import type { AlertChannel } from '../shared/alert-vocabulary.js';
import type { Notification } from '../shared/live-feed.js';
import { alertDigestEmail, alertEmail } from './emails.js';
import { alertsDb, type Deliveries, type DeliveryState } from './tables.js';
import { deliverWebhook, type WebhookOptions } from './webhook/delivery.js';

/** Firings read per pass; a pass that filled it runs again at once. */
export const FIRINGS_PER_PASS = 200;

/** What the live feed carries to a user's sessions when an alert fires. */
export type AlertNotification = Notification;

export interface FiringDeliveryOptions {
  readonly database: Database;
  readonly store: Store;
  readonly mailer: Mailer;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Where the emails' links lead. */
  readonly baseUrl: string;
  readonly emailsPerHour: number;
  /** Sends a private message to the user's open sessions, on whichever instance they are. */
  readonly notify: (userId: number, notification: AlertNotification) => Promise<void>;
  readonly webhookOptions?: WebhookOptions;
  /** Told each channel's outcome (docs/metrics.md). */
  readonly onDelivery?: (channel: AlertChannel, state: DeliveryState) => void;
}

export interface FiringDelivery {
  /** Starts a pass unless one runs; one that runs takes what was recorded meanwhile. */
  kick(): void;
  /** Resolves when no pass runs. */
  idle(): Promise<void>;
  /** Runs passes until nothing is left; returns how many firings were delivered. */
  drain(): Promise<number>;
}

interface Firing {
  readonly id: number;
  /** Null once the rule was deleted; what it fired before is still delivered. */
  readonly rule_id: number | null;
  readonly user_id: number;
  readonly kind: string;
  readonly item_id: number | null;
  readonly source: string;
  readonly value: number;
  readonly title: string;
  readonly message: string;
  readonly fired_at: Date;
  readonly deliveries: Deliveries;
}

type Outcome = { readonly state: DeliveryState; readonly reason?: string };

export function createFiringDelivery(options: FiringDeliveryOptions): FiringDelivery {
  const { database, store, mailer, clock, notify } = options;
  const logger = options.logger.child({ component: 'alert-delivery' });
  const db = alertsDb(database);
  const emailWindow = { limit: options.emailsPerHour, windowMs: HOUR_MS };
  let running: Promise<number> | null = null;
  let again = false;
  /** Users whose delivery runs. */
  const busy = new Set<number>();
  /** Users whose delivery failed in this drain: left to the next one. */
  const resting = new Set<number>();
  let woken: (() => void) | null = null;
  const wake = () => {
    const resolve = woken;
    woken = null;
    resolve?.();
  };

  const pending = (firing: Firing, channel: AlertChannel) =>
    firing.deliveries[channel]?.state === 'pending';

  async function toApp(firing: Firing): Promise<Outcome> {
    try {
      await notify(firing.user_id, {
        id: String(firing.id),
        kind: firing.kind,
        title: firing.title,
        message: firing.message,
        item_id: firing.item_id,
        fired_at: firing.fired_at.toISOString(),
      });
      return { state: 'sent' };
    } catch (error) {
      logger.warn({ err: error, firingId: firing.id }, 'alert notification failed');
      return { state: 'failed', reason: 'the live feed could not be reached' };
    }
  }

  async function toWebhook(firing: Firing, names: ReadonlyMap<number, string>): Promise<Outcome> {
    const webhook = await db
      .selectFrom('alert_webhooks')
      .select(['url', 'format', 'secret'])
      .where('user_id', '=', firing.user_id)
      .executeTakeFirst();
    if (!webhook) return { state: 'skipped', reason: 'no webhook is set up' };
    const result = await deliverWebhook(
      webhook,
      {
        ruleId: firing.rule_id === null ? '' : String(firing.rule_id),
        kind: firing.kind,
        item:
          firing.item_id === null
            ? null
            : { id: firing.item_id, name: names.get(firing.item_id) ?? `item ${firing.item_id}` },
        message: firing.message,
        value: firing.value,
        firedAt: firing.fired_at.toISOString(),
        source: firing.source,
      },
      `firing-${firing.id}`,
      options.webhookOptions ?? {},
    );
    const at = new Date(clock.now());
    await db
      .updateTable('alert_webhooks')
      .set((eb) =>
        result.delivered
          ? {
              last_attempt_at: at,
              last_success_at: at,
              deliveries_ok: eb('deliveries_ok', '+', 1),
            }
          : {
              last_attempt_at: at,
              last_failure_at: at,
              last_failure: result.message,
              deliveries_failed: eb('deliveries_failed', '+', 1),
            },
      )
      .where('user_id', '=', firing.user_id)
      .execute();
    return result.delivered ? { state: 'sent' } : { state: 'failed', reason: result.message };
  }

  /** One user's pending emails of the pass: one message, or one digest. */
  async function toEmail(user: User, firings: readonly Firing[]): Promise<Outcome> {
    const userId = user.id;
    if (!user.email || !user.email_verified) {
      return { state: 'skipped', reason: 'the account has no verified email address' };
    }
    const { admitted } = await store.admit(`alert-email:${userId}`, emailWindow, clock.now());
    if (!admitted) {
      return {
        state: 'skipped',
        reason: `over ${options.emailsPerHour} alert emails in an hour`,
      };
    }
    const [only] = firings;
    const message =
      firings.length === 1 && only
        ? alertEmail(options.baseUrl, user.email, only)
        : alertDigestEmail(options.baseUrl, user.email, firings);
    try {
      await mailer.send(message);
      return { state: 'sent' };
    } catch (error) {
      logger.warn({ err: { message: (error as Error).message }, userId }, 'alert email failed');
      return { state: 'failed', reason: 'the mail server did not accept the message' };
    }
  }

  async function deliverUser(
    userId: number,
    firings: readonly Firing[],
    names: ReadonlyMap<number, string>,
  ): Promise<void> {
    const outcomes = new Map<number, Partial<Record<AlertChannel, Outcome>>>();
    const set = (firing: Firing, channel: AlertChannel, outcome: Outcome) => {
      outcomes.set(firing.id, { ...outcomes.get(firing.id), [channel]: outcome });
      options.onDelivery?.(channel, outcome.state);
    };
    // A disabled account gets nothing, on any channel, until it is enabled.
    const found = await findUserById(database, userId);
    const user = found && found.disabled_at === null ? found : null;
    const closed: Outcome = { state: 'skipped', reason: 'the account is disabled' };
    const emailed = firings.filter((firing) => pending(firing, 'email'));
    if (emailed.length > 0) {
      const outcome = user ? await toEmail(user, emailed) : closed;
      for (const firing of emailed) set(firing, 'email', outcome);
    }
    for (const firing of firings) {
      if (pending(firing, 'app')) set(firing, 'app', user ? await toApp(firing) : closed);
      if (pending(firing, 'webhook')) {
        set(firing, 'webhook', user ? await toWebhook(firing, names) : closed);
      }
      const deliveries = { ...firing.deliveries, ...outcomes.get(firing.id) };
      await db
        .updateTable('alert_firings')
        .set({ deliveries: JSON.stringify(deliveries), delivered_at: new Date(clock.now()) })
        .where('id', '=', firing.id)
        .execute();
    }
  }

  async function pass(): Promise<number> {
    const firings = (await db
      .selectFrom('alert_firings')
      .select([
        'id',
        'rule_id',
        'user_id',
        'kind',
        'item_id',
        'source',
        'value',
        'title',
        'message',
        'fired_at',
        'deliveries',
      ])
      .where('delivered_at', 'is', null)
      .$if(busy.size + resting.size > 0, (query) =>
        query.where('user_id', 'not in', [...busy, ...resting]),
      )
      .orderBy('id')
      .limit(FIRINGS_PER_PASS)
      .execute()) as Firing[];
    const names = await itemNames(
      database,
      firings.map((firing) => firing.item_id),
    );
    const byUser = new Map<number, Firing[]>();
    for (const firing of firings) {
      const userId = Number(firing.user_id);
      byUser.set(userId, [...(byUser.get(userId) ?? []), firing]);
    }
    // Users are independent, and not awaited here: one user's slow receiver (a webhook that takes its
    // whole timeout on every attempt, for each of a hundred rules) must not
    // hold back the next pass, and with it every other user's alerts. A user
    // whose delivery runs is left out of the passes until it ends.
    for (const [userId, own] of byUser) {
      busy.add(userId);
      void deliverUser(userId, own, names)
        .catch((error: unknown) => {
          // Retried by the next drain, not at once: a failure that lasts must not spin.
          resting.add(userId);
          logger.error({ err: error, userId }, 'alert delivery failed; the next drain retries');
        })
        .finally(() => {
          busy.delete(userId);
          // More of this user's alerts may have been left out of a pass meanwhile.
          again = true;
          wake();
        });
    }
    return firings.length;
  }

  async function drain(): Promise<number> {
    let delivered = 0;
    resting.clear();
    for (;;) {
      again = false;
      const count = await pass();
      delivered += count;
      if (count === FIRINGS_PER_PASS || again) continue;
      if (busy.size === 0) return delivered;
      // Until a user's delivery ends (more of theirs may be waiting) or a kick.
      await new Promise<void>((resolve) => {
        woken = resolve;
      });
    }
  }

  return {
    kick() {
      if (running) {
        again = true;
        wake();
        return;
      }
      running = drain()
        .catch((error: unknown) => {
          logger.error({ err: error }, 'alert delivery pass failed');
          return 0;
        })
        .finally(() => {
          running = null;
        });
    },
    async idle() {
      while (running) await running;
    },
    drain,
  };
}
