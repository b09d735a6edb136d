// Strict configuration (S6, S30): every setting is read once, at startup, from
// the environment (over an optional `.env`), checked against the rules in
// `config/settings.ts`, and handed around as one typed object. A bad value
// stops the process before it listens, with the variable and the rule named.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { sessionSecretProblem } from './config/secret-strength.js';
import {
  type Cidr,
  type RawEnv,
  RuleViolation,
  type Setting,
  type SettingName,
  type SettingValues,
  settings,
} from './config/settings.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS } from './platform/time.js';

export type { Cidr, RawEnv } from './config/settings.js';

export interface Config {
  readonly env: SettingValues['NODE_ENV'];
  readonly host: string;
  readonly port: number;
  /** Public origin, e.g. `https://tracera.example`; no trailing slash. */
  readonly baseUrl: string;
  readonly dataDir: string;
  readonly sessionSecret: string;
  readonly database: { readonly url: string | null; readonly poolSize: number };
  readonly redis: {
    readonly url: string | null;
    readonly keyPrefix: string;
    readonly connectTimeoutMs: number;
    readonly commandTimeoutMs: number;
  };
  readonly session: { readonly lifetimeMs: number; readonly idleMs: number };
  readonly auth: {
    /** Per client IP and route: what checks a credential, spends a token or sends mail (S21). */
    readonly rateLimitPerMinute: number;
    /** Per client IP and route: what a page load reads (S44). */
    readonly readRateLimitPerMinute: number;
    readonly hashQueueMax: number;
    readonly magicLinkExpiryMs: number;
    /** The OAuth clients configured; a provider without one is not offered. */
    readonly oauth: {
      readonly google: OAuthCredentials | null;
      readonly github: OAuthCredentials | null;
    };
  };
  readonly mail: {
    /** SMTP server; null writes messages into `outboxDir` instead. */
    readonly smtpUrl: string | null;
    readonly from: string;
    readonly outboxDir: string;
    readonly perAddressPerHour: number;
    readonly queueMax: number;
  };
  readonly trustedProxies: readonly Cidr[];
  /** The gate of admin routes and /metrics (S28). */
  readonly admin: {
    readonly allowlist: readonly Cidr[];
    /** Null: admin is off, and its routes answer 404. */
    readonly basicAuth: SettingValues['ADMIN_BASIC_AUTH'] | null;
    /** Wrong credentials per client in any `failureWindowMs`. */
    readonly maxFailures: number;
    readonly failureWindowMs: number;
    /** Requests per client per minute to any gated route, right credentials or not. */
    readonly requestsPerMinute: number;
  };
  readonly http: {
    readonly headersTimeoutMs: number;
    readonly requestTimeoutMs: number;
    readonly keepAliveTimeoutMs: number;
    readonly idleTimeoutMs: number;
    readonly bodyLimitBytes: number;
  };
  readonly health: { readonly timeoutMs: number; readonly cacheMs: number };
  /** Load shedding (S42); null turns a check off. */
  readonly loadShedding: {
    readonly maxEventLoopDelayMs: number | null;
    readonly maxHeapUsedBytes: number | null;
  };
  readonly market: {
    readonly providers: readonly SettingValues['MARKET_PROVIDERS'][number][];
    readonly currency: SettingValues['MARKET_CURRENCY'];
    readonly steam: { readonly url: string; readonly requestIntervalMs: number };
    readonly skinport: { readonly url: string };
    /** Bounds on every provider request. */
    readonly http: { readonly timeoutMs: number; readonly maxResponseBytes: number };
    readonly demo: { readonly seed: number };
    readonly ingest: { readonly intervalMs: number; readonly inServe: boolean };
    readonly rawRetentionMs: number;
    readonly staleAfterMs: number;
  };
  readonly portfolio: {
    readonly inventory: {
      readonly url: string;
      readonly pageSize: number;
      readonly maxBytes: number;
      readonly maxPages: number;
      readonly timeoutMs: number;
      readonly deadlineMs: number;
    };
    readonly importCooldownMs: number;
    /** Which source prices a holding, most preferred first. */
    readonly priceSources: readonly SettingValues['PORTFOLIO_PRICE_SOURCES'][number][];
    readonly csvMaxBytes: number;
  };
  readonly alerts: {
    readonly rulesPerUser: number;
    readonly emailsPerHour: number;
  };
  readonly watchlist: {
    /** Items one user may watch at once (WATCHLIST_ITEMS_PER_USER). */
    readonly itemsPerUser: number;
  };
  /** The live feed (WebSocket hub). */
  readonly realtime: {
    /** Null: no cap. */
    readonly maxConnectionsPerIp: number | null;
    readonly maxSubscriptions: number;
    readonly maxBufferedBytes: number;
    readonly heartbeatMs: number;
  };
  readonly shutdownTimeoutMs: number;
  readonly logLevel: SettingValues['LOG_LEVEL'];
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  readonly config: Config;
  /** Things the operator should hear about at startup, such as a generated secret. */
  readonly notices: readonly string[];
}

