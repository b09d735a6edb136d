// What the benchmarks share: servers started as child processes (so the load
// generator never shares their event loop), autocannon runs, and the server's
// CPU time per request read from /proc.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { freePort } from '../test/support/ports.js';

/** USER_HZ, 100 on every Linux build that matters. */
const CLOCK_TICKS_PER_SECOND = 100;
const START_TIMEOUT_MS = 30_000;
/** A request of a steady load unanswered this long counts as failed. */
const REQUEST_TIMEOUT_MS = 10_000;

/** The shape of every load run, the same across benchmarks so their figures compare. */
export const ROUNDS = 3;
export const DURATION_SECONDS = 8;
export const WARMUP_SECONDS = 2;
export const CONNECTIONS = 32;
export const SESSION_SECRET = 'Bench-0nly-9f8e7d6c5b4a39281706f5e4d3c2b1a0ZyXwVuTsRqPoNm';

export interface Target {
  readonly name: string;
  /** Origin, e.g. `http://127.0.0.1:41234`. */
  readonly origin: string;
  readonly child: ChildProcess;
}

export async function waitUntilServing(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const response = await fetch(url).catch(() => null);
    if (response?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within ${START_TIMEOUT_MS / 1000} s`);
}

/** A bare Fastify route answering what the app's health route answers (bench/bare-server.ts). */
export async function startBare(withHeaders: boolean): Promise<Target> {
  const port = await freePort();
  const args = ['--import', 'tsx', 'bench/bare-server.ts', String(port)];
  if (withHeaders) args.push('--security-headers');
  const child = spawn(process.execPath, args, { stdio: 'ignore' });
  const origin = `http://127.0.0.1:${port}`;
  await waitUntilServing(`${origin}/api/v1/health`, child);
  return { name: withHeaders ? 'bare + S24 headers' : 'bare Fastify route', origin, child };
}

export interface AppTarget extends Target {
  readonly dataDir: string;
}

/** `tracera serve` in production mode, logging at info to /dev/null (writing logs is part of the cost). */
export async function startApp(name: string, env: Record<string, string> = {}): Promise<AppTarget> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'tracera-bench-'));
  const origin = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['bin/tracera.js', 'serve'], {
    stdio: 'ignore',
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      SESSION_SECRET,
      PORT: String(port),
      BASE_URL: origin,
      LOG_LEVEL: 'info',
      DATA_DIR: dataDir,
      // Background ingestion would load the machine in the middle of a measurement.
      INGEST_IN_SERVE: 'false',
      ...env,
    },
  });
  await waitUntilServing(`${origin}/api/v1/health`, child);
  return { name, origin, child, dataDir };
}

export interface Measurement {
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
  readonly errors: number;
  /** The server process's CPU time (user + system) per answered request. */
  readonly cpuMicrosPerRequest: number;
}

/** CPU seconds a process has used so far, from /proc (fields 14 and 15 of stat, in clock ticks). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

export interface LoadOptions {
  readonly path: string;
  readonly seconds: number;
  readonly connections: number;
  readonly headers?: Record<string, string>;
  /** A fresh path for every request, instead of `path` for all. */
  readonly nextPath?: () => string;
}

export async function load(target: Target, options: LoadOptions): Promise<Measurement> {
  const pid = target.child.pid ?? 0;
  const cpuBefore = cpuSeconds(pid);
  const result = await autocannon({
    url: `${target.origin}${options.path}`,
    connections: options.connections,
    duration: options.seconds,
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.nextPath
      ? { requests: [{ setupRequest: (request) => ({ ...request, path: options.nextPath?.() }) }] }
      : {}),
  });
  const cpuUsed = cpuSeconds(pid) - cpuBefore;
  return {
    requestsPerSecond: result.requests.average,
    p99Ms: result.latency.p99,
    errors: result.errors + result.non2xx,
    cpuMicrosPerRequest: (cpuUsed * 1e6) / Math.max(1, result.requests.total),
  };
}

export interface SteadyLoadOptions {
  readonly path: string;
  readonly seconds: number;
  readonly ratePerSecond: number;
  /** Keep-alive connections at most; a request due while all are busy waits, and the wait counts. */
  readonly connections: number;
  /** A fresh path for every request, instead of `path` for all. */
  readonly nextPath?: () => string;
  /** Sent with every request, such as a session cookie. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface SteadyMeasurement extends Measurement {
  /** Body bytes of the last complete 2xx answer: what a request carries. */
  readonly responseBytes: number;
}

