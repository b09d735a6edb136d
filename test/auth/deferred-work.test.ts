// S42: the account work done after answering is bounded: past MAIL_QUEUE_MAX
// waiting jobs a request that would add one is refused at once with 503 and
// Retry-After, and closing waits for every job that was accepted.
import { describe, expect, it } from 'vitest';
import { createDeferredWork } from '../../src/auth/deferred-work.js';
import { ApiError } from '../../src/platform/errors.js';
import { createLogger } from '../../src/platform/logger.js';
import { LogCapture } from '../support/app.js';

function held() {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { released, release };
}

describe('S42 deferred account work', () => {
  it('refuses a job past the waiting bound with 503 and Retry-After, and drains what it took', async () => {
    const work = createDeferredWork({ maxWaiting: 2, log: createLogger('silent') });
    const gate = held();
    const started: number[] = [];
    const finished: number[] = [];
    const job = (id: number) => async () => {
      started.push(id);
      await gate.released;
      finished.push(id);
    };
    // Nothing starts before the current turn of the event loop ends, so both wait at first.
    for (let id = 1; id <= 2; id += 1) work.defer('test', job(id));
    let refusal: unknown;
    try {
      work.defer('test', job(3));
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ApiError);
    expect((refusal as ApiError).statusCode).toBe(503);
    expect((refusal as ApiError).headers['retry-after']).toBe('5');
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([1, 2]);
    // Running jobs no longer wait, so there is room again.
    work.defer('test', job(4));
    work.defer('test', job(5));
    const drained = work.drain();
    gate.release();
    await drained;
    expect(finished.sort()).toEqual([1, 2, 4, 5]);
  });

  it('logs a failed job and goes on with the next', async () => {
    const logs = new LogCapture();
    const work = createDeferredWork({ maxWaiting: 10, log: createLogger('info', logs) });
    const done: string[] = [];
    work.defer('broken', async () => {
      throw new Error('mail server said no');
    });
    work.defer('fine', async () => {
      done.push('fine');
    });
    await work.drain();
    expect(done).toEqual(['fine']);
    expect(logs.lines.find((line) => line.msg === 'deferred account work failed')).toMatchObject({
      purpose: 'broken',
    });
  });
});
