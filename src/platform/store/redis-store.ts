// The Redis store, shared by every instance. Commands go through a connection
// with no offline queue and short timeouts (S7): while Redis is away they fail
// at once with StoreUnavailableError instead of piling up, and the client keeps
// reconnecting in the background. Subscriptions use a second connection, as
// Redis requires, which does queue so they are restored after a reconnect.
import { Redis, ReplyError } from 'ioredis';
import { withTimeout } from '../timeout.js';
import {
  type Admission,
  type AdmissionAndValue,
  assertTtl,
  assertWindow,
  type Counter,
  type MessageHandler,
  type SortedSetEntry,
  type Store,
  StoreUnavailableError,
  type Unsubscribe,
  type WindowLimit,
} from './store.js';

export interface RedisStoreOptions {
  readonly url: string;
  /** Prepended to every key and channel. */
  readonly keyPrefix: string;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
}

export interface RedisStoreEvents {
  /** Redis became unreachable; reported once per outage. */
  readonly onDown?: (error: Error) => void;
  /** Redis answers again after an outage. */
  readonly onUp?: () => void;
  readonly onHandlerError?: (error: unknown) => void;
}

const MAX_RECONNECT_DELAY_MS = 2000;
const RECONNECT_STEP_MS = 100;
const CLOSE_TIMEOUT_MS = 1000;

// INCR and the expiry of the window it opens must be one step: a crash between
// them would leave a counter that never resets. A key left without expiry by
// anything else gets one here too.
const INCREMENT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`;

// A sliding window (S44) as a list of the last ARGV[1] admitted times, newest
// first: an event is admitted when the oldest of them left the window. The
// time is the caller's (ARGV[3]), so one clock decides, injected in tests.
const ADMIT = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local oldest = redis.call('LINDEX', KEYS[1], limit - 1)
local admitted, retry = 1, 0
if oldest and tonumber(oldest) > now - window then
  admitted, retry = 0, tonumber(oldest) + window - now
else
  redis.call('LPUSH', KEYS[1], now)
  redis.call('LTRIM', KEYS[1], 0, limit - 1)
  redis.call('PEXPIRE', KEYS[1], window)
end`;
const ADMIT_SCRIPT = `${ADMIT}
return {admitted, retry}`;
// Two keys in one script need one node: fine for the single Redis this store
// connects to, and the place to split into two commands under Redis Cluster.
const ADMIT_AND_GET_SCRIPT = `${ADMIT}
return {admitted, retry, redis.call('GET', KEYS[2])}`;

// Comparing and then acting must be one step, or a lock could expire and be
// taken by another holder between the GET and the PEXPIRE or DEL.
const EXTEND_IF_EQUALS_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;

const DELETE_IF_EQUALS_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/** The client with the scripts above defined as commands: sent by their SHA1 (EVALSHA), not their text. */
type ScriptedRedis = Redis & {
  traceraIncrement(key: string, ttlMs: number): Promise<unknown>;
  traceraAdmit(key: string, limit: number, windowMs: number, now: number): Promise<unknown>;
  traceraAdmitAndGet(
    key: string,
    readKey: string,
    limit: number,
    windowMs: number,
    now: number,
  ): Promise<unknown>;
  traceraExtendIfEquals(key: string, value: string, ttlMs: number): Promise<unknown>;
  traceraDeleteIfEquals(key: string, value: string): Promise<unknown>;
};

function toEntries(flat: readonly string[]): SortedSetEntry[] {
  const entries: SortedSetEntry[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    entries.push({ member: flat[i] as string, score: Number(flat[i + 1]) });
  }
  return entries;
}

export class RedisStore implements Store {
  readonly kind = 'redis';
  private readonly client: ScriptedRedis;
  private readonly subscriber: Redis;
  private readonly channels = new Map<string, Set<MessageHandler>>();
  private readonly prefix: string;
  private reachable = true;

