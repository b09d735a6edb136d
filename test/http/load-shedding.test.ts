// S42: the process sheds load before it degrades for everyone. Past its
// event-loop delay or heap bound every request but the health check is
// answered 503 with Retry-After, in the shape of every other answer.
import { describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';

const SAMPLE_WAIT_MS = 5000;
/** Each block delays the next timer tick far past the 50 ms bound. */
const BLOCK_MS = 200;

async function underPressure(test: TestApp): Promise<void> {
  await expect
    .poll(() => test.app.isUnderPressure(), { timeout: SAMPLE_WAIT_MS, interval: 50 })
    .toBe(true);
}

/**
 * Keeps the event loop lagging, in blocks of BLOCK_MS with a turn of timers
 * between, until the app reports pressure. One long block was not enough:
 * the sample is a mean over a second of timer ticks, and a block late in a
 * second was one slow tick among a hundred quick ones.
 */
async function lagUntilUnderPressure(test: TestApp): Promise<void> {
  const deadline = performance.now() + SAMPLE_WAIT_MS;
  while (!test.app.isUnderPressure()) {
    if (performance.now() > deadline) throw new Error(`not under pressure in ${SAMPLE_WAIT_MS} ms`);
    const until = performance.now() + BLOCK_MS;
    while (performance.now() < until) {
      // Busy on purpose: this is the lag being measured.
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

async function expectShed(test: TestApp): Promise<void> {
  const shed = await test.app.inject({ url: '/api/v1/items' });
  expect(shed.statusCode).toBe(503);
  expect(shed.headers['retry-after']).toBe('10');
  expect(shed.headers['x-content-type-options']).toBe('nosniff');
  expect(shed.json()).toEqual({ detail: 'The server is overloaded; try again shortly' });
  const health = await test.app.inject({ url: '/api/v1/health' });
  expect(health.statusCode).toBe(200);
}

describe('S42 load shedding', () => {
  it('answers 503 past the heap bound, and health checks still get through', async () => {
    const test = await buildTestApp({ env: { LOAD_SHED_HEAP_USED_MB: '1' } });
    try {
      await underPressure(test);
      await expectShed(test);
    } finally {
      await test.app.close();
    }
  });

  it('answers 503 while the event loop lags past its bound', async () => {
    const test = await buildTestApp({ env: { LOAD_SHED_EVENT_LOOP_DELAY_MS: '50' } });
    try {
      await lagUntilUnderPressure(test);
      await expectShed(test);
    } finally {
      await test.app.close();
    }
  });

  it('sheds nothing with both bounds off', async () => {
    const test = await buildTestApp({
      env: { LOAD_SHED_HEAP_USED_MB: '0', LOAD_SHED_EVENT_LOOP_DELAY_MS: '0' },
    });
    try {
      expect(test.app.isUnderPressure()).toBe(false);
      expect((await test.app.inject({ url: '/api/v1/health' })).statusCode).toBe(200);
    } finally {
      await test.app.close();
    }
  });
});
