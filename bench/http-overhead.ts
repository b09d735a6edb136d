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
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort } from '../test/support/ports.js';

const ROUNDS = 3;
const DURATION_SECONDS = 8;
const WARMUP_SECONDS = 2;
const CONNECTIONS = 32;
const TARGET_RATIO = 0.6;
/** USER_HZ, 100 on every Linux build that matters. */
const CLOCK_TICKS_PER_SECOND = 100;
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
  /** The server process's CPU time (user + system) per answered request. */
  readonly cpuMicrosPerRequest: number;
}

/** CPU seconds a process has used so far, from /proc (fields 14 and 15 of stat, in clock ticks). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

async function load(target: Target, seconds: number): Promise<Measurement> {
  const pid = target.child.pid ?? 0;
  const cpuBefore = cpuSeconds(pid);
  const result = await autocannon({ url: target.url, connections: CONNECTIONS, duration: seconds });
  const cpuUsed = cpuSeconds(pid) - cpuBefore;
  return {
    requestsPerSecond: result.requests.average,
    p99Ms: result.latency.p99,
    errors: result.errors + result.non2xx,
    cpuMicrosPerRequest: (cpuUsed * 1e6) / Math.max(1, result.requests.total),
  };
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

export async function runHttpOverhead(): Promise<boolean> {
  const targets = [await startBare(false), await startApp(), await startBare(true)];
  try {
    for (const target of targets) await load(target, WARMUP_SECONDS);
    const results = new Map<string, Measurement[]>(targets.map((target) => [target.name, []]));
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const target of targets) {
        const measurement = await load(target, DURATION_SECONDS);
        results.get(target.name)?.push(measurement);
        process.stdout.write(
          `  round ${round} ${target.name}: ${measurement.requestsPerSecond.toFixed(0)} req/s, p99 ${measurement.p99Ms} ms, server CPU ${measurement.cpuMicrosPerRequest.toFixed(1)} us/request\n`,
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
    const cpu = (runs: Measurement[]) => mean(runs.map((m) => m.cpuMicrosPerRequest));
    const ratio = rps(app) / rps(bare);
    const describe = (runs: Measurement[]) =>
      `${rps(runs).toFixed(0)} req/s, p99 ${p99(runs).toFixed(1)} ms, server CPU ${cpu(runs).toFixed(1)} us/request`;
    const errors = [...bare, ...app].reduce((sum, m) => sum + m.errors, 0);
    process.stdout.write(
      [
        `http-overhead: ${CONNECTIONS} connections, ${ROUNDS} x ${DURATION_SECONDS} s per server`,
        `  (a) bare Fastify:       ${describe(bare)}`,
        `  (b) Tracera app:        ${describe(app)}`,
        `  (h) bare + S24 headers: ${describe(headed)}`,
        `  throughput ratio b/a = ${ratio.toFixed(3)} (target >= ${TARGET_RATIO}) ${ratio >= TARGET_RATIO ? 'PASS' : 'FAIL'}`,
        `  of which headers h/a = ${(rps(headed) / rps(bare)).toFixed(3)}, rest of the middleware b/h = ${(rps(app) / rps(headed)).toFixed(3)}`,
        // The load generator shares the machine's cores, so CPU per request is the steadier figure.
        `  server CPU per request a/b = ${(cpu(bare) / cpu(app)).toFixed(3)}`,
        `  failed or non-2xx responses: ${errors}`,
        '',
      ].join('\n'),
    );
    return ratio >= TARGET_RATIO && errors === 0;
  } finally {
    for (const target of targets) target.child.kill('SIGTERM');
  }
}
