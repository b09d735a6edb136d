// The one list of settings Tracera reads from its environment. Each entry says
// what it means, its default and the rule a value must follow; `config.ts`
// validates against it, and the README table and `.env.example` are generated
// from it (`npm run docs:config`), so the three cannot drift apart.
import { isIP } from 'node:net';
import { getHeapStatistics } from 'node:v8';
import { API_PREFIX } from '../http/api-prefix.js';
import { HOUR_MS, MINUTE_MS } from '../platform/time.js';
import { MARKET_PROVIDERS } from '../shared/market-vocabulary.js';
import { sessionSecretProblem } from './secret-strength.js';

export interface Setting<T> {
  /** What the setting controls, one sentence for the README. */
  readonly doc: string;
  /** The rule a value must follow, quoted in error messages. */
  readonly rule: string;
  /** Default as written in the environment; a function derives it from other raw values. */
  readonly default?: string | ((env: RawEnv) => string);
  /** How the default reads in the docs when it is derived. */
  readonly defaultDoc?: string;
  /** Secrets are never echoed back in error messages. */
  readonly secret?: boolean;
  /** Returns the typed value, or throws `RuleViolation` when the value breaks the rule. */
  readonly parse: (raw: string) => T;
}

export type RawEnv = Readonly<Record<string, string | undefined>>;

export class RuleViolation extends Error {}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export { MARKET_PROVIDERS };
/** Currencies both real providers price in. */
export const MARKET_CURRENCIES = ['USD', 'EUR', 'GBP', 'RUB', 'BRL', 'CNY', 'PLN'] as const;
const NODE_ENVS = ['development', 'production', 'test'] as const;

function integer(min: number, max: number): (raw: string) => number {
  return (raw) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new RuleViolation();
    const value = Number(raw.trim());
    if (!Number.isSafeInteger(value) || value < min || value > max) throw new RuleViolation();
    return value;
  };
}

const clientIdRule = '1 to 255 visible ASCII characters';

/** OAuth client ids and secrets: opaque, but never with spaces or control characters. */
function clientId(raw: string): string {
  const value = raw.trim();
  if (!/^[\x21-\x7e]{1,255}$/.test(value)) throw new RuleViolation();
  return value;
}

function oneOf<const T extends readonly string[]>(values: T): (raw: string) => T[number] {
  return (raw) => {
    const value = raw.trim();
    if (!(values as readonly string[]).includes(value)) throw new RuleViolation();
    return value as T[number];
  };
}

function absoluteUrl(protocols: readonly string[]): (raw: string) => URL {
  return (raw) => {
    let url: URL;
    try {
      url = new URL(raw.trim());
    } catch {
      throw new RuleViolation();
    }
    if (!protocols.includes(url.protocol)) throw new RuleViolation();
    return url;
  };
}

function parseBaseUrl(raw: string): URL {
  const url = absoluteUrl(['http:', 'https:'])(raw);
  const hasOnlyOrigin = (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash;
  if (!hasOnlyOrigin || url.username || url.password) throw new RuleViolation();
  return url;
}

function parseRedisUrl(raw: string): URL {
  const url = absoluteUrl(['redis:', 'rediss:'])(raw);
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^(?:\d|1[0-5])$/.test(db)) throw new RuleViolation();
  return url;
}

/** A CIDR block or a single address; single addresses become /32 or /128. */
export interface Cidr {
  readonly address: string;
  readonly prefix: number;
  readonly family: 4 | 6;
}

function parseCidrList(raw: string): Cidr[] {
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const [address = '', prefixText, ...rest] = entry.split('/');
      const version = isIP(address);
      if (version === 0 || rest.length > 0) throw new RuleViolation();
      const family = version as 4 | 6;
      const maxPrefix = family === 4 ? 32 : 128;
      if (prefixText === undefined) return { address, prefix: maxPrefix, family };
      const prefix = integer(0, maxPrefix)(prefixText);
      return { address, prefix, family };
    });
}

/** `ADMIN_BASIC_AUTH`: the user and the argon2id hash, split at the first colon. */
function parseAdminBasicAuth(raw: string): {
  readonly user: string;
  readonly passwordHash: string;
} {
  const value = raw.trim();
  const colon = value.indexOf(':');
  const user = value.slice(0, colon);
  const passwordHash = value.slice(colon + 1);
  if (colon <= 0 || !/^[\x21-\x7e]+$/.test(user) || !passwordHash.startsWith('$argon2id$')) {
    throw new RuleViolation();
  }
  return { user, passwordHash };
}

