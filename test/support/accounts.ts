// An app with accounts on test storage: migrated database, mail over real
// SMTP to a peer on 127.0.0.1, a password hasher that counts its calls, and
// a clock the test moves.
import { argon2Hasher, type PasswordHasher } from '../../src/auth/index.js';
import type { Database } from '../../src/platform/db/index.js';
import { createMailer } from '../../src/platform/mail/index.js';
import type { Store } from '../../src/platform/store/index.js';
import { buildTestApp, type TestApp, type TestAppOptions } from './app.js';
import { fileDatabase, openTestStore, type TestStore, type TestStoreOptions } from './backends.js';
import { Browser } from './browser.js';
import { type ReceivedMail, type SmtpPeer, startSmtpPeer } from './smtp.js';

export const PASSWORD = 'correct horse battery staple 42';

export interface CountingHasher extends PasswordHasher {
  /** hash() and verify() calls so far. */
  calls: number;
  /** Every hash that hash() returned, stored or not: secrets the S36 scan looks for. */
  readonly hashes: string[];
}

export function countingHasher(inner: PasswordHasher = argon2Hasher): CountingHasher {
  const counting: CountingHasher = {
    calls: 0,
    hashes: [],
    async hash(password) {
      counting.calls += 1;
      const passwordHash = await inner.hash(password);
      counting.hashes.push(passwordHash);
      return passwordHash;
    },
    verify(passwordHash, password) {
      counting.calls += 1;
      return inner.verify(passwordHash, password);
    },
    needsRehash: (passwordHash) => inner.needsRehash(passwordHash),
  };
  return counting;
}

export interface AccountsApp extends TestApp {
  readonly smtp: SmtpPeer;
  readonly hasher: CountingHasher;
  readonly testStore: TestStore;
  /** Moves the app's clock forward. */
  advance(ms: number): void;
  browser(ip?: string): Browser;
  close(): Promise<void>;
}

export interface AccountsAppOptions extends TestAppOptions {
  readonly storeOptions?: TestStoreOptions;
  /** Wraps the migrated database or the store the app gets, for tests that count their use. */
  readonly wrap?: {
    readonly database?: (database: Database) => Database;
    readonly store?: (store: Store) => Store;
  };
}

export async function startAccountsApp(options: AccountsAppOptions = {}): Promise<AccountsApp> {
  const smtp = await startSmtpPeer();
  const database = await fileDatabase();
  const testStore = await openTestStore(options.storeOptions);
  const hasher = countingHasher();
  let now = Date.now();
  const built = await buildTestApp({
    database: options.wrap?.database?.(database) ?? database,
    store: options.wrap?.store?.(testStore.store) ?? testStore.store,
    hasher,
    now: () => now,
    ...options,
    env: { BASE_URL: 'http://tracera.test', ...options.env },
    mailer: createMailer({
      smtpUrl: smtp.url,
      from: 'Tracera <no-reply@tracera.test>',
      outboxDir: '',
    }),
  });
  return {
    ...built,
    smtp,
    hasher,
    testStore,
    advance(ms) {
      now += ms;
    },
    browser: (ip) => new Browser(built.app, ip),
    async close() {
      await built.app.close();
      await smtp.close();
    },
  };
}

/** The token in the first link of a message. */
export function tokenIn(mail: ReceivedMail): string {
  const link = mail.links[0];
  if (!link) throw new Error(`no link in "${mail.subject}"`);
  const token = new URL(link).searchParams.get('token');
  if (!token) throw new Error(`no token in ${link}`);
  return token;
}

/** Signs up, follows the emailed link, and leaves the browser signed out but verified. */
export async function createVerifiedUser(
  accounts: AccountsApp,
  browser: Browser,
  email: string,
  password = PASSWORD,
): Promise<void> {
  const signup = await browser.send('POST', '/api/v1/auth/signup', { email, password });
  if (signup.statusCode !== 202) throw new Error(`signup: ${signup.statusCode} ${signup.body}`);
  const token = tokenIn(await accounts.smtp.nextMailTo(email));
  const verify = await browser.send('POST', '/api/v1/auth/verify-email', { token, password });
  if (verify.statusCode !== 200) throw new Error(`verify: ${verify.statusCode} ${verify.body}`);
}

export async function signIn(browser: Browser, email: string, password = PASSWORD) {
  const response = await browser.send('POST', '/api/v1/auth/login', { email, password });
  if (response.statusCode !== 200)
    throw new Error(`login: ${response.statusCode} ${response.body}`);
  return response;
}
