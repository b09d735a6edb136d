// S6, S30: every rule refuses a bad value with the variable named, before
// anything listens.
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type RawEnv, readEnvironment } from '../src/config.js';
import { TEST_SESSION_SECRET } from './support/app.js';

const base: RawEnv = { NODE_ENV: 'test', SESSION_SECRET: TEST_SESSION_SECRET };

function problemsOf(env: RawEnv): readonly string[] {
  try {
    loadConfig({ ...base, ...env }, mkdtempSync(join(tmpdir(), 'tracera-config-')));
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

function expectRejected(name: string, value: string, rule: RegExp): void {
  const problems = problemsOf({ [name]: value });
  expect(problems).toHaveLength(1);
  expect(problems[0]).toMatch(new RegExp(`^${name}: `));
  expect(problems[0]).toMatch(rule);
}

describe('configuration rules', () => {
  it.each([
    ['NODE_ENV', 'staging', /one of development, production, test/],
    ['HOST', '   ', /host name or IP address/],
    ['PORT', 'http', /integer from 1 to 65535/],
    ['PORT', '0', /integer from 1 to 65535/],
    ['PORT', '65536', /integer from 1 to 65535/],
    ['PORT', '-1', /integer from 1 to 65535/],
    ['PORT', '80.5', /integer from 1 to 65535/],
    ['BASE_URL', 'localhost:3000', /absolute http\(s\) URL/],
    ['BASE_URL', 'ftp://tracera.example', /absolute http\(s\) URL/],
    ['BASE_URL', 'https://tracera.example/app', /no path/],
    ['BASE_URL', 'https://user:pw@tracera.example', /credentials/],
    ['DATA_DIR', ' ', /folder path/],
    ['DATABASE_URL', 'mysql://db/tracera', /postgres:\/\/ or postgresql:\/\//],
    ['DATABASE_POOL_SIZE', '0', /integer from 1 to 500/],
    ['REDIS_URL', 'http://127.0.0.1:6379', /redis:\/\/ or rediss:\/\//],
    ['REDIS_URL', 'redis://127.0.0.1:6379/16', /database index, if given, is 0 to 15/],
    ['REDIS_URL', 'redis://127.0.0.1:6379/x', /database index, if given, is 0 to 15/],
    ['REDIS_KEY_PREFIX', 'tracera prod', /A-Z a-z 0-9/],
    ['REDIS_CONNECT_TIMEOUT_MS', '0', /integer from 1 to 60000/],
    ['REDIS_COMMAND_TIMEOUT_MS', '-100', /integer from 1 to 60000/],
    ['TRUSTED_PROXIES', '10.0.0.0/33', /IPv4\/IPv6 addresses or CIDR blocks/],
    ['TRUSTED_PROXIES', '10.0.0.1, proxy.internal', /IPv4\/IPv6 addresses or CIDR blocks/],
    ['TRUSTED_PROXIES', 'fd00::/129', /IPv4\/IPv6 addresses or CIDR blocks/],
    ['HTTP_HEADERS_TIMEOUT_MS', '0', /integer from 1 to 3600000/],
    ['HTTP_REQUEST_TIMEOUT_MS', 'soon', /integer from 1 to 3600000/],
    ['HTTP_KEEP_ALIVE_TIMEOUT_MS', '-5', /integer from 1 to 3600000/],
    ['HTTP_IDLE_TIMEOUT_MS', '0', /integer from 1 to 3600000/],
    ['BODY_LIMIT_BYTES', '0', /integer from 1 to 104857600/],
    ['HEALTH_CHECK_TIMEOUT_MS', '0', /integer from 1 to 60000/],
    ['SHUTDOWN_TIMEOUT_MS', '0', /integer from 1 to 600000/],
    ['SESSION_LIFETIME_HOURS', '0', /integer from 1 to 8760/],
    ['SESSION_IDLE_HOURS', '1.5', /integer from 1 to 8760/],
    ['AUTH_RATE_LIMIT_PER_MIN', '0', /integer from 1 to 100000000/],
    ['MAGIC_LINK_EXPIRY_MINUTES', '1441', /integer from 1 to 1440/],
    ['SMTP_URL', 'http://mail.example', /smtp:\/\/ or smtps:\/\//],
    ['MAIL_FROM', 'Tracera', /an email address/],
    ['MAIL_FROM', 'Tracera <no-reply>', /an email address/],
    ['LOG_LEVEL', 'verbose', /one of fatal, error, warn, info, debug, trace, silent/],
  ])('%s=%j is refused', (name, value, rule) => {
    expectRejected(name, value, rule);
  });

  it('refuses a headers timeout above the request timeout', () => {
    const problems = problemsOf({
      HTTP_HEADERS_TIMEOUT_MS: '5000',
      HTTP_REQUEST_TIMEOUT_MS: '1000',
    });
    expect(problems).toEqual([
      'HTTP_HEADERS_TIMEOUT_MS: must not be above HTTP_REQUEST_TIMEOUT_MS (5000 > 1000)',
    ]);
  });

  it('refuses an idle timeout above the session lifetime', () => {
    const problems = problemsOf({ SESSION_LIFETIME_HOURS: '12', SESSION_IDLE_HOURS: '24' });
    expect(problems).toEqual([
      'SESSION_IDLE_HOURS: must not be above SESSION_LIFETIME_HOURS (24 > 12)',
    ]);
  });

  it('takes an OAuth client only with both its id and secret, and never echoes the secret', () => {
    expect(problemsOf({ GOOGLE_CLIENT_ID: 'id-1' })).toEqual([
      'GOOGLE_CLIENT_SECRET: must be set with GOOGLE_CLIENT_ID',
    ]);
    expect(problemsOf({ GITHUB_CLIENT_SECRET: 'secret-1' })).toEqual([
      'GITHUB_CLIENT_ID: must be set with GITHUB_CLIENT_SECRET',
    ]);
    const spaced = problemsOf({ GOOGLE_CLIENT_ID: 'id-1', GOOGLE_CLIENT_SECRET: 'has space' });
    expect(spaced).toHaveLength(1);
    expect(spaced[0]).toMatch(/^GOOGLE_CLIENT_SECRET: must be 1 to 255 visible ASCII characters/);
    expect(spaced[0]).not.toContain('has space');
    const { config } = loadConfig({
      ...base,
      GITHUB_CLIENT_ID: 'Iv1.abc',
      GITHUB_CLIENT_SECRET: 'shh',
    });
    expect(config.auth.oauth).toEqual({
      google: null,
      github: { clientId: 'Iv1.abc', clientSecret: 'shh' },
    });
  });

  it('reports every bad variable at once, and echoes no secret', () => {
    const problems = problemsOf({
      PORT: 'x',
      LOG_LEVEL: 'loud',
      SESSION_SECRET: 'hunter2hunter2',
      DATABASE_URL: 'mysql://admin:dbpass@db/x',
    });
    expect(problems.map((problem) => problem.split(':')[0])).toEqual([
      'PORT',
      'SESSION_SECRET',
      'DATABASE_URL',
      'LOG_LEVEL',
    ]);
    expect(problems.join('\n')).not.toMatch(/hunter2|dbpass/);
  });

  it.each([
    ['short', 'aB3$xY9!qW'],
    ['repeated', 'aB3xY9qW'.repeat(8)],
    ['placeholder', 'changeme-please-to-a-long-random-value-0123456789'],
    ['uneven', `${'a'.repeat(60)}bcdefghijklmnop`],
  ])('refuses a %s SESSION_SECRET (S6)', (_kind, secret) => {
    const problems = problemsOf({ SESSION_SECRET: secret });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^SESSION_SECRET: must be at least 32 random bytes/);
  });

  it('accepts well-formed values and applies defaults', () => {
    const { config } = loadConfig({
      ...base,
      PORT: '8080',
      REDIS_URL: 'redis://127.0.0.1:6379/15',
      TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1, fd00::/64',
    });
    expect(config.port).toBe(8080);
    expect(config.baseUrl).toBe('http://localhost:8080');
    expect(config.redis.url).toBe('redis://127.0.0.1:6379/15');
    expect(config.database.url).toBeNull();
    expect(config.trustedProxies).toEqual([
      { address: '10.0.0.0', prefix: 8, family: 4 },
      { address: '127.0.0.1', prefix: 32, family: 4 },
      { address: 'fd00::', prefix: 64, family: 6 },
    ]);
    expect(config.http).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5000,
      idleTimeoutMs: 60_000,
      bodyLimitBytes: 65_536,
    });
    expect(config.session).toEqual({ lifetimeMs: 72 * 3_600_000, idleMs: 24 * 3_600_000 });
    expect(config.auth).toEqual({
      rateLimitPerMinute: 20,
      readRateLimitPerMinute: 600,
      hashQueueMax: 32,
      magicLinkExpiryMs: 10 * 60_000,
      oauth: { google: null, github: null },
    });
    expect(config.mail.smtpUrl).toBeNull();
    expect(config.mail.from).toBe('Tracera <no-reply@localhost>');
    expect(config.mail.outboxDir).toMatch(/[/\\]data[/\\]outbox$/);
    expect(config.mail.perAddressPerHour).toBe(5);
    expect(config.mail.queueMax).toBe(1000);
    expect(config.realtime.maxConnectionsPerIp).toBe(50);
    expect(config.loadShedding.maxEventLoopDelayMs).toBe(1000);
    expect(config.loadShedding.maxHeapUsedBytes).toBeGreaterThan(0);
    expect(
      loadConfig({ ...base, LOAD_SHED_EVENT_LOOP_DELAY_MS: '0', LOAD_SHED_HEAP_USED_MB: '0' })
        .config.loadShedding,
    ).toEqual({ maxEventLoopDelayMs: null, maxHeapUsedBytes: null });
  });
});

describe('SESSION_SECRET when none is given', () => {
  it('is refused in production', () => {
    expect(problemsOf({ NODE_ENV: 'production', SESSION_SECRET: '' })).toEqual([
      expect.stringMatching(/^SESSION_SECRET: is required when NODE_ENV=production/),
    ]);
  });

  it('is generated once into DATA_DIR in development, said so, and reused', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'tracera-config-'));
    const first = loadConfig({ NODE_ENV: 'development' }, cwd);
    const file = join(cwd, 'data', 'session-secret');
    expect(first.notices).toEqual([expect.stringContaining(file)]);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.config.sessionSecret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = loadConfig({ NODE_ENV: 'development' }, cwd);
    expect(second.config.sessionSecret).toBe(first.config.sessionSecret);
    expect(second.notices).toEqual([]);
  });

  it('is not generated when the configuration is otherwise invalid', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'tracera-config-'));
    expect(() => loadConfig({ NODE_ENV: 'development', PORT: 'x' }, cwd)).toThrow(ConfigError);
    expect(existsSync(join(cwd, 'data'))).toBe(false);
  });
});

describe('.env file', () => {
  it('supplies values the environment does not set', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'tracera-config-'));
    writeFileSync(join(cwd, '.env'), 'PORT=4000\nLOG_LEVEL=debug\n');
    const env = readEnvironment({ LOG_LEVEL: 'warn' }, cwd);
    expect(env.PORT).toBe('4000');
    expect(env.LOG_LEVEL).toBe('warn');
  });
});