  private constructor(
    options: RedisStoreOptions,
    private readonly events: RedisStoreEvents,
  ) {
    this.prefix = options.keyPrefix;
    const common = {
      connectTimeout: options.connectTimeoutMs,
      retryStrategy: (attempt: number) =>
        Math.min(attempt * RECONNECT_STEP_MS, MAX_RECONNECT_DELAY_MS),
      lazyConnect: true,
    };
    const client = new Redis(options.url, {
      ...common,
      enableOfflineQueue: false,
      commandTimeout: options.commandTimeoutMs,
      maxRetriesPerRequest: 0,
      // Commands issued in one turn of the event loop, by any requests, leave
      // in one write: under load that saves a system call per command.
      enableAutoPipelining: true,
    });
    client.defineCommand('traceraIncrement', { numberOfKeys: 1, lua: INCREMENT_SCRIPT });
    client.defineCommand('traceraAdmit', { numberOfKeys: 1, lua: ADMIT_SCRIPT });
    client.defineCommand('traceraAdmitAndGet', { numberOfKeys: 2, lua: ADMIT_AND_GET_SCRIPT });
    client.defineCommand('traceraExtendIfEquals', {
      numberOfKeys: 1,
      lua: EXTEND_IF_EQUALS_SCRIPT,
    });
    client.defineCommand('traceraDeleteIfEquals', {
      numberOfKeys: 1,
      lua: DELETE_IF_EQUALS_SCRIPT,
    });
    this.client = client as ScriptedRedis;
    this.subscriber = new Redis(options.url, {
      ...common,
      enableOfflineQueue: true,
      autoResubscribe: true,
      maxRetriesPerRequest: null,
    });
    this.client.on('error', (error: Error) => this.markDown(error));
    this.client.on('ready', () => this.markUp());
    this.subscriber.on('error', () => {});
    this.subscriber.on('message', (channel: string, message: string) =>
      this.deliver(channel, message),
    );
  }

  /**
   * Connects both clients. A Redis that is down at startup is not fatal: the
   * store reports itself unavailable and keeps reconnecting.
   */
  static async connect(options: RedisStoreOptions, events: RedisStoreEvents = {}) {
    const store = new RedisStore(options, events);
    await Promise.all([
      store.client.connect().catch((error: Error) => store.markDown(error)),
      store.subscriber.connect().catch(() => {}),
    ]);
    return store;
  }

  private markDown(error: Error): void {
    if (!this.reachable) return;
    this.reachable = false;
    this.events.onDown?.(error);
  }

  private markUp(): void {
    if (this.reachable) return;
    this.reachable = true;
    this.events.onUp?.();
  }

  private key(key: string): string {
    return this.prefix + key;
  }

