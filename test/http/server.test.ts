// S25 and graceful shutdown, over real sockets.

import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { openTestDatabase } from '../support/backends.js';

let harness: TestApp | undefined;

afterEach(async () => {
  await harness?.app.close();
  harness = undefined;
});

async function listen(app: TestApp['app']): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as AddressInfo).port;
}

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('S25 slow clients', () => {
  it('cuts off a client that sends headers one byte at a time, while serving others', async () => {
    const headersTimeoutMs = 600;
    harness = await buildTestApp({
      env: { HTTP_HEADERS_TIMEOUT_MS: String(headersTimeoutMs), HTTP_REQUEST_TIMEOUT_MS: '5000' },
    });
    const port = await listen(harness.app);
    const slow = await openSocket(port);
    const request = `GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\nX-Padding: ${'a'.repeat(200)}`;
    let sent = 0;
    let answer = '';
    slow.on('data', (chunk) => {
      answer += chunk.toString();
    });
    const closed = new Promise<number>((resolve) => {
      slow.once('close', () => resolve(sent));
    });
    slow.on('error', () => {});
    const drip = setInterval(() => {
      if (sent < request.length && !slow.destroyed) slow.write(request[sent++] as string);
    }, 20);
    try {
      // While the slow client is still dripping, a normal client is served.
      await new Promise((resolve) => setTimeout(resolve, headersTimeoutMs / 2));
      const normal = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
      expect(normal.status).toBe(200);
      expect(slow.destroyed).toBe(false);

      const bytesSentWhenCut = await closed;
      expect(bytesSentWhenCut).toBeLessThan(request.length);
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      clearInterval(drip);
      slow.destroy();
    }
  });
});

describe('graceful shutdown', () => {
  it('finishes requests in flight, refuses new ones, then closes database and store', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started!: () => void;
    const inFlight = new Promise<void>((resolve) => {
      started = resolve;
    });
    harness = await buildTestApp({
      // A database of its own, since closing the app must close it.
      database: await openTestDatabase(),
      routes: (app) => {
        app.get('/api/v1/test/slow', async () => {
          started();
          await released;
          return { finished: true };
        });
      },
    });
    const { app, database, store } = harness;
    const port = await listen(app);
    const slowResponse = fetch(`http://127.0.0.1:${port}/api/v1/test/slow`);
    await inFlight;

    const closing = app.close();
    await expect(fetch(`http://127.0.0.1:${port}/api/v1/health`)).rejects.toThrow();
    release();
    const response = await slowResponse;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ finished: true });
    await closing;
    await expect(database.ping(500)).rejects.toThrow();
    await expect(store.ping(500)).rejects.toThrow();
    harness = undefined;
  });

  it('S24: answers a request that arrives on a kept-alive connection while closing with 503, the security headers and {"detail"}', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started!: () => void;
    const inFlight = new Promise<void>((resolve) => {
      started = resolve;
    });
    let closingBegan!: () => void;
    const closingBegun = new Promise<void>((resolve) => {
      closingBegan = resolve;
    });
    harness = await buildTestApp({
      routes: (app) => {
        app.get('/api/v1/test/slow', async () => {
          started();
          await released;
          return { finished: true };
        });
        // Runs after the app's own preClose hooks.
        app.addHook('preClose', async () => closingBegan());
      },
    });
    const { app, logs } = harness;
    const socket = await openSocket(await listen(app));
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    const ended = new Promise((resolve) => socket.once('close', resolve));
    const host = 'Host: tracera.test';
    socket.write(`GET /api/v1/test/slow HTTP/1.1\r\n${host}\r\n\r\n`);
    await inFlight;
    const closing = app.close();
    await closingBegun;
    // The connection is busy, so closing keeps it open for its answer; the next request comes on it.
    socket.write(`GET /api/v1/health HTTP/1.1\r\n${host}\r\n\r\n`);
    const refusal = 'The server is shutting down; try again shortly';
    await expect.poll(() => logs.lines.some((line) => line.msg === refusal)).toBe(true);
    release();
    await ended;
    await closing;
    harness = undefined;
    const answers = received.split(/(?=HTTP\/1\.1 )/);
    expect(answers).toHaveLength(2);
    expect(answers[0]).toMatch(/^HTTP\/1\.1 200 /);
    const [head = '', body] = (answers[1] ?? '').split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 503 /);
    expect(head).toMatch(/\r\nx-content-type-options: nosniff\r\n/i);
    expect(head).toMatch(/\r\ncontent-security-policy: default-src 'self'/i);
    expect(head).toMatch(/\r\nconnection: close/i);
    expect(JSON.parse(body ?? '')).toEqual({ detail: refusal });
  });
});
