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
import {
  alternate,
  CONNECTIONS,
  cpuPerRequest,
  DURATION_SECONDS,
  describeRuns,
  ROUNDS,
  requestsPerSecond,
  startApp,
  startBare,
  stopAll,
  WARMUP_SECONDS,
} from './harness.js';

const TARGET_RATIO = 0.6;
const PATH = '/api/v1/health';

export async function runHttpOverhead(): Promise<boolean> {
  const targets = [
    await startBare(false),
    await startApp('app GET /api/v1/health'),
    await startBare(true),
  ];
  try {
    const options = { path: PATH, seconds: DURATION_SECONDS, connections: CONNECTIONS };
    const [bare = [], app = [], headed = []] = await alternate(
      targets.map((target) => ({ target, options })),
      ROUNDS,
      WARMUP_SECONDS,
    );
    const rps = requestsPerSecond;
    const ratio = rps(app) / rps(bare);
    const errors = [...bare, ...app].reduce((sum, m) => sum + m.errors, 0);
    process.stdout.write(
      [
        `http-overhead: ${CONNECTIONS} connections, ${ROUNDS} x ${DURATION_SECONDS} s per server`,
        `  (a) bare Fastify:       ${describeRuns(bare)}`,
        `  (b) Tracera app:        ${describeRuns(app)}`,
        `  (h) bare + S24 headers: ${describeRuns(headed)}`,
        `  throughput ratio b/a = ${ratio.toFixed(3)} (target >= ${TARGET_RATIO}) ${ratio >= TARGET_RATIO ? 'PASS' : 'FAIL'}`,
        `  of which headers h/a = ${(rps(headed) / rps(bare)).toFixed(3)}, rest of the middleware b/h = ${(rps(app) / rps(headed)).toFixed(3)}`,
        // The load generator shares the machine's cores, so CPU per request is the steadier figure.
        `  server CPU per request a/b = ${(cpuPerRequest(bare) / cpuPerRequest(app)).toFixed(3)}`,
        `  failed or non-2xx responses: ${errors}`,
        '',
      ].join('\n'),
    );
    return ratio >= TARGET_RATIO && errors === 0;
  } finally {
    stopAll(targets);
  }
}
