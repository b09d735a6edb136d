// S45 against a real receiver: an HTTPS server on 127.0.0.1 with a
// self-signed certificate, trusted through the `ca` option. The client is
// allowed to reach it only because each test passes a policy allowing
// exactly the loopback address it listens on; production never passes one.
// Waits between attempts go through a recording clock, so retries cost no
// real time and their lengths are asserted.
import { afterEach, describe, expect, it } from 'vitest';
import { type AddressPolicy, isPublicAddress } from '../../../src/alerts/webhook/address-policy.js';
import {
  deliverWebhook,
  testWebhook,
  type WebhookOptions,
  type WebhookTarget,
} from '../../../src/alerts/webhook/delivery.js';
import type { AlertEvent } from '../../../src/alerts/webhook/payload.js';
import {
  createWebhookSecret,
  verifyWebhookSignature,
} from '../../../src/alerts/webhook/signature.js';
import { freePort } from '../../support/ports.js';
import {
  RECEIVER_HOST,
  receiverCertificate,
  recordingClock,
  startTlsReceiver,
  type TlsReceiver,
} from './tls-receiver.js';

const event: AlertEvent = {
  ruleId: 'rule-42',
  kind: 'price_below',
  item: { id: 1234, name: 'AWP | Asiimov (Field-Tested)' },
  message: 'AWP | Asiimov fell below $80.00 @everyone',
  value: 7990,
  firedAt: '2026-12-05T12:00:00.000Z',
  source: 'demo',
};

const onlyLoopback: AddressPolicy = (address) => address === '127.0.0.1';

const receivers: TlsReceiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

async function receiver(...args: Parameters<typeof startTlsReceiver>): Promise<TlsReceiver> {
  const started = await startTlsReceiver(...args);
  receivers.push(started);
  return started;
}

/** Options reaching the receiver on 127.0.0.1 as receiver.test, waits recorded. */
async function localOptions(overrides: Partial<WebhookOptions> = {}) {
  const clock = recordingClock();
  const options: WebhookOptions = {
    resolver: async (host) => (host === RECEIVER_HOST ? ['127.0.0.1'] : []),
    addressPolicy: onlyLoopback,
    ca: (await receiverCertificate()).cert,
    clock,
    random: () => 0,
    ...overrides,
  };
  return { options, clock };
}

function target(port: number, format: WebhookTarget['format'] = 'discord'): WebhookTarget {
  return { url: `https://${RECEIVER_HOST}:${port}/hooks/abc?x=1`, format, secret };
}

const secret = createWebhookSecret();

