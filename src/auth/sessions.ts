// Server-side sessions (S1, S2, S4, S5), after the Copenhagen Book: the
// browser holds a random 256-bit token; the store holds the session under
// SHA-256(token), so reading the store never yields a usable cookie. A
// session ends at the first of its absolute lifetime and its idle timeout,
// both checked here against the clock rather than left to the store's TTL.
// Last-seen is written at most once a minute, so an active user costs one
// store read per request, not a write.
//
// Each user's sessions are also indexed in a sorted set (member: token hash,
// score: absolute expiry) so they can be listed, ended and updated together.
// A session carries a copy of what the API shows of its user, so answering
// "who is this" costs one store read and no database query; every change to
// those fields goes through `refreshUser`.
import { randomBytes } from 'node:crypto';
import type { ClientInfo } from '../http/client-info.js';
import type { Store } from '../platform/store/index.js';
import { MINUTE_MS } from '../platform/time.js';
import { generateToken, hashToken, isWellFormedToken } from './tokens.js';
import type { PublicUser } from './users.js';

export const LAST_SEEN_WRITE_INTERVAL_MS = MINUTE_MS;
const PUBLIC_ID_BYTES = 16;

export interface Session {
  /** Public identifier shown in session lists; not the token, not its hash. */
  readonly id: string;
  readonly user: PublicUser;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly expiresAt: number;
  readonly ip: string;
  readonly userAgent: string;
}

export interface ActiveSession {
  readonly session: Session;
  /** SHA-256 of the token: the store key, never sent to a client. */
  readonly tokenHash: string;
}

/** Where a cookie value's session would be kept in the store. */
export interface SessionLocation {
  /** SHA-256 of the token. */
  readonly tokenHash: string;
  readonly key: string;
}

export interface SessionOptions {
  readonly store: Store;
  readonly lifetimeMs: number;
  readonly idleMs: number;
  readonly now: () => number;
}

const sessionKey = (tokenHash: string) => `session:${tokenHash}`;
const userIndexKey = (userId: number) => `user-sessions:${userId}`;

