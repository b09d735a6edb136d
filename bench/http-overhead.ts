// What the app's middleware costs per request. In one run, autocannon loads
// (a) a bare Fastify route and (b) GET /api/v1/health of the real app: every
// hook (security headers, request id, access log at info), the error
// handler, and the health check's database and store pings. Each server is a
// child process, so the load generator does not share its event loop; rounds
// alternate so drift on a noisy machine hits all alike. A third server, the
// bare route plus the S24 headers, splits the cost into what the mandated
// headers take (bigger responses for the server to write and the client to
// parse) and what the rest of the middleware takes.
// Target: throughput ratio b/a of at least 0.6.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort } from '../test/support/ports.js';

const ROUNDS = 3;
const DURATION_SECONDS = 8;
const WARMUP_SECONDS = 2;
const CONNECTIONS = 32;
const TARGET_RATIO = 0.6;
const SESSION_SECRET = 'Bench-0nly-9f8e7d6c5b4a39281706f5e4d3c2b1a0ZyXwVuTsRqPoNm';

async function waitUntilServing(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const response = await fetch(url).catch(() => null);
    if (response?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within 30 s`);
}

interface Target {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
}

async function startBare(withHeaders: boolean): Promise<Target> {
  const port = await freePort();
  const args = ['--import', 'tsx', 'bench/bare-server.ts', String(port)];
  if (withHeaders) args.push('--security-headers');
  const child = spawn(process.execPath, args, { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/api/v1/health`;
  await waitUntilServing(url, child);
  return { name: withHeaders ? 'bare + S24 headers' : 'bare Fastify route', url, child };
}

async function startApp(): Promise<Target> {
  const port = await freePort();
  const child = spawn(process.execPath, ['bin/tracera.js', 'serve'], {
    // Logs go to /dev/null: writing them is part of the cost being measured.
    stdio: 'ignore',
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      SESSION_SECRET,
      PORT: String(port),
      LOG_LEVEL: 'info',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'tracera-bench-')),
    },
  });
  const url = `http://127.0.0.1:${port}/api/v1/health`;
  await waitUntilServing(url, child);
  return { name: 'app GET /api/v1/health', url, child };
}

interface Measurement {
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
  readonly errors: number;
}

async function load(url: string, seconds: number): Promise<Measurement> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds });
  return {
    requestsPerSecond: result.requests.average,
    p99Ms: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

export async function runHttpOverhead(): Promise<boolean> {
  const targets = [await startBare(false), await startApp(), await startBare(true)];
  try {
    for (const target of targets) await load(target.url, WARMUP_SECONDS);
    const results = new Map<string, Measurement[]>(targets.map((target) => [target.name, []]));
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const target of targets) {
        const measurement = await load(target.url, DURATION_SECONDS);
        results.get(target.name)?.push(measurement);
        process.stdout.write(
          `  round ${round} ${target.name}: ${measurement.requestsPerSecond.toFixed(0)} req/s, p99 ${measurement.p99Ms} ms\n`,
        );
      }
    }
    const [bare, app, headed] = targets.map((target) => results.get(target.name) ?? []) as [
      Measurement[],
      Measurement[],
      Measurement[],
    ];
    const rps = (runs: Measurement[]) => mean(runs.map((m) => m.requestsPerSecond));
    const p99 = (runs: Measurement[]) => mean(runs.map((m) => m.p99Ms));
    const ratio =
      mean(app.map((m) => m.requestsPerSecond)) / mean(bare.map((m) => m.requestsPerSecond));
    const errors = [...bare, ...app].reduce((sum, m) => sum + m.errors, 0);
    process.stdout.write(
      [
        `http-overhead: ${CONNECTIONS} connections, ${ROUNDS} x ${DURATION_SECONDS} s per server`,
        `  (a) bare Fastify:      ${rps(bare).toFixed(0)} req/s, p99 ${p99(bare).toFixed(1)} ms`,
        `  (b) Tracera app:       ${rps(app).toFixed(0)} req/s, p99 ${p99(app).toFixed(1)} ms`,
        `  (h) bare + S24 headers: ${rps(headed).toFixed(0)} req/s, p99 ${p99(headed).toFixed(1)} ms`,
        `  throughput ratio b/a = ${ratio.toFixed(3)} (target >= ${TARGET_RATIO}) ${ratio >= TARGET_RATIO ? 'PASS' : 'FAIL'}`,
        `  of which headers h/a = ${(rps(headed) / rps(bare)).toFixed(3)}, rest of the middleware b/h = ${(rps(app) / rps(headed)).toFixed(3)}`,
        `  failed or non-2xx responses: ${errors}`,
        '',
      ].join('\n'),
    );
    return ratio >= TARGET_RATIO && errors === 0;
  } finally {
    for (const target of targets) target.child.kill('SIGTERM');
  }
}