describe('S45: a signed delivery to a real receiver', () => {
  it('the receiver verifies the HMAC, the event id and a Discord-shaped body', async () => {
    const hook = await receiver((_request, response) => {
      response.writeHead(204).end();
    });
    const { options, clock } = await localOptions();
    const result = await deliverWebhook(target(hook.port), event, 'evt-0001', options);

    expect(result).toMatchObject({ delivered: true, status: 204, attempts: 1 });
    expect(hook.requests).toHaveLength(1);
    const [received] = hook.requests;
    if (!received) throw new Error('no request');
    const signature = received.headers['x-tracera-signature'];
    expect(typeof signature).toBe('string');
    expect(verifyWebhookSignature(secret, signature as string, received.body, clock.now())).toBe(
      true,
    );
    expect(
      verifyWebhookSignature(
        createWebhookSecret(),
        signature as string,
        received.body,
        clock.now(),
      ),
    ).toBe(false);
    expect(received.headers['x-tracera-event-id']).toBe('evt-0001');
    expect(received.headers['content-type']).toBe('application/json');
    expect(received.headers.host).toBe(`${RECEIVER_HOST}:${hook.port}`);
    const body = JSON.parse(received.body.toString('utf8'));
    expect(body).toEqual({
      content: event.message,
      embeds: [
        {
          title: 'AWP | Asiimov (Field-Tested)',
          description: 'Rule: rule-42 (price_below)\nValue: 7990\nSource: demo',
          timestamp: event.firedAt,
          footer: { text: 'Tracera' },
        },
      ],
      allowed_mentions: { parse: [] },
    });
  });

  it('the json format carries the event and its id in snake_case', async () => {
    const hook = await receiver((_request, response) => response.writeHead(200).end('ok'));
    const { options } = await localOptions();
    const result = await deliverWebhook(target(hook.port, 'json'), event, 'evt-0002', options);
    expect(result).toMatchObject({ delivered: true, status: 200 });
    expect(JSON.parse(hook.requests[0]?.body.toString('utf8') ?? '')).toEqual({
      event_id: 'evt-0002',
      rule_id: 'rule-42',
      kind: 'price_below',
      item: { id: 1234, name: 'AWP | Asiimov (Field-Tested)' },
      message: event.message,
      value: 7990,
      fired_at: event.firedAt,
      source: 'demo',
    });
  });

  it('testWebhook sends one signed test event, once, even to a failing receiver', async () => {
    const hook = await receiver((_request, response) => response.writeHead(503).end());
    const { options, clock } = await localOptions();
    const result = await testWebhook(target(hook.port, 'json'), options);
    expect(result).toMatchObject({
      delivered: false,
      reason: 'http_status',
      status: 503,
      attempts: 1,
    });
    expect(clock.sleeps).toEqual([]);
    const [received] = hook.requests;
    expect(hook.requests).toHaveLength(1);
    expect(JSON.parse(received?.body.toString('utf8') ?? '')).toMatchObject({ kind: 'test' });
    expect(
      verifyWebhookSignature(
        secret,
        received?.headers['x-tracera-signature'] as string,
        received?.body ?? '',
        clock.now(),
      ),
    ).toBe(true);
  });
});

