// One place turns every failure into a response: `{"detail": "..."}` with the
// right status and never a stack trace (S23). Client errors are logged at info
// without a stack, since they are the client's doing; only server faults are
// logged at error level.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../platform/errors.js';
import { StoreUnavailableError } from '../platform/store/index.js';

const INTERNAL_ERROR = 'Internal server error';
const UNAVAILABLE = 'Service temporarily unavailable, try again shortly';

/** Fastify's own messages for these are written for developers; clients get plainer ones. */
const CLIENT_MESSAGES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'Request body is too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported content type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Request body is empty but content-type is application/json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'Request body is not valid JSON',
  FST_ERR_BAD_URL: 'Malformed URL: a percent-encoded part is not valid UTF-8',
  FST_ERR_MAX_PARAM_LENGTH: 'A segment of the URL path is too long',
};

function isFastifyError(error: unknown): error is FastifyError & { statusCode: number } {
  return error instanceof Error && typeof (error as FastifyError).statusCode === 'number';
}

function clientErrorDetail(error: FastifyError): string {
  if (error.code && CLIENT_MESSAGES[error.code]) return CLIENT_MESSAGES[error.code] as string;
  if (error instanceof SyntaxError) return CLIENT_MESSAGES.FST_ERR_CTP_INVALID_JSON_BODY as string;
  return error.message;
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
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
  });

  app.setNotFoundHandler((_request, reply) => {
    reply.code(404).send({ detail: 'Not found' });
  });
}

/**
 * Fastify answers a URL its router cannot read (a percent-encoding that is
 * not UTF-8, such as an encoded unpaired surrogate, or a path parameter past
 * its length limit) before any route or hook, in a body of its own. Here
 * those answers get `{"detail"}` like every other, and `headers`, the ones
 * every response carries, since no onRequest hook has run to add them.
 */
export function frameworkErrorHandler(headers: Readonly<Record<string, string>>) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    reply.headers(headers).header('x-request-id', request.id);
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      const detail = clientErrorDetail(error);
      request.log.info({ statusCode: error.statusCode, code: error.code }, detail);
      return reply.code(error.statusCode).send({ detail });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send({ detail: INTERNAL_ERROR });
  };
}
