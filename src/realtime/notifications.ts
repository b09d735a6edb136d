// Private notifications over the live feed: `notifyUser` puts a message for
// one user on the store's `notifications` channel, whichever instance (or
// worker) calls it; every instance's hub hears it and writes it to that
// user's sockets on that instance, and to no one else's.
//
// One channel for every user, not one per user: each instance subscribes to
// it once, at start, as it does to `prices`, so a user's socket costs Redis
// nothing when it opens or closes (per-user channels would cost a SUBSCRIBE
// and an UNSUBSCRIBE per user per instance, a reconnect storm a burst of
// them, and could lose a message published before the SUBSCRIBE landed).
// The price is that every instance reads every notification and drops those
// of users it does not serve: one parse and one map lookup each, for
// messages that arrive far more rarely than prices, which every instance
// reads anyway. Per-user channels pay off only once instances times
// notifications outgrows that; docs/api.md#notifications says more.
//
// The channel crosses Redis: a message is checked field by field on the way
// in, and only the documented fields are sent on.
import type { Store } from '../platform/store/index.js';
import type { Notification, NotificationUpdate } from '../shared/live-feed.js';
import { textFrame } from './frames.js';
import { isItemId, isTimestamp } from './messages.js';

export type { Notification, NotificationUpdate };

/** The store channel of every user's notifications. */
export const NOTIFICATIONS_CHANNEL = 'notifications';

/**
 * The largest channel message, in bytes: a notification is a few lines, and
 * every instance reads every one. It is also far below the smallest
 * WS_MAX_BUFFERED_BYTES, so one never decides alone that a client is slow.
 */
export const MAX_NOTIFICATION_BYTES = 4096;

/** User ids are PostgreSQL `integer`s, as item ids are. */
const isUserId = isItemId;

const isText = (value: unknown): value is string => typeof value === 'string';

/** The documented fields of `value`, or null when it is not a notification. */
function notificationOf(value: unknown): Notification | null {
  if (typeof value !== 'object' || value === null) return null;
  const { id, kind, title, message, item_id, fired_at } = value as Record<string, unknown>;
  if (
    !isText(id) ||
    id === '' ||
    !isText(kind) ||
    kind === '' ||
    !isText(title) ||
    !isText(message) ||
    !(item_id === null || isItemId(item_id)) ||
    !isTimestamp(fired_at)
  ) {
    return null;
  }
  return { id, kind, title, message, item_id, fired_at };
}

/**
 * Sends `notification` to the open live feed sockets of user `userId`, on
 * every instance, as long as the session each was opened with is live when
 * it arrives. No socket open, nothing kept: the sender keeps its own record
 * (alert history) for the user to read later. Throws RangeError for a user
 * id that cannot be one or a notification past MAX_NOTIFICATION_BYTES,
 * TypeError for one without the documented fields, and StoreUnavailableError
 * when the store cannot take it.
 */
export async function notifyUser(
  store: Store,
  userId: number,
  notification: Notification,
): Promise<void> {
  if (!isUserId(userId)) throw new RangeError(`not a user id: ${userId}`);
  const checked = notificationOf(notification);
  if (!checked) {
    throw new TypeError('a notification needs id, kind, title, message, item_id and fired_at');
  }
  const text = JSON.stringify({ user_id: userId, notification: checked });
  if (Buffer.byteLength(text) > MAX_NOTIFICATION_BYTES) {
    throw new RangeError(`a notification may take ${MAX_NOTIFICATION_BYTES} bytes at most`);
  }
  await store.publish(NOTIFICATIONS_CHANNEL, text);
}

/** A notification off the channel: whose it is, and the frame its sockets get. */
export interface AddressedNotification {
  readonly userId: number;
  /** `{"type":"notification","notification":{...}}` as a complete WebSocket frame. */
  readonly frame: Buffer;
}

/** The notification in a channel message, or null for a message that is not one. */
export function notificationOfChannel(text: string): AddressedNotification | null {
  if (Buffer.byteLength(text) > MAX_NOTIFICATION_BYTES) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { user_id: userId, notification } = parsed as Record<string, unknown>;
  const checked = notificationOf(notification);
  if (!isUserId(userId) || !checked) return null;
  const update: NotificationUpdate = { type: 'notification', notification: checked };
  return { userId, frame: textFrame(Buffer.from(JSON.stringify(update))) };
}