describe('S45: TLS is verified', () => {
  it('a receiver whose certificate is not trusted is not delivered to', async () => {
    const hook = await receiver((_request, response) => response.writeHead(200).end());
    const { options } = await localOptions({ maxAttempts: 1 });
    const { ca: _trusted, ...untrusting } = options;
    const result = await deliverWebhook(target(hook.port), event, 'evt-1', untrusting);
    expect(result).toMatchObject({ delivered: false, reason: 'network' });
    expect(hook.requests).toHaveLength(0);
  });

  it('a certificate for another name is refused', async () => {
    const hook = await receiver((_request, response) => response.writeHead(200).end());
    const { options } = await localOptions({
      maxAttempts: 1,
      resolver: async () => ['127.0.0.1'],
    });
    const result = await deliverWebhook(
      { ...target(hook.port), url: `https://elsewhere.test:${hook.port}/` },
      event,
      'evt-1',
      options,
    );
    expect(result).toMatchObject({ delivered: false, reason: 'network' });
    expect(result.delivered || result.message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(hook.requests).toHaveLength(0);
  });
});

describe('S45: redirects, timeouts and size caps', () => {
  it('a 302 is a failure, not retried, and its target never hears a thing', async () => {
    const elsewhere = await receiver((_request, response) => response.writeHead(200).end());
    const hook = await receiver((_request, response) => {
      response.writeHead(302, { location: `https://${RECEIVER_HOST}:${elsewhere.port}/` }).end();
    });
    const { options, clock } = await localOptions();
    const result = await deliverWebhook(target(hook.port), event, 'evt-1', options);
    expect(result).toMatchObject({
      delivered: false,
      reason: 'redirect',
      status: 302,
      attempts: 1,
    });
    expect(clock.sleeps).toEqual([]);
    expect(elsewhere.connections()).toBe(0);
  });

  it('a receiver that never answers times out at timeoutMs', async () => {
    const hook = await receiver(() => {
      // Holds the request open: the client's deadline must end it.
    });
    const { options } = await localOptions({ timeoutMs: 300, maxAttempts: 2 });
    const result = await deliverWebhook(target(hook.port), event, 'evt-1', options);
    expect(result).toMatchObject({ delivered: false, reason: 'timeout', attempts: 2 });
    expect(hook.requests).toHaveLength(2);
  });

  it('a streamed answer past maxResponseBytes is cut off as too_large, not retried', async () => {
    let closed = false;
    const hook = await receiver((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(16 * 1024, 0x61);
      const pump = () => {
        while (!response.destroyed && response.write(chunk));
      };
      response.on('drain', pump);
      response.on('close', () => {
        closed = true;
      });
      pump();
    });
    // A deadline far above what reading 64 KiB takes: without the cap this ends as a timeout.
    const { options } = await localOptions({ timeoutMs: 20_000 });
    const result = await deliverWebhook(target(hook.port), event, 'evt-1', options);
    expect(result).toMatchObject({
      delivered: false,
      reason: 'too_large',
      status: 200,
      attempts: 1,
    });
    await expect.poll(() => closed).toBe(true);
  });

  it('an answer that announces a length past the cap is refused without reading it', async () => {
    const hook = await receiver((_request, response) => {
      response.writeHead(200, { 'content-length': String(10 * 1024 * 1024) });
      // Sends a little and then nothing: only the announced length can end this early.
      response.write('{"ok":');
    });
    const { options } = await localOptions({ timeoutMs: 20_000, maxResponseBytes: 1024 });
    const result = await deliverWebhook(target(hook.port), event, 'evt-1', options);
    expect(result).toMatchObject({ delivered: false, reason: 'too_large', attempts: 1 });
  });

  it('the caller’s signal ends a delivery in flight as aborted', async () => {
    const hook = await receiver(() => {
      // Never answers; only the abort ends the request.
    });
    const controller = new AbortController();
    const { options } = await localOptions({ signal: controller.signal, timeoutMs: 20_000 });
    const delivery = deliverWebhook(target(hook.port), event, 'evt-1', options);
    await expect.poll(() => hook.requests.length).toBe(1);
    controller.abort();
    expect(await delivery).toMatchObject({ delivered: false, reason: 'aborted', attempts: 1 });
  });
});

describe('S45: retries', () => {
  it('a signal aborted during the wait between attempts ends the delivery there', async () => {
    const hook = await receiver((_request, response) => response.writeHead(503).end());
    const controller = new AbortController();
    const { options, clock } = await localOptions({ signal: controller.signal });
    const aborting = {
      now: clock.now,
      sleep: async () => controller.abort(),
    };
    const result = await deliverWebhook(target(hook.port), event, 'evt-1', {
      ...options,
      clock: aborting,
    });
    expect(result).toMatchObject({ delivered: false, reason: 'aborted', attempts: 1 });
    expect(hook.requests).toHaveLength(1);
  });

  /** A receiver answering the given statuses in turn, then 200. */
  async function answering(...answers: [number, Record<string, string>?][]) {
    let next = 0;
    return receiver((_request, response) => {
      const [status, headers] = answers[next] ?? [200];
      next += 1;
      response.writeHead(status, headers).end();
    });
  }

  it('503 twice then 200 is delivered on the 3rd attempt, same event id, backoff doubling', async () => {
    const hook = await answering([503], [503]);
    const { options, clock } = await localOptions();
    const result = await deliverWebhook(target(hook.port), event, 'evt-retry', options);
    expect(result).toMatchObject({ delivered: true, status: 200, attempts: 3 });
    // random() = 0: the lower edge of equal jitter, half of 1 s then half of 2 s.
    expect(clock.sleeps).toEqual([500, 1000]);
    expect(hook.requests.map((request) => request.headers['x-tracera-event-id'])).toEqual([
      'evt-retry',
      'evt-retry',
      'evt-retry',
    ]);
    for (const request of hook.requests) {
      expect(
        verifyWebhookSignature(
          secret,
          request.headers['x-tracera-signature'] as string,
          request.body,
          clock.now(),
        ),
      ).toBe(true);
    }
  });

  it('503 on every attempt stops at maxAttempts', async () => {
    const hook = await answering([503], [503], [503], [503], [503]);
    const { options, clock } = await localOptions({ maxAttempts: 3 });
    const result = await deliverWebhook(target(hook.port), event, 'evt-1', options);
    expect(result).toMatchObject({
      delivered: false,
      reason: 'http_status',
      status: 503,
      attempts: 3,
    });
    expect(clock.sleeps).toHaveLength(2);
  });

  it('400 is a failure after exactly one attempt', async () => {
    const hook = await answering([400]);
    const { options, clock } = await localOptions();
    const result = await deliverWebhook(target(hook.port), event, 'evt-1', options);
    expect(result).toMatchObject({
      delivered: false,
      reason: 'http_status',
      status: 400,
      attempts: 1,
    });
    expect(hook.requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('429 with Retry-After: 7 waits 7 s before the next attempt', async () => {
    const hook = await answering([429, { 'retry-after': '7' }]);
    const { options, clock } = await localOptions();
    const result = await deliverWebhook(target(hook.port), event, 'evt-1', options);
    expect(result).toMatchObject({ delivered: true, attempts: 2 });
    expect(clock.sleeps).toEqual([7000]);
  });

  it('429 asking for more than a minute gives up rather than retrying early', async () => {
    const hook = await answering([429, { 'retry-after': '61' }]);
    const { options, clock } = await localOptions();
    const result = await deliverWebhook(target(hook.port), event, 'evt-1', options);
    expect(result.delivered || result.message).toBe(
      'The receiver answered 429; it asked to wait longer than 60 s',
    );
    expect(result).toMatchObject({
      delivered: false,
      reason: 'http_status',
      status: 429,
      attempts: 1,
    });
    expect(clock.sleeps).toEqual([]);
  });

  it('a connection dropped mid-answer is retried as a network failure', async () => {
    let answered = 0;
    const hook = await receiver((_request, response) => {
      answered += 1;
      if (answered > 1) return response.writeHead(200).end();
      response.writeHead(200, { 'content-length': '100' });
      response.write('partial');
      setImmediate(() => response.socket?.destroy());
    });
    const { options, clock } = await localOptions();
    const result = await deliverWebhook(target(hook.port), event, 'evt-1', options);
    expect(result).toMatchObject({ delivered: true, status: 200, attempts: 2 });
    expect(clock.sleeps).toHaveLength(1);
  });

  it('a refused connection is retried as a network failure', async () => {
    const port = await freePort();
    const { options, clock } = await localOptions({ maxAttempts: 2 });
    const result = await deliverWebhook(target(port), event, 'evt-1', options);
    expect(result).toMatchObject({ delivered: false, reason: 'network', attempts: 2 });
    expect(result.delivered || result.message).toContain('ECONNREFUSED');
    expect(clock.sleeps).toHaveLength(1);
  });
});

describe('S45: DNS rebinding', () => {
  it('each attempt resolves once and checks what it connects to: the rebound 127.0.0.1 is refused', async () => {
    // 127.0.0.2 stands in for the public address the name first answers.
    const policy: AddressPolicy = (address) => address === '127.0.0.2' || isPublicAddress(address);
    const first = await receiver((_request, response) => response.writeHead(503).end(), {
      host: '127.0.0.2',
    });
    // The address the name is rebound to, listening on the same port.
    const victim = await receiver((_request, response) => response.writeHead(200).end(), {
      host: '127.0.0.1',
      port: first.port,
    });
    const answers: string[][] = [];
    const rebinding = async () => {
      const answer = answers.length === 0 ? ['127.0.0.2'] : ['127.0.0.1'];
      answers.push(answer);
      return answer;
    };
    const { options } = await localOptions({ resolver: rebinding, addressPolicy: policy });
    const result = await deliverWebhook(target(first.port), event, 'evt-1', options);

    expect(result).toMatchObject({ delivered: false, reason: 'address_not_public', attempts: 2 });
    expect(first.requests).toHaveLength(1);
    expect(answers).toEqual([['127.0.0.2'], ['127.0.0.1']]);
    expect(victim.connections()).toBe(0);
  });
});
