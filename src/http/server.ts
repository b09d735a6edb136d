// S25: explicit timeouts on the HTTP server so a slow client (slowloris)
// cannot hold connections open: headers must arrive within
// HTTP_HEADERS_TIMEOUT_MS and the whole request within HTTP_REQUEST_TIMEOUT_MS,
// idle keep-alive sockets close after HTTP_KEEP_ALIVE_TIMEOUT_MS and silent
// sockets after HTTP_IDLE_TIMEOUT_MS. Node checks the first two only every
// `connectionsCheckingInterval` (30 s by default), so the interval is tied to
// the timeout it enforces.
//
// S24: two requests Node would answer by itself, with neither the security
// headers nor a `{"detail"}` body, are handed to `refuse` instead: an HTTP/1.1
// request without Host (which RFC 9112 requires a 400 for) and an Expect
// other than 100-continue (417). So is a request that arrives on a kept-alive
// connection while the app is closing (503), which Fastify's own fast path
// would answer in a shape of its own.
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { Config } from '../config.js';
import type { RefuseRequest } from './errors.js';

const MAX_CHECK_INTERVAL_MS = 1000;

function lacksRequiredHost(request: IncomingMessage): boolean {
  return (
    request.httpVersionMajor === 1 &&
    request.httpVersionMinor === 1 &&
    request.headers.host === undefined
  );
}

export function createHttpServer(
  settings: Config['http'],
  handler: RequestListener,
  refuse: RefuseRequest,
  isClosing: () => boolean,
): Server {
  const server = createServer(
    {
      headersTimeout: settings.headersTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      keepAliveTimeout: settings.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.max(
        1,
        Math.min(MAX_CHECK_INTERVAL_MS, Math.floor(settings.headersTimeoutMs / 4)),
      ),
      // Checked below instead, so the answer has the same shape as every other.
      requireHostHeader: false,
    },
    (request, response) => {
      if (lacksRequiredHost(request)) refuse(response, 400);
      else if (isClosing()) refuse(response, 503);
      else handler(request, response);
    },
  );
  server.on('checkExpectation', (_request, response) => refuse(response, 417));
  server.setTimeout(settings.idleTimeoutMs);
  return server;
}
