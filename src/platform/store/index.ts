import type { Config } from '../../config.js';
import { MemoryStore } from './memory-store.js';
import { RedisStore, type RedisStoreEvents } from './redis-store.js';
import type { Store } from './store.js';

export type {
  Admission,
  AdmissionAndValue,
  Counter,
  MessageHandler,
  SortedSetEntry,
  Store,
  Unsubscribe,
  WindowLimit,
} from './store.js';
export { StoreUnavailableError } from './store.js';

/** Redis when REDIS_URL is set, the in-process store otherwise. */
export async function openStore(
  settings: Config['redis'],
  events: RedisStoreEvents = {},
): Promise<Store> {
  if (!settings.url) return new MemoryStore({ onHandlerError: events.onHandlerError });
  return RedisStore.connect(
    {
      url: settings.url,
      keyPrefix: settings.keyPrefix,
      connectTimeoutMs: settings.connectTimeoutMs,
      commandTimeoutMs: settings.commandTimeoutMs,
    },
    events,
  );
}
