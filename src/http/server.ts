// S25: explicit timeouts on the HTTP server so a slow client (slowloris)
// cannot hold connections open: headers must arrive within
// HTTP_HEADERS_TIMEOUT_MS and the whole request within HTTP_REQUEST_TIMEOUT_MS,
// idle keep-alive sockets close after HTTP_KEEP_ALIVE_TIMEOUT_MS and silent
// sockets after HTTP_IDLE_TIMEOUT_MS. Node checks the first two only every
// `connectionsCheckingInterval` (30 s by default), so the interval is tied to
// the timeout it enforces.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { Config } from '../config.js';

const MAX_CHECK_INTERVAL_MS = 1000;

export function createHttpServer(settings: Config['http'], handler: RequestListener): Server {
  const server = createServer(
    {
      headersTimeout: settings.headersTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      keepAliveTimeout: settings.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.max(
        1,
        Math.min(MAX_CHECK_INTERVAL_MS, Math.floor(settings.headersTimeoutMs / 4)),
      ),
    },
    handler,
  );
  server.setTimeout(settings.idleTimeoutMs);
  return server;
}
