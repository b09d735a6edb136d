// Live feed fan-out at scale, on Redis as an operator runs it. 10,000
// WebSocket clients (in processes of their own), each following 20 of 1,000
// items, so every item has 200 followers; a tick for all 1,000 items is
// published once a second for 30 s, as ingestion publishes it, 6,000,000
// messages to deliver, after WARMUP_TICKS ticks that are not counted (the
// first ticks are paid in compilation). Measured, for the app's hub and, in
// the same run, a bare `ws` server doing the naive broadcast loop on the same
// channel (bench/ws-baseline-server.ts):
//  - delay from publish to receipt, p50 and p99 (target: the hub's p99 < 250 ms);
//  - messages delivered per second (target: the hub >= 0.8 x the baseline);
//  - server memory per connection, resident set growth from before the
//    clients connect to after they have subscribed (target: < 30 KB).
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { PriceMessage } from '../src/market/ingest/index.js';
import { publishChanges } from '../src/market/publish-changes.js';
import { PRICES_CHANNEL } from '../src/market/types.js';
import { RedisStore } from '../src/platform/store/redis-store.js';
import { freePort } from '../test/support/ports.js';
import {
  BENCH_REDIS_URL,
  cpuSeconds,
  createScratchDatabase,
  startApp,
  type Target,
  waitUntilServing,
} from './harness.js';

const CONNECTIONS = Number(process.env.WS_BENCH_CONNECTIONS ?? 10_000);
const ITEMS = 1000;
const PER_CLIENT = 20;
const TICKS = Number(process.env.WS_BENCH_TICKS ?? 30);
const TICK_MS = 1000;
const WARMUP_TICKS = 3;
const CLIENT_PROCESSES = Number(process.env.WS_BENCH_CLIENT_PROCESSES ?? 2);
/** After the last tick, how long delivery may take to finish before what is missing counts as lost. */
const DRAIN_MS = 10_000;
const SETTLE_MS = 2000;
const TARGET_P99_MS = 250;
const TARGET_THROUGHPUT_RATIO = 0.8;
const TARGET_BYTES_PER_CONNECTION = 30_000;
const PAGE_KIB = 1024;
/** Every connection receives a price for each item it follows. */
const MESSAGES_PER_TICK = CONNECTIONS * PER_CLIENT;
const EXPECTED = TICKS * MESSAGES_PER_TICK;

interface Report {
  readonly type: 'report';
  readonly received: number;
  readonly latencyCounts: readonly number[];
  readonly lastReceivedAt: number;
  readonly closed: number;
}

interface Result {
  readonly name: string;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly delivered: number;
  readonly perSecond: number;
  readonly bytesPerConnection: number;
  readonly closed: number;
  /** CPU seconds the server used per tick while ticks were published. */
  readonly serverCpuPerTick: number;
  readonly clientsCpuPerTick: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return Number(match?.[1] ?? 0) * PAGE_KIB;
}

function percentile(counts: readonly number[], total: number, fraction: number): number {
  let seen = 0;
  for (const [ms, count] of counts.entries()) {
    seen += count;
    if (seen >= total * fraction) return ms;
  }
  return counts.length - 1;
}

function startClients(url: string, origin: string): Promise<ChildProcess[]> {
  const perProcess = Math.ceil(CONNECTIONS / CLIENT_PROCESSES);
  return Promise.all(
    Array.from({ length: CLIENT_PROCESSES }, (_, index) => {
      const first = index * perProcess;
      const count = Math.min(perProcess, CONNECTIONS - first);
      const child = fork(
        'bench/ws-clients.ts',
        [url, origin, String(first), String(count), String(PER_CLIENT), String(ITEMS)],
        { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
      );
      return new Promise<ChildProcess>((resolve, reject) => {
        child.once('message', () => resolve(child));
        child.once('exit', (code) => reject(new Error(`bench clients exited with ${code}`)));
      });
    }),
  );
}

function ask<T>(child: ChildProcess, question: 'report' | 'reset'): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (message) => resolve(message as T));
    child.send(question);
  });
}

async function reports(clients: readonly ChildProcess[]): Promise<Report[]> {
  return Promise.all(clients.map((client) => ask<Report>(client, 'report')));
}

const deliveredOf = (got: readonly Report[]) => got.reduce((sum, one) => sum + one.received, 0);

/** The clients' reports once they have received `expected` messages, or once DRAIN_MS have passed. */
async function drained(clients: readonly ChildProcess[], expected: number): Promise<Report[]> {
  const deadline = Date.now() + DRAIN_MS;
  let got = await reports(clients);
  while (deliveredOf(got) < expected && Date.now() < deadline) {
    await sleep(250);
    got = await reports(clients);
  }
  return got;
}

/**
 * A tick: every item's new latest price published on the `prices` channel
 * exactly as ingestion publishes it, stamped with the moment it is published.
 */
async function publishTicks(store: RedisStore, ticks: number): Promise<number> {
  const started = Date.now();
  for (let tick = 0; tick < ticks; tick += 1) {
    await sleep(Math.max(0, started + tick * TICK_MS - Date.now()));
    const observedAt = new Date().toISOString();
    const changes: PriceMessage[] = Array.from({ length: ITEMS }, (_, index) => ({
      item_id: index + 1,
      source: 'demo',
      price_cents: 1000 + tick,
      volume: tick,
      observed_at: observedAt,
    }));
    await publishChanges(store, PRICES_CHANNEL, changes);
  }
  return started;
}

