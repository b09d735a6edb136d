// Logging through pino (Fastify's logger). S36: no secret reaches a log line.
// Request lines carry method, path, status and client address only; query
// parameters that can hold tokens are masked, and any field, header or body
// field named like a credential is redacted should a line ever include it.
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
  // Steam echoes our callback address, which carries the flow's state.
  'openid.return_to',
]);

/** Keys whose values are credentials, wherever they appear in a logged object or its headers or body. */
const SECRET_KEYS = new Set([
  'password',
  'current_password',
  'new_password',
  'token',
  'csrf_token',
  'code',
  'access_token',
  'refresh_token',
  'id_token',
  'secret',
  'authorization',
  'cookie',
  'set-cookie',
  'x-csrf-token',
]);

/** Nested objects that carry client data: the only ones searched below the top level. */
const CARRIERS = new Set(['headers', 'body']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Returns the object with every credential replaced, copying only when there
 * is something to replace: the caller's object is never changed. This runs on
 * every log line, so it looks at keys (the top level, plus headers and
 * bodies) instead of matching path patterns: pino's `redact` with the same
 * coverage took half the time of an access-log line.
 */
export function redactSecrets(object: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | null = null;
  for (const key of Object.keys(object)) {
    const value = object[key];
    let replacement = value;
    if (SECRET_KEYS.has(key.toLowerCase())) replacement = REDACTED;
    else if (CARRIERS.has(key) && isRecord(value)) replacement = redactSecrets(value);
    if (replacement !== value) {
      copy ??= { ...object };
      copy[key] = replacement;
    }
  }
  return copy ?? object;
}

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
    formatters: { log: redactSecrets },
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

const FLUSH_INTERVAL_MS = 1000;
let stdoutStream: DestinationStream | undefined;

/**
 * Standard output, written synchronously in 4 KiB batches instead of one
 * write per line: a system call per access-log line, or a thread-pool round
 * trip per batch in pino's asynchronous mode, cost a sixth of the app's
 * throughput in bench/http-overhead. A quiet server still shows its lines
 * within a second, and the buffer is flushed when the process exits, even
 * on an uncaught exception; only a SIGKILL can lose the last second.
 * One stream per process: there is one standard output.
 */
function bufferedStdout(): DestinationStream {
  if (stdoutStream) return stdoutStream;
  const stream = pino.destination({ dest: 1, sync: true, minLength: 4096 });
  setInterval(() => stream.flushSync(), FLUSH_INTERVAL_MS).unref();
  process.on('exit', () => stream.flushSync());
  stdoutStream = stream;
  return stream;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(loggerOptions(level), destination ?? bufferedStdout());
}
