// The in-process store for the embedded default: one process, nothing shared.
// Expired keys are dropped when read and swept once a minute, so memory does
// not grow with keys nobody reads again. Messages are delivered on a later
// turn of the event loop, as they would arrive from Redis.

import { MINUTE_MS } from '../time.js';
import {
  type Admission,
  type AdmissionAndValue,
  assertTtl,
  assertWindow,
  type Counter,
  type MessageHandler,
  type SortedSetEntry,
  type Store,
  type Unsubscribe,
  type WindowLimit,
} from './store.js';

export type Clock = () => number;

interface Entry {
  readonly value: string;
  /** Epoch ms, or null for no expiry. */
  readonly expiresAt: number | null;
}

/** A sliding window's admitted times, newest first, kept until a window after the newest. */
interface Admitted {
  readonly times: number[];
  readonly expiresAt: number;
}

const SWEEP_INTERVAL_MS = MINUTE_MS;

export interface MemoryStoreOptions {
  readonly now?: Clock;
  /** Called when a subscriber's handler throws; other handlers still receive the message. */
  readonly onHandlerError?: (error: unknown) => void;
}

export class MemoryStore implements Store {
  readonly kind = 'memory';
  private readonly values = new Map<string, Entry>();
  private readonly sortedSets = new Map<string, Map<string, number>>();
  private readonly windows = new Map<string, Admitted>();
  private readonly channels = new Map<string, Set<MessageHandler>>();
  private readonly now: Clock;
  private readonly onHandlerError: (error: unknown) => void;
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(options: MemoryStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.onHandlerError = options.onHandlerError ?? (() => {});
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  private live(key: string): Entry | undefined {
    const entry = this.values.get(key);
    if (entry && entry.expiresAt !== null && entry.expiresAt <= this.now()) {
      this.values.delete(key);
      return undefined;
    }
    return entry;
  }

  private liveWindow(key: string): Admitted | undefined {
    const window = this.windows.get(key);
    if (window && window.expiresAt <= this.now()) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  private sweep(): void {
    for (const key of this.values.keys()) this.live(key);
    for (const key of this.windows.keys()) this.liveWindow(key);
  }

  private open(): void {
    if (this.closed) throw new Error('store is closed');
  }

  async get(key: string): Promise<string | null> {
    this.open();
    return this.live(key)?.value ?? null;
  }

  async getMany(keys: readonly string[]): Promise<(string | null)[]> {
    this.open();
    return keys.map((key) => this.live(key)?.value ?? null);
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.open();
    if (ttlMs !== undefined) assertTtl(ttlMs);
    this.sortedSets.delete(key);
    this.values.set(key, { value, expiresAt: ttlMs === undefined ? null : this.now() + ttlMs });
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    this.open();
    assertTtl(ttlMs);
    if (this.live(key) || this.sortedSets.has(key)) return false;
    this.values.set(key, { value, expiresAt: this.now() + ttlMs });
    return true;
  }

  async replace(key: string, value: string, ttlMs: number): Promise<boolean> {
    this.open();
    assertTtl(ttlMs);
    if (!this.live(key)) return false;
    this.values.set(key, { value, expiresAt: this.now() + ttlMs });
    return true;
  }

  async extendIfEquals(key: string, value: string, ttlMs: number): Promise<boolean> {
    this.open();
    assertTtl(ttlMs);
    if (this.live(key)?.value !== value) return false;
    this.values.set(key, { value, expiresAt: this.now() + ttlMs });
    return true;
  }

  async deleteIfEquals(key: string, value: string): Promise<boolean> {
    this.open();
    if (this.live(key)?.value !== value) return false;
    return this.values.delete(key);
  }

  async getAndDelete(key: string): Promise<string | null> {
    this.open();
    const entry = this.live(key);
    this.values.delete(key);
    return entry?.value ?? null;
  }

  async delete(...keys: string[]): Promise<number> {
    this.open();
    let existed = 0;
    for (const key of keys) {
      const hadValue = this.live(key) !== undefined && this.values.delete(key);
      const hadSet = this.sortedSets.delete(key);
      const hadWindow = this.liveWindow(key) !== undefined && this.windows.delete(key);
      if (hadValue || hadSet || hadWindow) existed += 1;
    }
    return existed;
  }

  private count(key: string, ttlMs: number): Counter {
    this.open();
    assertTtl(ttlMs);
    const entry = this.live(key);
    const now = this.now();
    const count = (entry ? Number(entry.value) : 0) + 1;
    if (!Number.isSafeInteger(count)) throw new Error(`value at ${key} is not an integer`);
    const expiresAt = entry?.expiresAt ?? now + ttlMs;
    this.values.set(key, { value: String(count), expiresAt });
    return { count, ttlMs: expiresAt - now };
  }

  async increment(key: string, ttlMs: number): Promise<Counter> {
    return this.count(key, ttlMs);
  }

  private admitNow(key: string, window: WindowLimit, now: number): Admission {
    this.open();
    assertWindow(window, now);
    const { limit, windowMs } = window;
    const admitted = this.liveWindow(key);
    const oldest = admitted?.times[limit - 1];
    if (oldest !== undefined && oldest > now - windowMs) {
      return { admitted: false, retryAfterMs: oldest + windowMs - now };
    }
    const times = [now, ...(admitted?.times ?? [])].slice(0, limit);
    this.windows.set(key, { times, expiresAt: this.now() + windowMs });
    return { admitted: true, retryAfterMs: 0 };
  }

  async admit(key: string, window: WindowLimit, now: number): Promise<Admission> {
    return this.admitNow(key, window, now);
  }

  async admitAndGet(
    key: string,
    window: WindowLimit,
    now: number,
    readKey: string,
  ): Promise<AdmissionAndValue> {
    return { ...this.admitNow(key, window, now), value: this.live(readKey)?.value ?? null };
  }

  async sortedSetAdd(key: string, entries: readonly SortedSetEntry[]): Promise<void> {
    this.open();
    let set = this.sortedSets.get(key);
    if (!set) {
      set = new Map();
      this.sortedSets.set(key, set);
    }
    for (const { member, score } of entries) set.set(member, score);
  }

  async sortedSetRange(
    key: string,
    start: number,
    stop: number,
    order: 'asc' | 'desc' = 'asc',
  ): Promise<SortedSetEntry[]> {
    this.open();
    const set = this.sortedSets.get(key);
    if (!set) return [];
    // Redis orders equal scores by member, byte-wise; so does this.
    const sorted = [...set]
      .map(([member, score]) => ({ member, score }))
      .sort(
        (a, b) => a.score - b.score || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0),
      );
    if (order === 'desc') sorted.reverse();
    const from = start < 0 ? Math.max(sorted.length + start, 0) : start;
    const to = stop < 0 ? sorted.length + stop : Math.min(stop, sorted.length - 1);
    return from > to ? [] : sorted.slice(from, to + 1);
  }

  async sortedSetRemove(key: string, members: readonly string[]): Promise<void> {
    this.open();
    const set = this.sortedSets.get(key);
    if (!set) return;
    for (const member of members) set.delete(member);
    if (set.size === 0) this.sortedSets.delete(key);
  }

  async publish(channel: string, message: string): Promise<void> {
    this.open();
    const handlers = this.channels.get(channel);
    if (!handlers) return;
    for (const handler of [...handlers]) {
      setImmediate(() => {
        try {
          handler(message);
        } catch (error) {
          this.onHandlerError(error);
        }
      });
    }
  }

  async subscribe(channel: string, handler: MessageHandler): Promise<Unsubscribe> {
    this.open();
    let handlers = this.channels.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.channels.set(channel, handlers);
    }
    handlers.add(handler);
    return async () => {
      handlers.delete(handler);
      if (handlers.size === 0 && this.channels.get(channel) === handlers) {
        this.channels.delete(channel);
      }
    };
  }

  async ping(): Promise<void> {
    this.open();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    this.values.clear();
    this.sortedSets.clear();
    this.windows.clear();
    this.channels.clear();
  }
}