const SESSION_SECRET_FILE = 'session-secret';
const MIB = 1024 * 1024;
/** The window ADMIN_AUTH_MAX_FAILURES counts in. */
const ADMIN_FAILURE_WINDOW_MS = 15 * MINUTE_MS;

function describeValue(name: SettingName, raw: string): string {
  const setting: Setting<unknown> = settings[name];
  return setting.secret ? '' : ` (got ${JSON.stringify(raw)})`;
}

function readSettings(env: RawEnv): { values: Partial<SettingValues>; problems: string[] } {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const name of Object.keys(settings) as SettingName[]) {
    const setting: Setting<unknown> = settings[name];
    const given = env[name];
    const fallback = typeof setting.default === 'function' ? setting.default(env) : setting.default;
    const isGiven = given !== undefined && given !== '';
    const raw = isGiven ? given : fallback;
    if (raw === undefined) continue;
    try {
      values[name] = setting.parse(raw);
    } catch (error) {
      if (!(error instanceof RuleViolation)) throw error;
      // A default derived from another variable fails only when that one is bad, and it is reported.
      if (!isGiven && typeof setting.default === 'function') continue;
      const reason = error.message ? `: ${error.message}` : '';
      problems.push(`${name}: must be ${setting.rule}${reason}${describeValue(name, raw)}`);
    }
  }
  const lifetime = values.SESSION_LIFETIME_HOURS as number | undefined;
  const idle = values.SESSION_IDLE_HOURS as number | undefined;
  if (lifetime !== undefined && idle !== undefined && idle > lifetime) {
    problems.push(
      `SESSION_IDLE_HOURS: must not be above SESSION_LIFETIME_HOURS (${idle} > ${lifetime})`,
    );
  }
  const headers = values.HTTP_HEADERS_TIMEOUT_MS as number | undefined;
  const request = values.HTTP_REQUEST_TIMEOUT_MS as number | undefined;
  if (headers !== undefined && request !== undefined && headers > request) {
    problems.push(
      `HTTP_HEADERS_TIMEOUT_MS: must not be above HTTP_REQUEST_TIMEOUT_MS (${headers} > ${request})`,
    );
  }
  const given = (name: string) => (env[name] ?? '') !== '';
  for (const provider of ['GOOGLE', 'GITHUB']) {
    const id = given(`${provider}_CLIENT_ID`);
    const secret = given(`${provider}_CLIENT_SECRET`);
    if (id !== secret) {
      const missing = id ? `${provider}_CLIENT_SECRET` : `${provider}_CLIENT_ID`;
      problems.push(`${missing}: must be set with ${provider}_CLIENT_${id ? 'ID' : 'SECRET'}`);
    }
  }
  return { values: values as Partial<SettingValues>, problems };
}

export interface OAuthCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

function credentials(clientId?: string, clientSecret?: string): OAuthCredentials | null {
  return clientId && clientSecret ? { clientId, clientSecret } : null;
}

/**
 * In development and tests a missing secret is generated once into DATA_DIR and
 * reused, so sessions survive restarts; production must be given one.
 */
function resolveSessionSecret(
  values: Partial<SettingValues>,
  dataDir: string,
): { secret: string; notice?: string } | { problem: string } {
  if (values.SESSION_SECRET) return { secret: values.SESSION_SECRET };
  if (values.NODE_ENV === 'production') {
    return {
      problem: `SESSION_SECRET: is required when NODE_ENV=production; must be ${settings.SESSION_SECRET.rule}`,
    };
  }
  const file = join(dataDir, SESSION_SECRET_FILE);
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    const problem = sessionSecretProblem(secret);
    if (problem) return { problem: `SESSION_SECRET: the secret in ${file} ${problem}` };
    return { secret };
  }
  const secret = randomBytes(48).toString('base64url');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return {
    secret,
    notice: `No SESSION_SECRET set: generated one for development into ${file}. Set SESSION_SECRET in production.`,
  };
}