function parseSessionSecret(raw: string): string {
  const problem = sessionSecretProblem(raw);
  if (problem) throw new RuleViolation(problem);
  return raw;
}

function providerList(raw: string): (typeof MARKET_PROVIDERS)[number][] {
  const names = raw.split(',').map((name) => name.trim());
  const known = names.every((name) => (MARKET_PROVIDERS as readonly string[]).includes(name));
  if (!known || new Set(names).size !== names.length) throw new RuleViolation();
  return names as (typeof MARKET_PROVIDERS)[number][];
}

function booleanFlag(raw: string): boolean {
  const value = raw.trim();
  if (value !== 'true' && value !== 'false') throw new RuleViolation();
  return value === 'true';
}

function nonEmpty(raw: string): string {
  const value = raw.trim();
  if (value === '') throw new RuleViolation();
  return value;
}

function keyPrefix(raw: string): string {
  if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(raw)) throw new RuleViolation();
  return raw;
}

function mailbox(raw: string): string {
  const value = raw.trim();
  const address = /^(?:[^<>\r\n]*<([^<>\s]+)>|([^<>\s]+))$/.exec(value);
  const email = address?.[1] ?? address?.[2] ?? '';
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new RuleViolation();
  return value;
}

const MIB = 1024 * 1024;

export const settings = {
  NODE_ENV: {
    doc: 'Run mode; `production` requires SESSION_SECRET instead of generating one.',
    rule: `one of ${NODE_ENVS.join(', ')}`,
    default: 'development',
    parse: oneOf(NODE_ENVS),
  },
  HOST: {
    doc: 'Interface the HTTP server listens on (`0.0.0.0` in containers).',
    rule: 'a host name or IP address',
    default: '127.0.0.1',
    parse: nonEmpty,
  },
  PORT: {
    doc: 'TCP port the HTTP server listens on.',
    rule: 'an integer from 1 to 65535',
    default: '3000',
    parse: integer(1, 65_535),
  },
  BASE_URL: {
    doc: 'Public origin of the app as users reach it; links in emails, cookie security and allowed origins derive from it.',
    rule: 'an absolute http(s) URL with no path, query, fragment or credentials',
    default: (env) => `http://localhost:${env.PORT?.trim() || '3000'}`,
    defaultDoc: 'http://localhost:$PORT',
    parse: parseBaseUrl,
  },
  DATA_DIR: {
    doc: 'Folder for embedded data: the PGlite database, the development session secret, the mail outbox.',
    rule: 'a folder path',
    default: './data',
    parse: nonEmpty,
  },
  SESSION_SECRET: {
    doc: 'Key for signing CSRF tokens and other server-side MACs. Required in production; generated into DATA_DIR in development.',
    rule: 'at least 32 random bytes, written as hex or base64 (e.g. `openssl rand -base64 48`); not repeated or placeholder text',
    secret: true,
    parse: parseSessionSecret,
  },
  DATABASE_URL: {
    doc: 'PostgreSQL connection URL. Unset: embedded PGlite in DATA_DIR/pglite.',
    rule: 'a postgres:// or postgresql:// URL',
    secret: true,
    parse: (raw) => absoluteUrl(['postgres:', 'postgresql:'])(raw).toString(),
  },
  DATABASE_POOL_SIZE: {
    doc: 'Maximum PostgreSQL connections per process.',
    rule: 'an integer from 1 to 500',
    default: '10',
    parse: integer(1, 500),
  },
  REDIS_URL: {
    doc: 'Redis connection URL; the path selects the database index. Unset: an in-process store (one instance only).',
    rule: 'a redis:// or rediss:// URL whose database index, if given, is 0 to 15',
    secret: true,
    parse: (raw) => parseRedisUrl(raw).toString(),
  },
  REDIS_KEY_PREFIX: {
    doc: 'Prefix for every Redis key and channel, so several deployments can share one Redis.',
    rule: '1 to 64 characters from A-Z a-z 0-9 : _ . -',
    default: 'tracera:',
    parse: keyPrefix,
  },
  REDIS_CONNECT_TIMEOUT_MS: {
    doc: 'How long a Redis connection attempt may take before it counts as failed.',
    rule: 'an integer from 1 to 60000',
    default: '2000',
    parse: integer(1, MINUTE_MS),
  },
  REDIS_COMMAND_TIMEOUT_MS: {
    doc: 'How long one Redis command may take before it fails (requests then fail closed).',
    rule: 'an integer from 1 to 60000',
    default: '1000',
    parse: integer(1, MINUTE_MS),
  },
  SESSION_LIFETIME_HOURS: {
    doc: 'Absolute lifetime of a session; it ends this long after sign-in, however active.',
    rule: 'an integer from 1 to 8760',
    default: '72',
    parse: integer(1, 8760),
  },
  SESSION_IDLE_HOURS: {
    doc: 'A session unused for this long ends.',
    rule: 'an integer from 1 to 8760, not above SESSION_LIFETIME_HOURS',
    default: '24',
    parse: integer(1, 8760),
  },
  AUTH_RATE_LIMIT_PER_MIN: {
    doc: `Requests per minute one client IP may make to each ${API_PREFIX}/auth route.`,
    rule: 'an integer from 1 to 100000000',
    default: '20',
    parse: integer(1, 100_000_000),
  },
  AUTH_READ_RATE_LIMIT_PER_MIN: {
    doc: `Requests per minute one client IP may make to each ${API_PREFIX}/auth route that a page load reads (\`csrf\`, \`me\`, \`providers\`, \`sessions\`); they check no credential, and one shared address (an office, a mobile carrier) serves many visitors.`,
    rule: 'an integer from 1 to 100000000',
    default: '600',
    parse: integer(1, 100_000_000),
  },
  MAIL_PER_ADDRESS_PER_HOUR: {
    doc: 'Messages of each kind (confirmation, sign-in link, reset, notice) sent to one address in any hour; past it nothing is sent and the answer does not change.',
    rule: 'an integer from 1 to 1000',
    default: '5',
    parse: integer(1, 1000),
  },
  MAIL_QUEUE_MAX: {
    doc: 'Account mail work (sign-up, sign-in link, reset) that may wait to be done after its request was answered; past it such requests are answered 503 with Retry-After.',
    rule: 'an integer from 1 to 1000000',
    default: '1000',
    parse: integer(1, 1_000_000),
  },
  HASH_QUEUE_MAX: {
    doc: 'Password hashes that may wait for a hashing thread; past it a request that needs one is answered 503 with Retry-After at once instead of waiting behind them.',
    rule: 'an integer from 1 to 100000',
    default: '32',
    parse: integer(1, 100_000),
  },
  MAGIC_LINK_EXPIRY_MINUTES: {
    doc: 'How long an emailed sign-in link stays valid.',
    rule: 'an integer from 1 to 1440',
    default: '10',
    parse: integer(1, 1440),
  },
  GOOGLE_CLIENT_ID: {
    doc: `OAuth client id for "Sign in with Google"; Google sign-in is offered when this and GOOGLE_CLIENT_SECRET are set. Its redirect URI is BASE_URL + \`${API_PREFIX}/auth/google/callback\`.`,
    rule: clientIdRule,
    parse: clientId,
  },
  GOOGLE_CLIENT_SECRET: {
    doc: 'OAuth client secret for Google sign-in.',
    rule: clientIdRule,
    secret: true,
    parse: clientId,
  },
  GITHUB_CLIENT_ID: {
    doc: `OAuth app client id for "Sign in with GitHub"; GitHub sign-in is offered when this and GITHUB_CLIENT_SECRET are set. Its callback URL is BASE_URL + \`${API_PREFIX}/auth/github/callback\`.`,
    rule: clientIdRule,
    parse: clientId,
  },
  GITHUB_CLIENT_SECRET: {
    doc: 'OAuth app client secret for GitHub sign-in.',
    rule: clientIdRule,
    secret: true,
    parse: clientId,
  },
  SMTP_URL: {
    doc: 'SMTP server for outgoing mail, e.g. `smtps://user:pass@smtp.example:465`. Unset: each message is written as an .eml file into DATA_DIR/outbox (see `tracera mail`).',
    rule: 'an smtp:// or smtps:// URL',
    secret: true,
    parse: (raw) => absoluteUrl(['smtp:', 'smtps:'])(raw).toString(),
  },
  MAIL_FROM: {
    doc: 'Sender of outgoing mail.',
    rule: 'an email address, optionally as `Name <address>`',
    default: (env) => {
      let host = 'localhost';
      try {
        host = new URL(env.BASE_URL?.trim() ?? '').hostname || host;
      } catch {}
      return `Tracera <no-reply@${host}>`;
    },
    defaultDoc: 'Tracera <no-reply@host of BASE_URL>',
    parse: mailbox,
  },
  TRUSTED_PROXIES: {
    doc: 'Comma-separated addresses or CIDR blocks of reverse proxies whose X-Forwarded-For is believed.',
    rule: 'a comma-separated list of IPv4/IPv6 addresses or CIDR blocks',
    default: '',
    parse: parseCidrList,
  },
  ADMIN_IP_ALLOWLIST: {
    doc: 'Comma-separated addresses or CIDR blocks allowed to reach /admin/api and /metrics (S28); every other client gets 403 before credentials are asked for. The client is the address TRUSTED_PROXIES resolves.',
    rule: 'a comma-separated list of IPv4/IPv6 addresses or CIDR blocks',
    default: '127.0.0.1/8,::1',
    parse: parseCidrList,
  },
  ADMIN_BASIC_AUTH: {
    doc: 'The admin user and the argon2id hash of its password, as `user:hash` (`tracera admin hash-password` prints one). Unset: admin and /metrics are off and answer 404.',
    rule: 'a user name without `:`, then `:`, then an argon2id hash (`$argon2id$...`)',
    secret: true,
    parse: parseAdminBasicAuth,
  },
  ADMIN_AUTH_MAX_FAILURES: {
    doc: 'Wrong admin credentials one client (IPv6 per /64) may send in any 15 minutes; past that it is answered 429 with Retry-After, right credentials included.',
    rule: 'an integer from 1 to 1000',
    default: '10',
    parse: integer(1, 1000),
  },
  ADMIN_RATE_LIMIT_PER_MIN: {
    doc: 'Requests per minute one client (IPv6 per /64) may make to the gated routes (the admin pages, /admin/api, /metrics), counted before anything else, so a flood is answered 429 without hashing a password or writing an audit row.',
    rule: 'an integer from 1 to 100000000',
    default: '600',
    parse: integer(1, 100_000_000),
  },
  HTTP_HEADERS_TIMEOUT_MS: {
    doc: 'Time a client has to send complete request headers (slowloris defence).',
    rule: 'an integer from 1 to 3600000, not above HTTP_REQUEST_TIMEOUT_MS',
    default: '10000',
    parse: integer(1, HOUR_MS),
  },
  HTTP_REQUEST_TIMEOUT_MS: {
    doc: 'Time a client has to send a complete request, body included.',
    rule: 'an integer from 1 to 3600000',
    default: '30000',
    parse: integer(1, HOUR_MS),
  },
  HTTP_KEEP_ALIVE_TIMEOUT_MS: {
    doc: 'How long an idle keep-alive connection stays open.',
    rule: 'an integer from 1 to 3600000',
    default: '5000',
    parse: integer(1, HOUR_MS),
  },
  HTTP_IDLE_TIMEOUT_MS: {
    doc: 'A connection with no traffic for this long is closed.',
    rule: 'an integer from 1 to 3600000',
    default: '60000',
    parse: integer(1, HOUR_MS),
  },
  BODY_LIMIT_BYTES: {
    doc: 'Largest request body accepted by routes that set no smaller limit.',
    rule: 'an integer from 1 to 104857600',
    default: '65536',
    parse: integer(1, 100 * 1024 * 1024),
  },
  HEALTH_CHECK_TIMEOUT_MS: {
    doc: 'How long the health check waits for the database and the store before calling them down.',
    rule: 'an integer from 1 to 60000',
    default: '1000',
    parse: integer(1, MINUTE_MS),
  },
  HEALTH_CACHE_MS: {
    doc: 'How long one health answer is reused, so health requests cannot become database load; 0 checks on every request.',
    rule: 'an integer from 0 to 60000',
    default: '1000',
    parse: integer(0, MINUTE_MS),
  },
  SHUTDOWN_TIMEOUT_MS: {
    doc: 'How long a stopping server waits for requests in flight before it exits anyway.',
    rule: 'an integer from 1 to 600000',
    default: '10000',
    parse: integer(1, 10 * MINUTE_MS),
  },
  MARKET_PROVIDERS: {
    doc: 'Price sources to ingest, comma-separated: `steam` (Steam Community Market), `skinport`, `demo` (simulated prices, labelled as such). The default, `demo`, makes a machine without internet access live.',
    rule: `a comma-separated list of ${MARKET_PROVIDERS.join(', ')}, each at most once`,
    default: 'demo',
    parse: providerList,
  },
  MARKET_CURRENCY: {
    doc: 'The currency every price is stored and shown in (minor units: cents).',
    rule: `one of ${MARKET_CURRENCIES.join(', ')}`,
    default: 'USD',
    parse: oneOf(MARKET_CURRENCIES),
  },
  STEAM_MARKET_URL: {
    doc: 'Base URL of the Steam Community Market (tests point it at a local server).',
    rule: 'an http:// or https:// URL',
    default: 'https://steamcommunity.com',
    parse: (raw) => absoluteUrl(['http:', 'https:'])(raw).toString().replace(/\/$/, ''),
  },
  STEAM_MARKET_REQUEST_INTERVAL_MS: {
    doc: 'Least time between the starts of two Steam Community Market requests: the fastest pace. Steam answers 429 past about 15 to 20 requests a minute; the provider then slows down, and creeps back towards this pace after quiet periods.',
    rule: 'an integer from 1 to 600000',
    default: '4000',
    parse: integer(1, 10 * MINUTE_MS),
  },
  SKINPORT_API_URL: {
    doc: 'Base URL of the Skinport API (tests point it at a local server).',
    rule: 'an http:// or https:// URL',
    default: 'https://api.skinport.com',
    parse: (raw) => absoluteUrl(['http:', 'https:'])(raw).toString().replace(/\/$/, ''),
  },
  PROVIDER_TIMEOUT_MS: {
    doc: 'How long one request to a market provider may take, body included.',
    rule: 'an integer from 1 to 600000',
    default: '15000',
    parse: integer(1, 10 * MINUTE_MS),
  },
  PROVIDER_MAX_RESPONSE_BYTES: {
    doc: 'Largest response body accepted from a market provider; a larger one is refused, not truncated.',
    rule: 'an integer from 1024 to 1073741824',
    default: String(64 * 1024 * 1024),
    parse: integer(1024, 1024 * 1024 * 1024),
  },
  DEMO_MARKET_SEED: {
    doc: 'Seed of the demo market (levels, volumes, ticks and walk): the same seed gives the same simulated prices.',
    rule: 'an integer from 0 to 4294967295',
    default: '1',
    parse: integer(0, 0xffff_ffff),
  },
  INGEST_INTERVAL_SECONDS: {
    doc: 'Time between the starts of two ingestion cycles.',
    rule: 'an integer from 1 to 86400',
    default: '60',
    parse: integer(1, 86_400),
  },
  INGEST_IN_SERVE: {
    doc: 'Whether `tracera serve` also runs ingestion (one leader across all instances); `tracera worker` always does.',
    rule: 'true or false',
    default: 'true',
    parse: booleanFlag,
  },
  PRICE_RAW_RETENTION_DAYS: {
    doc: 'How long individual price observations are kept; hourly and daily rollups are kept forever.',
    rule: 'an integer from 1 to 3650',
    default: '30',
    parse: integer(1, 3650),
  },
  PRICE_STALE_SECONDS: {
    doc: 'A latest price older than this is marked `stale` in the API.',
    rule: 'an integer from 1 to 31536000',
    default: '3600',
    parse: integer(1, 365 * 86_400),
  },
  STEAM_COMMUNITY_URL: {
    doc: 'Base URL of Steam Community, where the portfolio import reads inventories (tests point it at a local server).',
    rule: 'an http:// or https:// URL',
    default: 'https://steamcommunity.com',
    parse: (raw) => absoluteUrl(['http:', 'https:'])(raw).toString().replace(/\/$/, ''),
  },
  STEAM_INVENTORY_PAGE_SIZE: {
    doc: 'Assets asked for per inventory page (`count`). Steam has answered 400 above 1000 since May 2025; a larger value is tried, and a 400 is retried once at 1000.',
    rule: 'an integer from 1 to 5000',
    default: '1000',
    parse: integer(1, 5000),
  },
  STEAM_INVENTORY_MAX_BYTES: {
    doc: 'Largest inventory page accepted from Steam; the read stops there and the import fails.',
    rule: 'an integer from 1024 to 1073741824',
    default: String(8 * 1024 * 1024),
    parse: integer(1024, 1024 * 1024 * 1024),
  },
  STEAM_INVENTORY_MAX_PAGES: {
    doc: 'Most inventory pages one import reads; an inventory needing more fails the import rather than being cut short.',
    rule: 'an integer from 1 to 1000',
    default: '25',
    parse: integer(1, 1000),
  },
  STEAM_INVENTORY_TIMEOUT_MS: {
    doc: 'How long one inventory page request may take, body included.',
    rule: 'an integer from 1 to 600000',
    default: '15000',
    parse: integer(1, 10 * MINUTE_MS),
  },
  PORTFOLIO_IMPORT_DEADLINE_SECONDS: {
    doc: 'How long one whole inventory import may take, every page included.',
    rule: 'an integer from 1 to 3600',
    default: '120',
    parse: integer(1, 3600),
  },
  PORTFOLIO_IMPORT_COOLDOWN_SECONDS: {
    doc: 'Least time between two inventory imports by one user (S34). Set in the store before any work; when the store cannot answer, imports are refused (503).',
    rule: 'an integer from 1 to 86400',
    default: '300',
    parse: integer(1, 86_400),
  },
  PORTFOLIO_PRICE_SOURCES: {
    doc: 'Which source prices a holding, in order of preference: the first with a price for the item wins.',
    rule: `a comma-separated list of ${MARKET_PROVIDERS.join(', ')}, each at most once`,
    default: (env) => env.MARKET_PROVIDERS?.trim() || 'demo',
    defaultDoc: 'MARKET_PROVIDERS',
    parse: providerList,
  },
  PORTFOLIO_CSV_MAX_BYTES: {
    doc: 'Largest ledger CSV file accepted by the transactions import.',
    rule: 'an integer from 1024 to 16777216',
    default: String(1024 * 1024),
    parse: integer(1024, 16 * 1024 * 1024),
  },
  ALERT_RULES_PER_USER: {
    doc: 'Alert rules one user may keep; creating one past it is refused (409).',
    rule: 'an integer from 1 to 10000',
    default: '100',
    parse: integer(1, 10_000),
  },
  ALERT_EMAILS_PER_HOUR: {
    doc: 'Alert emails one user may receive in any hour. Alerts that fire together go as one digest; past the cap, alerts still reach the app and the webhook, and their email is skipped.',
    rule: 'an integer from 1 to 1000',
    default: '10',
    parse: integer(1, 1000),
  },
  WATCHLIST_ITEMS_PER_USER: {
    doc: 'Items one user may watch at once; adding one more is refused (409) until one is removed.',
    rule: 'an integer from 1 to 100000',
    default: '500',
    parse: integer(1, 100_000),
  },
  WS_MAX_CONNECTIONS_PER_IP: {
    doc: 'Live feed (WebSocket) connections one client address may hold on one instance; 0 sets no cap. IPv6 clients count per /64.',
    rule: 'an integer from 0 to 1000000',
    default: '50',
    parse: integer(0, 1_000_000),
  },
  WS_MAX_SUBSCRIPTIONS: {
    doc: 'Items one live feed connection may follow at once.',
    rule: 'an integer from 1 to 100000',
    default: '200',
    parse: integer(1, 100_000),
  },
  WS_MAX_BUFFERED_BYTES: {
    doc: 'Messages a live feed client has not read yet may take this much server memory; a slower client is closed (1008).',
    rule: 'an integer from 16384 to 1073741824',
    default: '262144',
    parse: integer(16 * 1024, 1024 * 1024 * 1024),
  },
  WS_HEARTBEAT_MS: {
    doc: 'Time between the pings the server sends every live feed client; one that misses two is dropped.',
    rule: 'an integer from 100 to 600000',
    default: '30000',
    parse: integer(100, 10 * MINUTE_MS),
  },
  LOAD_SHED_EVENT_LOOP_DELAY_MS: {
    doc: 'Mean event-loop delay over a second past which requests (the health check excepted) are answered 503 with Retry-After until the process recovers; 0 turns this off.',
    rule: 'an integer from 0 to 60000',
    default: '1000',
    parse: integer(0, MINUTE_MS),
  },
  LOAD_SHED_HEAP_USED_MB: {
    doc: 'JavaScript heap in use past which requests (the health check excepted) are answered 503 with Retry-After; 0 turns this off.',
    rule: 'an integer from 0 to 1048576',
    default: () => String(Math.floor((getHeapStatistics().heap_size_limit * 0.9) / MIB)),
    defaultDoc: "90% of V8's heap limit",
    parse: integer(0, 1024 * 1024),
  },
  LOG_LEVEL: {
    doc: 'Least severe log level written.',
    rule: `one of ${LOG_LEVELS.join(', ')}`,
    default: 'info',
    parse: oneOf(LOG_LEVELS),
  },
} satisfies Record<string, Setting<unknown>>;

export type SettingName = keyof typeof settings;
export type SettingValues = {
  [K in SettingName]: ReturnType<(typeof settings)[K]['parse']>;
};
