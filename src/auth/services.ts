// What the account flows work with, built once per app in `createAuthServices`
// and handed to routes explicitly rather than reached through globals.
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { Database } from '../platform/db/index.js';
import type { Mailer } from '../platform/mail/index.js';
import type { Store } from '../platform/store/index.js';
import { boundedHasher } from './bounded-hasher.js';
import { createDeferredWork, type DeferredWork } from './deferred-work.js';
import { type AccountEmails, accountEmails } from './emails.js';
import { HASHING_THREADS } from './hashing-pool.js';
import { createLoginThrottle, type LoginThrottle } from './login-throttle.js';
import { createOutgoingMail, type OutgoingMail } from './outgoing-mail.js';
import type { PasswordHasher } from './passwords.js';
import { createSessions, type Sessions } from './sessions.js';
import { generateToken } from './tokens.js';

export interface AuthServices {
  readonly database: Database;
  readonly store: Store;
  readonly sessions: Sessions;
  readonly hasher: PasswordHasher;
  /** Hashes waiting for a hashing thread now (S42). */
  readonly hashingQueueDepth: () => number;
  readonly throttle: LoginThrottle;
  readonly mail: OutgoingMail;
  /** Account work done after the request is answered (S12, S42). */
  readonly work: DeferredWork;
  readonly emails: AccountEmails;
  readonly now: () => number;
  readonly magicLinkExpiryMs: number;
  /**
   * A real hash of a random password, made when the app starts and verified
   * against when the email is unknown, so a login costs one hash whether or
   * not the account exists (S12).
   */
  readonly dummyPasswordHash: Promise<string>;
}

export interface AuthServiceDeps {
  readonly config: Config;
  readonly database: Database;
  readonly store: Store;
  readonly mailer: Mailer;
  readonly hasher: PasswordHasher;
  readonly now: () => number;
  readonly log: FastifyBaseLogger;
}

export function createAuthServices(deps: AuthServiceDeps): AuthServices {
  const { config, database, store, now, log } = deps;
  const hasher = boundedHasher(deps.hasher, {
    concurrency: HASHING_THREADS,
    maxWaiting: config.auth.hashQueueMax,
  });
  const dummyPasswordHash = hasher.hash(generateToken());
  // Awaited at the first unknown-email login; until then a failure must not crash the process.
  dummyPasswordHash.catch(() => {});
  return {
    database,
    store,
    hasher,
    hashingQueueDepth: hasher.waiting,
    now,
    sessions: createSessions({
      store,
      lifetimeMs: config.session.lifetimeMs,
      idleMs: config.session.idleMs,
      now,
    }),
    throttle: createLoginThrottle(store, now),
    mail: createOutgoingMail({
      mailer: deps.mailer,
      store,
      log,
      now,
      perAddressPerHour: config.mail.perAddressPerHour,
    }),
    work: createDeferredWork({ maxWaiting: config.mail.queueMax, log }),
    emails: accountEmails(config.baseUrl),
    magicLinkExpiryMs: config.auth.magicLinkExpiryMs,
    dummyPasswordHash,
  };
}
