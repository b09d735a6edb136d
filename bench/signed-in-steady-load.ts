// `steadyLoad` (bench/harness.ts) for routes behind a session: the same open
// loop, requests due every 1/rate seconds and each timed from when it was
// due, with headers (the session cookie) sent on every request. Used for a
// route and its baseline alike, so both are measured by the same code.
import { Agent, get } from 'node:http';
import { cpuSeconds, type Measurement, type SteadyLoadOptions, type Target } from './harness.js';

/** A request unanswered this long counts as failed, as in the harness. */
const REQUEST_TIMEOUT_MS = 10_000;

export interface SignedInLoadOptions extends SteadyLoadOptions {
  readonly headers: Readonly<Record<string, string>>;
}

export interface SignedInMeasurement extends Measurement {
  /** Body bytes of the last complete 2xx answer, to show what a request carries. */
  readonly responseBytes: number;
}

export async function steadySignedInLoad(
  target: Target,
  options: SignedInLoadOptions,
): Promise<SignedInMeasurement> {
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
      const settle = (ok: boolean) => {
        if (settled) return;
        settled = true;
        if (ok) latencies.push(performance.now() - dueAt);
        else errors += 1;
        resolve();
      };
      const path = options.nextPath?.() ?? options.path;
      const request = get({ agent, hostname, port, path, headers: options.headers }, (response) => {
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