export function createSessions(options: SessionOptions) {
  const { store, lifetimeMs, idleMs, now } = options;

  const ttlFor = (session: Session, at: number) =>
    Math.max(1, Math.min(session.expiresAt - at, session.lastSeenAt + idleMs - at));

  async function write(tokenHash: string, session: Session, at: number): Promise<void> {
    await store.set(sessionKey(tokenHash), JSON.stringify(session), ttlFor(session, at));
  }

  /**
   * Updates a session only if it still exists: a sign-out or revocation that
   * lands between reading a session and updating it must not be undone.
   */
  async function update(tokenHash: string, session: Session, at: number): Promise<void> {
    await store.replace(sessionKey(tokenHash), JSON.stringify(session), ttlFor(session, at));
  }

  async function remove(userId: number, tokenHashes: readonly string[]): Promise<void> {
    if (tokenHashes.length === 0) return;
    await store.delete(...tokenHashes.map(sessionKey));
    await store.sortedSetRemove(userIndexKey(userId), tokenHashes);
  }

  /** The user's live sessions, dropping index entries whose session has ended. */
  async function list(userId: number): Promise<ActiveSession[]> {
    const at = now();
    const entries = await store.sortedSetRange(userIndexKey(userId), 0, -1);
    const active: ActiveSession[] = [];
    const ended: string[] = [];
    for (const { member: tokenHash, score: expiresAt } of entries) {
      const stored = expiresAt > at ? await store.get(sessionKey(tokenHash)) : null;
      const session = stored === null ? null : (JSON.parse(stored) as Session);
      if (session && !hasEnded(session, at)) active.push({ session, tokenHash });
      else ended.push(tokenHash);
    }
    if (ended.length > 0) await store.sortedSetRemove(userIndexKey(userId), ended);
    return active.sort((a, b) => b.session.lastSeenAt - a.session.lastSeenAt);
  }

  function hasEnded(session: Session, at: number): boolean {
    return at >= session.expiresAt || at - session.lastSeenAt >= idleMs;
  }

  /**
   * Where the session for a cookie value would be, or null for a value that
   * cannot be a token: such a value is never looked up.
   */
  function locate(token: unknown): SessionLocation | null {
    if (!isWellFormedToken(token)) return null;
    const tokenHash = hashToken(token);
    return { tokenHash, key: sessionKey(tokenHash) };
  }

  /**
   * The live session from what the store held at its location, or null.
   * An ended session is deleted on sight; last-seen is written at most once
   * a minute.
   */
  async function settle(
    { tokenHash }: SessionLocation,
    stored: string | null,
    client: ClientInfo,
  ): Promise<ActiveSession | null> {
    if (stored === null) return null;
    const at = now();
    let session = JSON.parse(stored) as Session;
    if (hasEnded(session, at)) {
      await remove(session.user.id, [tokenHash]);
      return null;
    }
    if (at - session.lastSeenAt >= LAST_SEEN_WRITE_INTERVAL_MS) {
      session = { ...session, lastSeenAt: at, ip: client.ip, userAgent: client.userAgent };
      await update(tokenHash, session, at);
    }
    return { session, tokenHash };
  }

  return {
    /** Starts a session; the token goes into the cookie and nowhere else. */
    async create(user: PublicUser, client: ClientInfo): Promise<{ token: string } & ActiveSession> {
      const at = now();
      const token = generateToken();
      const tokenHash = hashToken(token);
      const session: Session = {
        id: randomBytes(PUBLIC_ID_BYTES).toString('base64url'),
        user,
        createdAt: at,
        lastSeenAt: at,
        expiresAt: at + lifetimeMs,
        ip: client.ip,
        userAgent: client.userAgent,
      };
      await write(tokenHash, session, at);
      await store.sortedSetAdd(userIndexKey(user.id), [
        { member: tokenHash, score: session.expiresAt },
      ]);
      return { token, session, tokenHash };
    },

    /** The live session for a cookie value, or null. */
    async validate(token: unknown, client: ClientInfo): Promise<ActiveSession | null> {
      const location = locate(token);
      return location && settle(location, await store.get(location.key), client);
    },

    locate,

    settle,

    /** Milliseconds until the session's absolute end: the cookie's Max-Age. */
    remainingMs(session: Session): number {
      return Math.max(0, session.expiresAt - now());
    },

    list,

    /**
     * Which of `tokenHashes` are live sessions of `userId` now, in one store
     * read: the live feed asks before it writes a private message to the
     * sockets those sessions opened. Nothing is written: a message reaching
     * the user is not the user's activity, so it neither holds off the idle
     * timeout nor tidies up ended sessions (the next request does).
     */
    async liveOf(userId: number, tokenHashes: readonly string[]): Promise<Set<string>> {
      const live = new Set<string>();
      if (tokenHashes.length === 0) return live;
      const at = now();
      const stored = await store.getMany(tokenHashes.map(sessionKey));
      for (const [index, value] of stored.entries()) {
        if (value === null) continue;
        const session = JSON.parse(value) as Session;
        if (session.user.id === userId && !hasEnded(session, at)) {
          live.add(tokenHashes[index] as string);
        }
      }
      return live;
    },

    async end(active: ActiveSession): Promise<void> {
      await remove(active.session.user.id, [active.tokenHash]);
    },

    /** Puts the user's current fields into every one of their live sessions. */
    async refreshUser(user: PublicUser): Promise<void> {
      const at = now();
      for (const { session, tokenHash } of await list(user.id)) {
        await update(tokenHash, { ...session, user }, at);
      }
    },

    /** Ends one of the user's sessions by its public id; false when it is not theirs or not live. */
    async endById(userId: number, id: string): Promise<boolean> {
      const target = (await list(userId)).find(({ session }) => session.id === id);
      if (!target) return false;
      await remove(userId, [target.tokenHash]);
      return true;
    },

    /** Ends every session of the user except `keep` (password change), or all of them. */
    async endAll(userId: number, keep?: ActiveSession): Promise<number> {
      const entries = await store.sortedSetRange(userIndexKey(userId), 0, -1);
      const ended = entries
        .map(({ member }) => member)
        .filter((tokenHash) => tokenHash !== keep?.tokenHash);
      await remove(userId, ended);
      return ended.length;
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
