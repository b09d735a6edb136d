// Account work that depends on whether an address has an account (S12) is
// done after the request is answered: the request path of forgot-password,
// the sign-in link request and sign-up is then the same for every address,
// in work as in time, and a slow mail server holds no request open. The
// queue is bounded (S42): past `maxWaiting` jobs a request that would add
// one is answered 503 with Retry-After at once, whoever the address is.
// Closing the app waits for the jobs already accepted, so nothing is lost.
import type { FastifyBaseLogger } from 'fastify';
import { ApiError } from '../platform/errors.js';

export const WORK_BUSY = 'Too many requests are waiting to be processed; try again shortly';
const RETRY_AFTER_SECONDS = 5;
/** Jobs run at once: each is a few queries and one message, mostly waiting on I/O. */
const CONCURRENT_JOBS = 4;

export interface DeferredWorkOptions {
  readonly maxWaiting: number;
  readonly log: FastifyBaseLogger;
}

interface Job {
  readonly purpose: string;
  readonly task: () => Promise<void>;
}

export function createDeferredWork({ maxWaiting, log }: DeferredWorkOptions) {
  const waiting: Job[] = [];
  let running = 0;
  let idle: Promise<void> = Promise.resolve();
  let becomeIdle: () => void = () => {};

  function pump(): void {
    while (running < CONCURRENT_JOBS && waiting.length > 0) {
      const job = waiting.shift() as Job;
      running += 1;
      job
        .task()
        .catch((error: Error) =>
          log.error({ purpose: job.purpose, err: error }, 'deferred account work failed'),
        )
        .finally(() => {
          running -= 1;
          if (running === 0 && waiting.length === 0) becomeIdle();
          else pump();
        });
    }
  }

  return {
    /**
     * Accepts `task` to run once the current request has been answered;
     * throws a 503 ApiError when the queue is full. A route calls this as
     * its last step, so the task cannot start before the answer is written:
     * it starts on a later turn of the event loop.
     */
    defer(purpose: string, task: () => Promise<void>): void {
      if (waiting.length >= maxWaiting) {
        throw new ApiError(503, WORK_BUSY, { 'retry-after': String(RETRY_AFTER_SECONDS) });
      }
      if (running === 0 && waiting.length === 0) {
        idle = new Promise((resolve) => {
          becomeIdle = resolve;
        });
      }
      waiting.push({ purpose, task });
      setImmediate(pump);
    },

    /** Resolves once every accepted job has finished. */
    drain(): Promise<void> {
      return idle;
    },
  };
}

export type DeferredWork = ReturnType<typeof createDeferredWork>;