  private async run<T>(command: Promise<T>): Promise<T> {
    try {
      return await command;
    } catch (error) {
      if (error instanceof ReplyError) throw error;
      throw new StoreUnavailableError(`Redis unavailable: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  async get(key: string): Promise<string | null> {
    return this.run(this.client.get(this.key(key)));
  }

  async getMany(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    return this.run(this.client.mget(keys.map((key) => this.key(key))));
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    if (ttlMs === undefined) {
      await this.run(this.client.set(this.key(key), value));
      return;
    }
    assertTtl(ttlMs);
    await this.run(this.client.set(this.key(key), value, 'PX', ttlMs));
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    assertTtl(ttlMs);
    const reply = await this.run(this.client.set(this.key(key), value, 'PX', ttlMs, 'NX'));
    return reply === 'OK';
  }

  async replace(key: string, value: string, ttlMs: number): Promise<boolean> {
    assertTtl(ttlMs);
    const reply = await this.run(this.client.set(this.key(key), value, 'PX', ttlMs, 'XX'));
    return reply === 'OK';
  }

  async extendIfEquals(key: string, value: string, ttlMs: number): Promise<boolean> {
    assertTtl(ttlMs);
    const reply = await this.run(this.client.traceraExtendIfEquals(this.key(key), value, ttlMs));
    return reply === 1;
  }

  async deleteIfEquals(key: string, value: string): Promise<boolean> {
    const reply = await this.run(this.client.traceraDeleteIfEquals(this.key(key), value));
    return reply === 1;
  }

  async getAndDelete(key: string): Promise<string | null> {
    return this.run(this.client.getdel(this.key(key)));
  }

  async delete(...keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    return this.run(this.client.del(...keys.map((key) => this.key(key))));
  }

  async increment(key: string, ttlMs: number): Promise<Counter> {
    assertTtl(ttlMs);
    const reply = (await this.run(this.client.traceraIncrement(this.key(key), ttlMs))) as [
      number,
      number,
    ];
    return { count: reply[0], ttlMs: reply[1] };
  }

  async admit(key: string, window: WindowLimit, now: number): Promise<Admission> {
    assertWindow(window, now);
    const command = this.client.traceraAdmit(this.key(key), window.limit, window.windowMs, now);
    const reply = (await this.run(command)) as [number, number];
    return { admitted: reply[0] === 1, retryAfterMs: reply[1] };
  }

  async admitAndGet(
    key: string,
    window: WindowLimit,
    now: number,
    readKey: string,
  ): Promise<AdmissionAndValue> {
    assertWindow(window, now);
    const { limit, windowMs } = window;
    const command = this.client.traceraAdmitAndGet(
      this.key(key),
      this.key(readKey),
      limit,
      windowMs,
      now,
    );
    const reply = (await this.run(command)) as [number, number, unknown];
    // A missing key is Lua's false: nil in RESP2, but 0 if the connection ever speaks RESP3.
    return {
      admitted: reply[0] === 1,
      retryAfterMs: reply[1],
      value: typeof reply[2] === 'string' ? reply[2] : null,
    };
  }

  async sortedSetAdd(key: string, entries: readonly SortedSetEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const args = entries.flatMap(({ member, score }) => [score, member]);
    await this.run(this.client.zadd(this.key(key), ...args));
  }

  async sortedSetRange(
    key: string,
    start: number,
    stop: number,
    order: 'asc' | 'desc' = 'asc',
  ): Promise<SortedSetEntry[]> {
    const flat =
      order === 'asc'
        ? await this.run(
            this.client.zrange(this.key(key), String(start), String(stop), 'WITHSCORES'),
          )
        : await this.run(
            this.client.zrange(this.key(key), String(start), String(stop), 'REV', 'WITHSCORES'),
          );
    return toEntries(flat);
  }

  async sortedSetRemove(key: string, members: readonly string[]): Promise<void> {
    if (members.length === 0) return;
    await this.run(this.client.zrem(this.key(key), ...members));
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.run(this.client.publish(this.key(channel), message));
  }

  private deliver(prefixedChannel: string, message: string): void {
    const handlers = this.channels.get(prefixedChannel);
    if (!handlers) return;
    for (const handler of [...handlers]) {
      try {
        handler(message);
      } catch (error) {
        this.events.onHandlerError?.(error);
      }
    }
  }

  async subscribe(channel: string, handler: MessageHandler): Promise<Unsubscribe> {
    const name = this.key(channel);
    let handlers = this.channels.get(name);
    if (!handlers) {
      handlers = new Set();
      this.channels.set(name, handlers);
      // While Redis is away the subscription waits in the queue and is made on
      // reconnect; only a live connection is worth waiting for.
      const subscribed = this.subscriber.subscribe(name);
      if (this.subscriber.status === 'ready') await subscribed;
      else subscribed.catch(() => {});
    }
    handlers.add(handler);
    return async () => {
      handlers.delete(handler);
      if (handlers.size > 0 || this.channels.get(name) !== handlers) return;
      this.channels.delete(name);
      await this.subscriber.unsubscribe(name).catch(() => {});
    };
  }

  async ping(timeoutMs: number): Promise<void> {
    await this.run(withTimeout(this.client.ping(), timeoutMs, 'Redis ping'));
  }

  async close(): Promise<void> {
    this.channels.clear();
    await Promise.allSettled(
      [this.client, this.subscriber].map((connection) =>
        withTimeout(connection.quit(), CLOSE_TIMEOUT_MS, 'Redis quit'),
      ),
    );
    this.client.disconnect();
    this.subscriber.disconnect();
  }
}
