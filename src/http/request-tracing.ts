// Request ids and the access log. Every response carries the id Fastify gave
// the request (X-Request-Id), and every request leaves one access line with
// that id, method, masked path, client address, status and duration.
//
// The line is written by Fastify's own log controller rather than an
// onResponse hook: Fastify calls it once per request anyway, and a hook
// would add a hook runner to the hottest path (bench/http-overhead). The same
// call gives the request's duration to the metrics (docs/metrics.md), by its
// route pattern, never its URL.
import { randomUUID } from 'node:crypto';
import {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Client-supplied ids are ignored: they would let anyone forge log correlation. */
export const generateRequestId = (): string => randomUUID();

/** Sees each completed request: its method, route pattern (none when unmatched), status, duration. */
export type RequestObserver = (
  method: string,
  route: string | undefined,
  statusCode: number,
  ms: number,
) => void;

export class AccessLog extends LogController {
  constructor(private readonly observe: RequestObserver = () => {}) {
    super();
  }

  /** One line per request, written when it completes; nothing when it arrives. */
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const ms = reply.elapsedTime;
    this.observe(request.method, request.routeOptions.url, reply.statusCode, ms);
    const line = { req: request, res: reply, responseTimeMs: Math.round(ms) };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}

export function registerRequestIdHeader(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
}
