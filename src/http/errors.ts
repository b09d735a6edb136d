// One place turns every failure into a response: `{"detail": "..."}` with the
// right status, the S24 headers, and never a stack trace (S23). Client errors
// are logged at info without a stack, since they are the client's doing; only
// server faults are logged at error level.
//
// Most failures reach the error handler registered below. Three kinds are
// answered before any route or hook runs, and so are rendered here too, in the
// same shape (S24: the headers are on every response):
// - what Node's HTTP parser refuses (a malformed request line or header, a
//   header block over the limit, a request too slow to arrive) comes as the
//   server's 'clientError' with only the raw socket to write on;
// - what Node's server refuses by itself before the request reaches Fastify
//   (an HTTP/1.1 request without Host, an Expect other than 100-continue);
// - what Fastify's router refuses before hooks (a path it cannot
//   percent-decode, a parameter over its length limit).
import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type {
  ConnectionError,
  FastifyBaseLogger,
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
} from 'fastify';
import { ApiError } from '../platform/errors.js';
import { StoreUnavailableError } from '../platform/store/index.js';
import { securityHeaders } from '../security/headers.js';
import { REQUEST_ID_HEADER } from './request-tracing.js';

const INTERNAL_ERROR = 'Internal server error';
const UNAVAILABLE = 'Service temporarily unavailable, try again shortly';

/** Fastify's own messages for these are written for developers; clients get plainer ones. */
const CLIENT_MESSAGES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'Request body is too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported content type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Request body is empty but content-type is application/json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'Request body is not valid JSON',
  // Fastify's messages for these two repeat the path back.
  FST_ERR_BAD_URL: 'Request path is not valid',
  FST_ERR_MAX_PARAM_LENGTH: 'A request path segment is too long',
};

function isFastifyError(error: unknown): error is FastifyError & { statusCode: number } {
  return error instanceof Error && typeof (error as FastifyError).statusCode === 'number';
}

function clientErrorDetail(error: FastifyError): string {
  if (error.code && CLIENT_MESSAGES[error.code]) return CLIENT_MESSAGES[error.code] as string;
  if (error instanceof SyntaxError) return CLIENT_MESSAGES.FST_ERR_CTP_INVALID_JSON_BODY as string;
  return error.message;
}

function answerError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof ApiError) {
    request.log.info({ statusCode: error.statusCode }, error.detail);
    return reply.code(error.statusCode).headers(error.headers).send({ detail: error.detail });
  }
  if (error instanceof StoreUnavailableError) {
    request.log.warn({ err: { message: error.message } }, 'store unavailable');
    return reply.code(503).send({ detail: UNAVAILABLE });
  }
  if (isFastifyError(error) && error.statusCode >= 400 && error.statusCode < 500) {
    const detail = clientErrorDetail(error);
    request.log.info({ statusCode: error.statusCode, code: error.code }, detail);
    return reply.code(error.statusCode).send({ detail });
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply.code(500).send({ detail: INTERNAL_ERROR });
}

/** The HTML a browser gets for an unknown page, with its headers, or null to answer `{"detail"}` as for the API. */
export type NotFoundPage = (
  request: FastifyRequest,
) => { readonly html: Buffer; readonly headers: Readonly<Record<string, string>> } | null;

/**
 * The one error handler, and the one not-found handler: `{"detail"}` JSON,
 * except where `notFoundPage` gives a browser an HTML page instead (the web
 * app, which shows its own not-found page).
 */
export function registerErrorHandling(app: FastifyInstance, notFoundPage?: NotFoundPage): void {
  app.setErrorHandler(answerError);
  app.setNotFoundHandler((request, reply) => {
    const page = notFoundPage?.(request);
    if (page) {
      reply.code(404).headers(page.headers).type('text/html; charset=utf-8');
      reply.send(page.html);
      return;
    }
    reply.code(404).send({ detail: 'Not found' });
  });
}

/** What a client is told for each status answered before routing. */
const EARLY_DETAILS = {
  400: 'Malformed HTTP request',
  408: 'Request took too long to arrive',
  413: 'Request chunk extensions are too large',
  417: 'Unsupported Expect header',
  431: 'Request header fields are too large',
  503: 'The server is shutting down; try again shortly',
} as const;

type EarlyStatus = keyof typeof EARLY_DETAILS;

/** Node's statuses for its parser's error codes (lib/_http_server.js); any other code is a 400. */
const PARSER_ERROR_STATUS: Readonly<Record<string, EarlyStatus>> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

/** Requests Node's server would answer by itself, without S24 headers or a body. */
export type RefuseRequest = (response: ServerResponse, status: 400 | 417 | 503) => void;

export interface EarlyErrorHandling {
  /** Fastify's `clientErrorHandler`: answers the HTTP parser's refusals on the raw socket. */
  readonly clientErrorHandler: (error: ConnectionError, socket: Socket) => void;
  /** Fastify's `frameworkErrors`: the router's refusals, through the one error handler. */
  readonly frameworkErrors: (
    error: FastifyError,
    request: FastifyRequest,
    reply: FastifyReply,
  ) => void;
  /** For the HTTP server (src/http/server.ts): a missing Host, an unmet Expect, a server closing. */
  readonly refuseRequest: RefuseRequest;
}

/**
 * Whether a response on this connection has begun: answering then would put
 * a second response inside the first, so Node writes nothing, and neither do
 * we. `_httpMessage` is the response Node is writing on the socket; it has no
 * public name.
 */
function responseStarted(socket: Socket): boolean {
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  return inFlight?.headersSent === true;
}

interface EarlyAnswer {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

function earlyAnswer(security: Readonly<Record<string, string>>, status: EarlyStatus): EarlyAnswer {
  const body = JSON.stringify({ detail: EARLY_DETAILS[status] });
  const headers = {
    ...security,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    // What follows a request we could not read (or a refused Expect's body)
    // cannot be trusted to start the next request.
    connection: 'close',
  };
  return { headers, body };
}

/** The whole response as it goes on the wire, for a socket that no response object owns. */
function rawResponse(status: EarlyStatus, { headers, body }: EarlyAnswer): string {
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status]}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

export function earlyErrorHandling(baseUrl: string, log: FastifyBaseLogger): EarlyErrorHandling {
  const security = securityHeaders(baseUrl);
  return {
    clientErrorHandler(error, socket) {
      // The peer is gone (https://nodejs.org/api/http.html#event-clienterror).
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      const status = PARSER_ERROR_STATUS[error.code] ?? 400;
      log.info({ statusCode: status, code: error.code }, EARLY_DETAILS[status]);
      if (!socket.writable || responseStarted(socket)) {
        socket.destroy();
        return;
      }
      socket.end(rawResponse(status, earlyAnswer(security, status)));
    },

    frameworkErrors(error, request, reply) {
      // No onRequest hook runs for these, so the headers it sets are set here.
      reply.headers(security).header(REQUEST_ID_HEADER, request.id);
      answerError(error, request, reply);
    },

    refuseRequest(response, status) {
      const { headers, body } = earlyAnswer(security, status);
      log.info({ statusCode: status }, EARLY_DETAILS[status]);
      response.writeHead(status, headers).end(body);
    },
  };
}
