import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { type AppDeps, buildApp } from '../../src/app.js';
import type { PasswordHasher } from '../../src/auth/index.js';
import { type Config, loadConfig, type RawEnv } from '../../src/config.js';
import type { Database } from '../../src/platform/db/index.js';
import { createLogger } from '../../src/platform/logger.js';
import type { Mailer } from '../../src/platform/mail/index.js';
import type { Store } from '../../src/platform/store/index.js';
import { fileDatabase, openTestStore } from './backends.js';

/** A strong fixed secret, so tests never write one into a data folder. */
export const TEST_SESSION_SECRET = 'k3Jx9vQ2mZ7pL4wT8rY1nB6cF0hD5sG3aE2uI9oP7qW4xV1zM8';

/**
 * Tests run PGlite on the test's own thread, where opening a database blocks
 * the event loop for a second or more: load shedding by event-loop delay
 * would refuse the next test's requests. Its own test turns it on.
 */
export function testConfig(env: RawEnv = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    SESSION_SECRET: TEST_SESSION_SECRET,
    LOAD_SHED_EVENT_LOOP_DELAY_MS: '0',
    ...env,
  }).config;
}

export interface LogLine {
  readonly level: number;
  readonly msg?: string;
  readonly err?: { readonly stack?: string; readonly message?: string };
  readonly [field: string]: unknown;
}

export const LOG_LEVEL_ERROR = 50;

/** Every line the app logs, parsed, for tests that assert on logging. */
export class LogCapture extends Writable {
  readonly lines: LogLine[] = [];
  readonly raw: string[] = [];

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim() === '') continue;
      this.raw.push(line);
      this.lines.push(JSON.parse(line) as LogLine);
    }
    done();
  }
}

export interface TestApp {
  readonly app: FastifyInstance;
  readonly config: Config;
  readonly database: Database;
  readonly store: Store;
  readonly logs: LogCapture;
}

export interface TestAppOptions {
  readonly env?: RawEnv;
  readonly database?: Database;
  readonly store?: Store;
  readonly staticRoot?: string | null;
  readonly mailer?: Mailer;
  readonly hasher?: PasswordHasher;
  readonly now?: () => number;
  /** The live feed's clock (AppDeps.clock). */
  readonly clock?: AppDeps['clock'];
  /** A stand-in for Steam's OpenID endpoint (test/support/steam-openid.ts). */
  readonly steamOpenIdEndpoint?: string;
  /** Stand-in OAuth providers (test/support/oauth-provider.ts). */
  readonly oauthEndpoints?: AppDeps['oauthEndpoints'];
  /** The webhook test button's options: a local receiver's certificate and address (S45). */
  readonly webhookOptions?: AppDeps['webhookOptions'];
  /** Adds routes before the app is made ready. */
  readonly routes?: (app: FastifyInstance) => void;
  /** Sees every route of the app as it is added (AppDeps.onRoute). */
  readonly onRoute?: AppDeps['onRoute'];
}

/** A whole app on test storage, ready for `inject`; closing it closes its storage. */
export async function buildTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = testConfig({ LOG_LEVEL: 'info', ...options.env });
  const database = options.database ?? (await fileDatabase());
  const store = options.store ?? (await openTestStore()).store;
  const logs = new LogCapture();
  const app = await buildApp(config, {
    database,
    store,
    logger: createLogger(config.logLevel, logs),
    staticRoot: options.staticRoot ?? null,
    ...(options.mailer ? { mailer: options.mailer } : {}),
    ...(options.hasher ? { hasher: options.hasher } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.steamOpenIdEndpoint ? { steamOpenIdEndpoint: options.steamOpenIdEndpoint } : {}),
    ...(options.oauthEndpoints ? { oauthEndpoints: options.oauthEndpoints } : {}),
    ...(options.onRoute ? { onRoute: options.onRoute } : {}),
    ...(options.webhookOptions ? { webhookOptions: options.webhookOptions } : {}),
  });
  options.routes?.(app);
  await app.ready();
  return { app, config, database, store, logs };
}