/**
 * Requests sent on a fixed schedule, one every 1/rate seconds whether or not
 * earlier ones were answered (an open loop, as users arrive), each timed
 * from when it was due, so a stall delays and counts against every request
 * behind it. autocannon's rate option is not this: each connection sends
 * back to back until it has made its share for the second, so the load
 * arrives as bursts at full speed, and it pads its histogram with estimated
 * samples on top.
 */
export async function steadyLoad(
  target: Target,
  options: SteadyLoadOptions,
): Promise<SteadyMeasurement> {
  const pid = target.child.pid ?? 0;
  const { hostname, port } = new URL(target.origin);
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const intervalMs = 1000 / options.ratePerSecond;
  const total = Math.round(options.seconds * options.ratePerSecond);
  const latencies: number[] = [];
  let errors = 0;
  let responseBytes = 0;
  const answered: Promise<void>[] = [];
  const send = (dueAt: number) =>
    new Promise<void>((resolve) => {
      let settled = false;
      const settle = (answered: boolean) => {
        if (settled) return;
        settled = true;
        if (answered) latencies.push(performance.now() - dueAt);
        else errors += 1;
        resolve();
      };
      const path = options.nextPath?.() ?? options.path;
      const headers = options.headers ?? {};
      const request = get({ agent, hostname, port, path, headers }, (response) => {
        let bytes = 0;
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.byteLength;
        });
        // 'close' comes whether the body ended or the connection dropped.
        response.on('close', () => {
          const ok = response.complete && (response.statusCode ?? 0) < 300;
          if (ok) responseBytes = bytes;
          settle(ok);
        });
      });
      request.setTimeout(REQUEST_TIMEOUT_MS, () => request.destroy(new Error('timed out')));
      request.on('error', () => settle(false));
    });
  const cpuBefore = cpuSeconds(pid);
  const start = performance.now();
  await new Promise<void>((done) => {
    let sent = 0;
    const tick = () => {
      while (sent < total && start + sent * intervalMs <= performance.now()) {
        answered.push(send(start + sent * intervalMs));
        sent += 1;
      }
      if (sent < total) setTimeout(tick, start + sent * intervalMs - performance.now());
      else done();
    };
    tick();
  });
  await Promise.all(answered);
  const elapsedSeconds = (performance.now() - start) / 1000;
  const cpuUsed = cpuSeconds(pid) - cpuBefore;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: latencies.length / elapsedSeconds,
    p99Ms: latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.99) - 1)] ?? 0,
    errors,
    cpuMicrosPerRequest: (cpuUsed * 1e6) / Math.max(1, latencies.length),
    responseBytes,
  };
}

export function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

export const requestsPerSecond = (runs: readonly Measurement[]) =>
  mean(runs.map((m) => m.requestsPerSecond));
export const p99 = (runs: readonly Measurement[]) => mean(runs.map((m) => m.p99Ms));
export const cpuPerRequest = (runs: readonly Measurement[]) =>
  mean(runs.map((m) => m.cpuMicrosPerRequest));

export function describeRuns(runs: readonly Measurement[]): string {
  return `${requestsPerSecond(runs).toFixed(0)} req/s, p99 ${p99(runs).toFixed(1)} ms, server CPU ${cpuPerRequest(runs).toFixed(1)} us/request`;
}

export function stopAll(targets: readonly Target[]): void {
  for (const target of targets) target.child.kill('SIGTERM');
}

export interface Contender {
  readonly target: Target;
  readonly options: LoadOptions;
}

/**
 * A warm-up for each contender, then `rounds` rounds loading each in turn, so
 * drift on a noisy machine hits all alike. Returns each contender's runs.
 */
export async function alternate(
  contenders: readonly Contender[],
  rounds: number,
  warmupSeconds: number,
): Promise<Measurement[][]> {
  for (const { target, options } of contenders) {
    await load(target, { ...options, seconds: warmupSeconds });
  }
  const results = contenders.map((): Measurement[] => []);
  for (let round = 1; round <= rounds; round += 1) {
    for (const [index, { target, options }] of contenders.entries()) {
      const measurement = await load(target, options);
      results[index]?.push(measurement);
      process.stdout.write(`  round ${round} ${target.name}: ${describeRuns([measurement])}\n`);
    }
  }
  return results;
}

export const BENCH_REDIS_URL =
  process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

export const BENCH_DATABASE_URL =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export interface ScratchDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** A new empty PostgreSQL database beside BENCH_DATABASE_URL's, for one benchmark run. */
export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const name = `tracera_bench_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(BENCH_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => adminQuery(`drop database if exists ${name} with (force)`),
  };
}
