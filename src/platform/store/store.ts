// The ephemeral store: everything that lives in Redis (sessions, one-time
// tokens, rate-limit counters, cooldowns, latest prices, rankings, pub/sub).
// Two implementations pass one contract suite: Redis for any number of
// instances, and an in-process one for the single-process embedded default.

export interface SortedSetEntry {
  readonly member: string;
  readonly score: number;
}

export interface Counter {
  /** The value after this increment. */
  readonly count: number;
  /** Milliseconds until the counter resets. */
  readonly ttlMs: number;
}

/** One event offered to a sliding window (`admit`). */
export interface Admission {
  readonly admitted: boolean;
  /** When refused, milliseconds until the window has room again; 0 when admitted. */
  readonly retryAfterMs: number;
}

export interface AdmissionAndValue extends Admission {
  /** What `readKey` held, or null. */
  readonly value: string | null;
}

/** A sliding window: at most `limit` events admitted in any `windowMs`. */
export interface WindowLimit {
  readonly limit: number;
  readonly windowMs: number;
}

export type MessageHandler = (message: string) => void;
export type Unsubscribe = () => Promise<void>;

export interface Store {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  /** The value of each key, in order, null where absent: one round trip for all of them. */
  getMany(keys: readonly string[]): Promise<(string | null)[]>;
  /** Without `ttlMs` the value stays until deleted. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Sets only when the key is absent; true when this call set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * Sets only when the key exists; true when this call set it. An update
   * made this way cannot bring back a value deleted in the meantime.
   */
  replace(key: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * Gives the key a new TTL only while it still holds `value`; true when it
   * did. A lock holder renews its lock this way, so a lock that expired and
   * was taken by someone else is never extended by its former holder.
   */
  extendIfEquals(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Deletes the key only while it still holds `value`; true when it did. */
  deleteIfEquals(key: string, value: string): Promise<boolean>;
  /** Reads and deletes in one step, so a one-time value is used once. */
  getAndDelete(key: string): Promise<string | null>;
  /** Returns how many of the keys existed. */
  delete(...keys: string[]): Promise<number>;
  /** Atomically adds one; the first increment starts a window of `ttlMs`. */
  increment(key: string, ttlMs: number): Promise<Counter>;
  /**
   * Admits an event at `now` (epoch ms, the caller's clock) when fewer than
   * `limit` events were admitted at `key` in the `windowMs` before it, and
   * records it; a refused event is not recorded. The key keeps the times of
   * the last `limit` admitted events, so the bound holds in every window,
   * not only in fixed ones (S44).
   */
  admit(key: string, window: WindowLimit, now: number): Promise<Admission>;
  /**
   * `admit`, and the value at `readKey` read in the same step: a request
   * that must be counted and needs a value costs one round trip, not two.
   */
  admitAndGet(
    key: string,
    window: WindowLimit,
    now: number,
    readKey: string,
  ): Promise<AdmissionAndValue>;
  /** Adds members or updates their scores. */
  sortedSetAdd(key: string, entries: readonly SortedSetEntry[]): Promise<void>;
  /** Members by rank, `start` and `stop` inclusive, negative counting from the end. */
  sortedSetRange(
    key: string,
    start: number,
    stop: number,
    order?: 'asc' | 'desc',
  ): Promise<SortedSetEntry[]>;
  sortedSetRemove(key: string, members: readonly string[]): Promise<void>;
  publish(channel: string, message: string): Promise<void>;
  /** Delivers every later message on `channel` to `handler` until unsubscribed. */
  subscribe(channel: string, handler: MessageHandler): Promise<Unsubscribe>;
  /** Resolves when the store answers within `timeoutMs`. */
  ping(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** The store could not answer; callers fail closed (S7, S32) and answer 503. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

export function assertWindow({ limit, windowMs }: WindowLimit, now: number): void {
  if (!Number.isSafeInteger(limit) || limit <= 0) {
    throw new RangeError(`limit must be a positive integer, got ${limit}`);
  }
  assertTtl(windowMs);
  if (!Number.isSafeInteger(now) || now < 0) {
    throw new RangeError(`now must be epoch milliseconds, got ${now}`);
  }
}

export function assertTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`ttlMs must be a positive integer, got ${ttlMs}`);
  }
}
