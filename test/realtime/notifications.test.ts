// What `notifyUser` accepts and what goes on the channel: a user id, the
// documented fields and nothing else, within MAX_NOTIFICATION_BYTES.
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/platform/store/memory-store.js';
import {
  MAX_NOTIFICATION_BYTES,
  NOTIFICATIONS_CHANNEL,
  type Notification,
  notificationOfChannel,
  notifyUser,
} from '../../src/realtime/notifications.js';
import { parseFrames } from '../support/websocket-wire.js';

const NOTIFICATION: Notification = {
  id: '42',
  kind: 'price_alert',
  title: 'AK-47 | Redline (Field-Tested) is above $12.00',
  message: 'Steam lists it at $12.34.',
  item_id: 7,
  fired_at: '2026-11-01T12:00:00.000Z',
};

/** What `notifyUser` publishes, read off an in-process store. */
async function published(userId: number, notification: Notification): Promise<string> {
  const store = new MemoryStore();
  try {
    const heard = new Promise<string>((resolve) => {
      void store.subscribe(NOTIFICATIONS_CHANNEL, resolve);
    });
    await notifyUser(store, userId, notification);
    return await heard;
  } finally {
    await store.close();
  }
}

describe('notifyUser', () => {
  it('publishes the user id and the documented fields, and the frame carries them', async () => {
    const text = await published(3, { ...NOTIFICATION, extra: 'dropped' } as Notification);
    expect(JSON.parse(text)).toEqual({ user_id: 3, notification: NOTIFICATION });
    const addressed = notificationOfChannel(text);
    expect(addressed?.userId).toBe(3);
    const [frame] = parseFrames(addressed?.frame ?? Buffer.alloc(0));
    expect(JSON.parse(String(frame?.payload))).toEqual({
      type: 'notification',
      notification: NOTIFICATION,
    });
  });

  it.each([0, -1, 1.5, 2_147_483_648, Number.NaN])('refuses user id %s', async (userId) => {
    await expect(notifyUser(new MemoryStore(), userId, NOTIFICATION)).rejects.toThrow(RangeError);
  });

  it.each([
    ['an empty id', { id: '' }],
    ['a numeric id', { id: 42 }],
    ['no kind', { kind: undefined }],
    ['an item id that is not one', { item_id: 0 }],
    ['a fired_at that is not a time', { fired_at: 'yesterday' }],
  ])('refuses %s', async (_case, change) => {
    const notification = { ...NOTIFICATION, ...change } as unknown as Notification;
    await expect(notifyUser(new MemoryStore(), 1, notification)).rejects.toThrow(TypeError);
  });

  it('refuses a notification past MAX_NOTIFICATION_BYTES', async () => {
    const message = 'x'.repeat(MAX_NOTIFICATION_BYTES);
    await expect(notifyUser(new MemoryStore(), 1, { ...NOTIFICATION, message })).rejects.toThrow(
      RangeError,
    );
  });

  it('accepts a notification about no item', async () => {
    const text = await published(1, { ...NOTIFICATION, item_id: null });
    expect(notificationOfChannel(text)).not.toBeNull();
  });
});