async function measure(target: Target, store: RedisStore): Promise<Result> {
  const pid = target.child.pid ?? 0;
  await sleep(SETTLE_MS);
  const before = residentBytes(pid);
  const url = `${target.origin.replace('http:', 'ws:')}/api/v1/ws`;
  const clients = await startClients(url, target.origin);
  try {
    await sleep(SETTLE_MS);
    const bytesPerConnection = (residentBytes(pid) - before) / CONNECTIONS;
    await publishTicks(store, WARMUP_TICKS);
    await drained(clients, WARMUP_TICKS * MESSAGES_PER_TICK);
    await Promise.all(clients.map((client) => ask(client, 'reset')));
    const cpuBefore = [pid, ...clients.map((client) => client.pid ?? 0)].map(cpuSeconds);
    const started = await publishTicks(store, TICKS);
    const cpuAfter = [pid, ...clients.map((client) => client.pid ?? 0)].map(cpuSeconds);
    const busy = cpuAfter.map((after, index) => (after - (cpuBefore[index] ?? 0)) / TICKS);
    const got = await drained(clients, EXPECTED);
    const delivered = deliveredOf(got);
    const counts = new Array<number>(got[0]?.latencyCounts.length ?? 0).fill(0);
    for (const one of got) {
      one.latencyCounts.forEach((count, ms) => {
        counts[ms] = (counts[ms] ?? 0) + count;
      });
    }
    const lastReceivedAt = Math.max(...got.map((one) => one.lastReceivedAt));
    return {
      name: target.name,
      p50Ms: percentile(counts, delivered, 0.5),
      p99Ms: percentile(counts, delivered, 0.99),
      delivered,
      perSecond: delivered / ((lastReceivedAt - started) / 1000),
      bytesPerConnection,
      closed: got.reduce((sum, one) => sum + one.closed, 0),
      serverCpuPerTick: busy[0] ?? 0,
      clientsCpuPerTick: busy.slice(1).reduce((sum, one) => sum + one, 0),
    };
  } finally {
    for (const client of clients) client.kill('SIGTERM');
  }
}

async function startBaseline(channel: string): Promise<Target> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/ws-baseline-server.ts', String(port), BENCH_REDIS_URL, channel],
    { stdio: 'ignore' },
  );
  const origin = `http://127.0.0.1:${port}`;
  await waitUntilServing(`${origin}/api/v1/health`, child);
  return { name: 'bare ws, naive broadcast', origin, child };
}

function describe(result: Result): string {
  return `p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${result.delivered} delivered (${Math.round(result.perSecond)}/s), ${(result.bytesPerConnection / 1000).toFixed(1)} KB per connection, ${result.closed} closed; CPU per tick: server ${result.serverCpuPerTick.toFixed(2)} s, clients ${result.clientsCpuPerTick.toFixed(2)} s`;
}

export async function runWsFanout(): Promise<boolean> {
  const scratch = await createScratchDatabase();
  const keyPrefix = `${scratch.name}:`;
  const store = await RedisStore.connect({
    url: BENCH_REDIS_URL,
    keyPrefix,
    connectTimeoutMs: 2000,
    commandTimeoutMs: 10_000,
  });
  const targets: Target[] = [];
  try {
    process.stdout.write(
      `  ${CONNECTIONS} clients x ${PER_CLIENT} of ${ITEMS} items, a tick of every item each second for ${TICKS} s (Redis ${new URL(BENCH_REDIS_URL).host})\n`,
    );
    const baselineTarget = await startBaseline(`${keyPrefix}prices`);
    targets.push(baselineTarget);
    const baseline = await measure(baselineTarget, store);
    process.stdout.write(`  ${baseline.name}: ${describe(baseline)}\n`);
    baselineTarget.child.kill('SIGTERM');

    const appTarget = await startApp('app hub', {
      DATABASE_URL: scratch.url,
      REDIS_URL: BENCH_REDIS_URL,
      REDIS_KEY_PREFIX: keyPrefix,
      // Every client connects from 127.0.0.1: the per-address cap would refuse all but 50.
      WS_MAX_CONNECTIONS_PER_IP: '0',
    });
    targets.push(appTarget);
    const hub = await measure(appTarget, store);
    process.stdout.write(`  ${hub.name}: ${describe(hub)}\n`);

    const ratio = hub.perSecond / baseline.perSecond;
    const checks: [string, boolean][] = [
      [`hub p99 ${hub.p99Ms} ms (target < ${TARGET_P99_MS})`, hub.p99Ms < TARGET_P99_MS],
      [
        `delivered/s ratio hub/baseline ${ratio.toFixed(2)} (target >= ${TARGET_THROUGHPUT_RATIO})`,
        ratio >= TARGET_THROUGHPUT_RATIO,
      ],
      [
        `hub ${(hub.bytesPerConnection / 1000).toFixed(1)} KB per connection (target < ${TARGET_BYTES_PER_CONNECTION / 1000})`,
        hub.bytesPerConnection < TARGET_BYTES_PER_CONNECTION,
      ],
      [`hub delivered every message (${hub.delivered} of ${EXPECTED})`, hub.delivered === EXPECTED],
    ];
    for (const [text, passed] of checks) {
      process.stdout.write(`  ${passed ? 'PASS' : 'FAIL'} ${text}\n`);
    }
    return checks.every(([, passed]) => passed);
  } finally {
    for (const target of targets) target.child.kill('SIGTERM');
    await store.close();
    await scratch.drop();
  }
}
