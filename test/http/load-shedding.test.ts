// S42: the process sheds load before it degrades for everyone. Past its
// event-loop delay or heap bound every request but the health check is
// answered 503 with Retry-After, in the shape of every other answer.
import { describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';

const SAMPLE_WAIT_MS = 5000;

async function underPressure(test: TestApp): Promise<void> {
  await expect
    .poll(() => test.app.isUnderPressure(), { timeout: SAMPLE_WAIT_MS, interval: 50 })
    .toBe(true);
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
      // One long block makes the next sample's mean delay far larger than 50 ms.
      const until = performance.now() + 1200;
      while (performance.now() < until) {
        // Busy on purpose: this is the lag being measured.
      }
      await underPressure(test);
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
