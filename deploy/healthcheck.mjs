// The containers' health check, for an image without a shell or curl:
//   node deploy/healthcheck.mjs            GET /api/v1/health on this container's PORT; healthy on 200
//   node deploy/healthcheck.mjs --tcp a:1   healthy when every host:port accepts a TCP connection
// (the worker serves no HTTP: its check is that the database and Redis answer).
// Exit 0 healthy, 1 not, always within TIMEOUT_MS.
import { connect } from 'node:net';

const TIMEOUT_MS = 4000;
const DEFAULT_PORT = 3000;

function checkHealthRoute() {
  const port = Number(process.env.PORT ?? DEFAULT_PORT);
  return fetch(`http://127.0.0.1:${port}/api/v1/health`, {
    signal: AbortSignal.timeout(TIMEOUT_MS),
  }).then((response) => response.status === 200);
}

function checkTcp(target) {
  const separator = target.lastIndexOf(':');
  const host = target.slice(0, separator);
  const port = Number(target.slice(separator + 1));
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: TIMEOUT_MS });
    const done = (healthy) => {
      socket.destroy();
      resolve(healthy);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

const tcpTargets = process.argv[2] === '--tcp' ? process.argv.slice(3) : null;
try {
  const results = tcpTargets
    ? await Promise.all(tcpTargets.map(checkTcp))
    : [await checkHealthRoute()];
  process.exit(results.length > 0 && results.every(Boolean) ? 0 : 1);
} catch {
  process.exit(1);
}