/** Validates the environment into a Config; throws ConfigError naming every bad variable. */
export function loadConfig(env: RawEnv, cwd: string = process.cwd()): LoadedConfig {
  const { values, problems } = readSettings(env);
  const dataDir = resolve(cwd, values.DATA_DIR ?? './data');
  const notices: string[] = [];
  let sessionSecret = '';
  if (problems.length === 0) {
    const resolved = resolveSessionSecret(values, dataDir);
    if ('problem' in resolved) problems.push(resolved.problem);
    else {
      sessionSecret = resolved.secret;
      if (resolved.notice) notices.push(resolved.notice);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const v = values as SettingValues;
  const config: Config = {
    env: v.NODE_ENV,
    host: v.HOST,
    port: v.PORT,
    baseUrl: v.BASE_URL.origin,
    dataDir,
    sessionSecret,
    database: { url: values.DATABASE_URL ?? null, poolSize: v.DATABASE_POOL_SIZE },
    redis: {
      url: values.REDIS_URL ?? null,
      keyPrefix: v.REDIS_KEY_PREFIX,
      connectTimeoutMs: v.REDIS_CONNECT_TIMEOUT_MS,
      commandTimeoutMs: v.REDIS_COMMAND_TIMEOUT_MS,
    },
    session: {
      lifetimeMs: v.SESSION_LIFETIME_HOURS * HOUR_MS,
      idleMs: v.SESSION_IDLE_HOURS * HOUR_MS,
    },
    auth: {
      rateLimitPerMinute: v.AUTH_RATE_LIMIT_PER_MIN,
      readRateLimitPerMinute: v.AUTH_READ_RATE_LIMIT_PER_MIN,
      hashQueueMax: v.HASH_QUEUE_MAX,
      magicLinkExpiryMs: v.MAGIC_LINK_EXPIRY_MINUTES * MINUTE_MS,
      oauth: {
        google: credentials(values.GOOGLE_CLIENT_ID, values.GOOGLE_CLIENT_SECRET),
        github: credentials(values.GITHUB_CLIENT_ID, values.GITHUB_CLIENT_SECRET),
      },
    },
    mail: {
      smtpUrl: values.SMTP_URL ?? null,
      from: v.MAIL_FROM,
      outboxDir: join(dataDir, 'outbox'),
      perAddressPerHour: v.MAIL_PER_ADDRESS_PER_HOUR,
      queueMax: v.MAIL_QUEUE_MAX,
    },
    trustedProxies: v.TRUSTED_PROXIES,
    admin: {
      allowlist: v.ADMIN_IP_ALLOWLIST,
      basicAuth: values.ADMIN_BASIC_AUTH ?? null,
      maxFailures: v.ADMIN_AUTH_MAX_FAILURES,
      failureWindowMs: ADMIN_FAILURE_WINDOW_MS,
      requestsPerMinute: v.ADMIN_RATE_LIMIT_PER_MIN,
    },
    http: {
      headersTimeoutMs: v.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: v.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: v.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      idleTimeoutMs: v.HTTP_IDLE_TIMEOUT_MS,
      bodyLimitBytes: v.BODY_LIMIT_BYTES,
    },
    health: { timeoutMs: v.HEALTH_CHECK_TIMEOUT_MS, cacheMs: v.HEALTH_CACHE_MS },
    loadShedding: {
      maxEventLoopDelayMs: v.LOAD_SHED_EVENT_LOOP_DELAY_MS || null,
      maxHeapUsedBytes: v.LOAD_SHED_HEAP_USED_MB * MIB || null,
    },
    market: {
      providers: v.MARKET_PROVIDERS,
      currency: v.MARKET_CURRENCY,
      steam: { url: v.STEAM_MARKET_URL, requestIntervalMs: v.STEAM_MARKET_REQUEST_INTERVAL_MS },
      skinport: { url: v.SKINPORT_API_URL },
      http: { timeoutMs: v.PROVIDER_TIMEOUT_MS, maxResponseBytes: v.PROVIDER_MAX_RESPONSE_BYTES },
      demo: { seed: v.DEMO_MARKET_SEED },
      ingest: { intervalMs: v.INGEST_INTERVAL_SECONDS * SECOND_MS, inServe: v.INGEST_IN_SERVE },
      rawRetentionMs: v.PRICE_RAW_RETENTION_DAYS * DAY_MS,
      staleAfterMs: v.PRICE_STALE_SECONDS * SECOND_MS,
    },
    portfolio: {
      inventory: {
        url: v.STEAM_COMMUNITY_URL,
        pageSize: v.STEAM_INVENTORY_PAGE_SIZE,
        maxBytes: v.STEAM_INVENTORY_MAX_BYTES,
        maxPages: v.STEAM_INVENTORY_MAX_PAGES,
        timeoutMs: v.STEAM_INVENTORY_TIMEOUT_MS,
        deadlineMs: v.PORTFOLIO_IMPORT_DEADLINE_SECONDS * SECOND_MS,
      },
      importCooldownMs: v.PORTFOLIO_IMPORT_COOLDOWN_SECONDS * SECOND_MS,
      priceSources: v.PORTFOLIO_PRICE_SOURCES,
      csvMaxBytes: v.PORTFOLIO_CSV_MAX_BYTES,
    },
    alerts: {
      rulesPerUser: v.ALERT_RULES_PER_USER,
      emailsPerHour: v.ALERT_EMAILS_PER_HOUR,
    },
    watchlist: { itemsPerUser: v.WATCHLIST_ITEMS_PER_USER },
    realtime: {
      maxConnectionsPerIp: v.WS_MAX_CONNECTIONS_PER_IP === 0 ? null : v.WS_MAX_CONNECTIONS_PER_IP,
      maxSubscriptions: v.WS_MAX_SUBSCRIPTIONS,
      maxBufferedBytes: v.WS_MAX_BUFFERED_BYTES,
      heartbeatMs: v.WS_HEARTBEAT_MS,
    },
    shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
    logLevel: v.LOG_LEVEL,
  };
  return { config, notices };
}

/** The process environment over the variables of an optional `.env` file in `cwd`. */
export function readEnvironment(
  processEnv: RawEnv = process.env,
  cwd: string = process.cwd(),
): RawEnv {
  const file = join(cwd, '.env');
  if (!existsSync(file)) return processEnv;
  return { ...parseEnv(readFileSync(file, 'utf8')), ...processEnv };
}
