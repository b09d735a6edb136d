// What sessions and password hashing cost, on Redis and PostgreSQL as an
// operator runs them. In one run:
//  1. GET /api/v1/auth/me with a valid session cookie (rate-limit counter and
//     session lookup in one Redis call, the user from the session's copy,
//     access log) against the bare Fastify route of bench/http-overhead.
//     Target: ratio >= 0.4.
//  2. The p99 latency of GET /api/v1/health at a steady 200 requests/s (one
//     due every 5 ms, each timed from when it was due) while
//     16 clients (in a process of their own) sign in back to back, divided
//     by its p99 with no logins. Argon2 runs off the event loop, in
//     low-priority threads, so the ratio stays low. Target: <= 3.
// The per-IP auth limits are raised for the run: they would otherwise
// (rightly) answer 429 to a load generator.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { readOutbox } from '../src/platform/mail/index.js';
import {
  type AppTarget,
  alternate,
  BENCH_REDIS_URL,
  CONNECTIONS,
  cpuPerRequest,
  createScratchDatabase,
  DURATION_SECONDS,
  describeRuns,
  type Measurement,
  p99,
  ROUNDS,
  requestsPerSecond,
  startApp,
  startBare,
  steadyLoad,
  stopAll,
  WARMUP_SECONDS,
} from './harness.js';
import { Visitor } from './visitor.js';

const TARGET_ME_RATIO = 0.4;
const TARGET_LATENCY_RATIO = 3;
const CONCURRENT_LOGINS = 16;
const HEALTH_RATE_PER_SECOND = 200;
const HEALTH_CONNECTIONS = 4;
/** An idle p99 under 1 ms counts as 1 ms: below that the ratio would measure timer jitter. */
const LATENCY_RESOLUTION_MS = 1;
const OUTBOX_WAIT_MS = 10_000;
const EMAIL = 'bench@example.com';
const PASSWORD = 'bench passphrase that is long enough 1';

async function nextOutboxToken(dataDir: string): Promise<string> {
  const deadline = Date.now() + OUTBOX_WAIT_MS;
  while (Date.now() < deadline) {
    const [latest] = await readOutbox(join(dataDir, 'outbox'), 1);
    const link = latest?.links[0];
    if (link) return new URL(link).searchParams.get('token') ?? '';
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('no sign-in link arrived in the outbox');
}

/** Signs in by emailed link and sets a password: the user the benchmark acts as. */
async function signedInUser(app: AppTarget): Promise<Visitor> {
  const visitor = new Visitor(app.origin);
  await visitor.call('GET', '/api/v1/auth/csrf');
  await visitor.call('POST', '/api/v1/auth/magic/request', { email: EMAIL });
  const token = await nextOutboxToken(app.dataDir);
  await visitor.call('POST', '/api/v1/auth/magic/verify', { token });
  await visitor.call('POST', '/api/v1/auth/password/change', {
    current_password: '',
    new_password: PASSWORD,
  });
  return visitor;
}

/** `count` clients signing in back to back, in their own process, until stopped. */
function loginStorm(
  origin: string,
  count: number,
): { ready: Promise<void>; stop: () => Promise<number> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/login-storm.ts', origin, String(count), EMAIL, PASSWORD],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout.on('data', (chunk) => {
    output += chunk;
    if (output.startsWith('ready\n')) markReady();
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    ready,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      return Number(output.trim().split('\n').at(-1));
    },
  };
}

export async function runAuth(): Promise<boolean> {
  const scratch = await createScratchDatabase();
  const databaseUrl = new URL(scratch.url);
  const targets: AppTarget[] = [];
  const bare = await startBare(false);
  try {
    const app = await startApp('app GET /api/v1/auth/me', {
      DATABASE_URL: scratch.url,
      REDIS_URL: BENCH_REDIS_URL,
      REDIS_KEY_PREFIX: `${scratch.name}:`,
      AUTH_RATE_LIMIT_PER_MIN: '100000000',
      AUTH_READ_RATE_LIMIT_PER_MIN: '100000000',
    });
    targets.push(app);
    const user = await signedInUser(app);

    const [bareRuns = [], meRuns = []] = await alternate(
      [
        {
          target: bare,
          options: { path: '/api/v1/health', seconds: DURATION_SECONDS, connections: CONNECTIONS },
        },
        {
          target: app,
          options: {
            path: '/api/v1/auth/me',
            seconds: DURATION_SECONDS,
            connections: CONNECTIONS,
            headers: { cookie: user.cookieHeader },
          },
        },
      ],
      ROUNDS,
      WARMUP_SECONDS,
    );

    const health = {
      path: '/api/v1/health',
      seconds: DURATION_SECONDS,
      connections: HEALTH_CONNECTIONS,
      ratePerSecond: HEALTH_RATE_PER_SECOND,
    };
    const idle: Measurement[] = [];
    const busy: Measurement[] = [];
    let logins = 0;
    for (let round = 1; round <= ROUNDS; round += 1) {
      const quiet = await steadyLoad(app, health);
      idle.push(quiet);
      const storm = loginStorm(app.origin, CONCURRENT_LOGINS);
      await storm.ready;
      const loaded = await steadyLoad(app, health);
      logins += await storm.stop();
      busy.push(loaded);
      process.stdout.write(
        `  round ${round} health p99: idle ${quiet.p99Ms.toFixed(1)} ms, during ${CONCURRENT_LOGINS} concurrent logins ${loaded.p99Ms.toFixed(1)} ms\n`,
      );
    }

    const meRatio = requestsPerSecond(meRuns) / requestsPerSecond(bareRuns);
    const latencyRatio = p99(busy) / Math.max(p99(idle), LATENCY_RESOLUTION_MS);
    const errors = [...bareRuns, ...meRuns, ...idle, ...busy].reduce((sum, m) => sum + m.errors, 0);
    const meOk = meRatio >= TARGET_ME_RATIO;
    const latencyOk = latencyRatio <= TARGET_LATENCY_RATIO;
    process.stdout.write(
      [
        `auth: Redis ${new URL(BENCH_REDIS_URL).host}, PostgreSQL ${databaseUrl.host}; ${ROUNDS} x ${DURATION_SECONDS} s per measurement`,
        `  (a) bare Fastify route:          ${describeRuns(bareRuns)}`,
        `  (m) GET /auth/me with a session: ${describeRuns(meRuns)}`,
        `  throughput ratio m/a = ${meRatio.toFixed(3)} (target >= ${TARGET_ME_RATIO}) ${meOk ? 'PASS' : 'FAIL'}`,
        `  server CPU per request a/m = ${(cpuPerRequest(bareRuns) / cpuPerRequest(meRuns)).toFixed(3)}`,
        `  health at ${HEALTH_RATE_PER_SECOND} req/s: p99 idle ${p99(idle).toFixed(1)} ms, during logins ${p99(busy).toFixed(1)} ms`,
        `  logins completed: ${logins} in ${ROUNDS * DURATION_SECONDS} s (${(logins / (ROUNDS * DURATION_SECONDS)).toFixed(1)}/s)`,
        `  p99 ratio during/idle = ${latencyRatio.toFixed(2)} (target <= ${TARGET_LATENCY_RATIO}) ${latencyOk ? 'PASS' : 'FAIL'}`,
        `  failed or non-2xx responses: ${errors}`,
        '',
      ].join('\n'),
    );
    return meOk && latencyOk && errors === 0;
  } finally {
    stopAll([bare, ...targets]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await scratch.drop();
  }
}
