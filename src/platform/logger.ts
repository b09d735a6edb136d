// Logging through pino (Fastify's logger). S36: no secret reaches a log line.
// Request lines carry method, path, status and client address only; query
// parameters that can hold tokens are masked, and any header or body field
// that holds a credential is redacted should a line ever include it.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

export const REDACTED = '[redacted]';

/** Query parameters whose values are credentials: magic-link, reset and OAuth callbacks. */
const SECRET_QUERY_PARAMS = new Set([
  'token',
  'code',
  'state',
  'password',
  'secret',
  'access_token',
  'id_token',
  'openid.sig',
  'openid.assoc_handle',
  'openid.response_nonce',
]);

const SECRET_FIELDS = [
  'password',
  'current_password',
  'new_password',
  'token',
  'csrf_token',
  'code',
  'state',
  'access_token',
  'refresh_token',
  'id_token',
  'secret',
  'session_secret',
  'sessionSecret',
  'cookie',
  'authorization',
];

const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-csrf-token"]',
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `body.${field}`, `*.body.${field}`]),
];

export function maskSecretQuery(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return url;
  const params = new URLSearchParams(url.slice(queryStart + 1));
  let masked = false;
  for (const name of new Set(params.keys())) {
    if (SECRET_QUERY_PARAMS.has(name.toLowerCase())) {
      params.set(name, REDACTED);
      masked = true;
    }
  }
  return masked ? `${url.slice(0, queryStart)}?${params.toString()}` : url;
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: {
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: maskSecretQuery(request.url),
        ip: request.ip,
      }),
      res: (reply: FastifyReply) => ({ statusCode: reply.statusCode }),
    },
  };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}
