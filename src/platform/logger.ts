// Logging through pino (Fastify's logger). S36: no secret reaches a log line.
// Request lines carry method, path, status and client address only; query
// parameters that can hold tokens are masked, any field, header or body
// field named like a credential is redacted should a line ever include it,
// and a database error is logged without the values its statement was given.
import { messages as pgliteMessages } from '@electric-sql/pglite';
import type { FastifyReply, FastifyRequest } from 'fastify';
import pg from 'pg';
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

interface DatabaseError extends Error {
  readonly code?: string | undefined;
  readonly constraint?: string | undefined;
}

/**
 * Both drivers hang the values a statement was given on their errors:
 * PostgreSQL's `detail` (`Key (email)=(a@b.example) already exists.`),
 * `where` and `internalQuery`, and on PGlite's also the statement and its
 * parameters (once, a new password's hash). Only the platform knows the
 * drivers, so it is here that their errors are recognised.
 */
function isDatabaseError(error: Error): error is DatabaseError {
  return error instanceof pg.DatabaseError || error instanceof pgliteMessages.DatabaseError;
}

/**
 * An error as a log line holds it. A database error is its code, message and
 * constraint, nothing else, wherever it sits: logged itself, as a `cause`, in
 * an AggregateError or in another error's field. Any other error keeps its
 * type, message, stack and own fields, as pino's default serializer gives
 * them, with its cause as a field of its own instead of appended to the stack.
 * Values that are not errors are returned as they are.
 */
export function serializeError(value: unknown, seen: Set<Error> = new Set()): unknown {
  if (!(value instanceof Error)) return value;
  if (isDatabaseError(value)) {
    return { code: value.code, message: value.message, constraint: value.constraint };
  }
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  const serialized: Record<string, unknown> = {
    type: value.constructor?.name ?? value.name,
    message: value.message,
    stack: value.stack,
  };
  for (const [key, field] of Object.entries(value)) {
    if (key !== 'cause' && !(key in serialized)) serialized[key] = serializeError(field, seen);
  }
  if (value.cause !== undefined) serialized.cause = serializeError(value.cause, seen);
  if (value instanceof AggregateError) {
    serialized.aggregateErrors = value.errors.map((error) => serializeError(error, seen));
  }
  return serialized;
}

/**
 * Returns the object with every credential replaced and every error in its
 * logged form (serializeError; pino would write an error under any key but
 * `err` with all its fields), copying only when there is something to
 * replace: the caller's object is never changed. This runs on every log line,
 * so it looks at keys (the top level, plus headers and bodies) instead of
 * matching path patterns: pino's `redact` with the same coverage took half
 * the time of an access-log line.
 */
export function redactSecrets(object: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | null = null;
  for (const key of Object.keys(object)) {
    const value = object[key];
    let replacement = value;
    if (SECRET_KEYS.has(key.toLowerCase())) replacement = REDACTED;
    else if (value instanceof Error) replacement = serializeError(value);
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
      // In place of pino's default, which copies every field of an error; the
      // formatter has already serialized errors in the line, so this sees
      // only those in a child logger's bindings.
      err: serializeError,
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
 * trip per batch in pino's asynchronous mode, cost a measurable share of the
 * app's throughput (bench/http-overhead; figures in docs/benchmarks.md). A
 * quiet server still shows its lines within a second, and the buffer is
 * flushed when the process exits, even on an uncaught exception; only a
 * SIGKILL can lose the last second.
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
