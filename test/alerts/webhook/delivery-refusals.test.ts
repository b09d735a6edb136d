// S45: what a webhook refuses before any connection: a URL that is not
// https or carries credentials, and every address that is not public,
// whether written in the URL or answered by DNS. "No connection attempt" is
// counted, not assumed: Node announces every outbound TCP socket on the
// `net.client.socket` diagnostics channel. Where a test needs an address
// that passes, 127.0.0.2 stands in for a public one (a policy that allows it
// and nothing else private), so a broken control reaches only this machine.
import { afterEach, describe, expect, it } from 'vitest';
import { type AddressPolicy, isPublicAddress } from '../../../src/alerts/webhook/address-policy.js';
import { type DeliveryResult, deliverWebhook } from '../../../src/alerts/webhook/delivery.js';
import type { AlertEvent } from '../../../src/alerts/webhook/payload.js';
import { createWebhookSecret } from '../../../src/alerts/webhook/signature.js';
import {
  countOutboundSockets,
  receiverCertificate,
  recordingClock,
  startTlsReceiver,
  type TlsReceiver,
} from './tls-receiver.js';

const event: AlertEvent = {
  ruleId: 'rule-1',
  kind: 'price_above',
  item: { id: 7, name: 'AK-47 | Redline (Field-Tested)' },
  message: 'AK-47 | Redline is above $20.00',
  value: 2050,
  firedAt: '2026-12-05T12:00:00.000Z',
  source: 'demo',
};

/** The production policy, plus 127.0.0.2 standing in for a public address. */
const publicOr127002: AddressPolicy = (address) =>
  address === '127.0.0.2' || isPublicAddress(address);

let receiver: TlsReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

/** Delivers with retries on and a resolver that must not be asked, counting sockets. */
async function deliverCounting(
  url: string,
  resolver: (host: string) => Promise<readonly string[]> = () => {
    throw new Error('a literal address must not be resolved');
  },
  addressPolicy: AddressPolicy = isPublicAddress,
): Promise<{ result: DeliveryResult; sockets: number }> {
  const { cert } = await receiverCertificate();
  const clock = recordingClock();
  return countOutboundSockets(() =>
    deliverWebhook({ url, format: 'json', secret: createWebhookSecret() }, event, 'evt-1', {
      resolver,
      addressPolicy,
      ca: cert,
      clock,
      maxAttempts: 4,
    }),
  );
}

describe('S45: refused before connecting', () => {
  it('an event id that could split a header is a caller mistake: it throws', async () => {
    await expect(
      deliverWebhook(
        { url: 'https://hooks.example.com/x', format: 'json', secret: createWebhookSecret() },
        event,
        'evt-1\r\nX-Injected: 1',
      ),
    ).rejects.toThrow(RangeError);
  });

  it.each([
    ['http://hooks.example.com/x', 'not_https'],
    ['ftp://hooks.example.com/x', 'not_https'],
    ['https://user:pass@hooks.example.com/x', 'credentials_in_url'],
    ['https://user@hooks.example.com/x', 'credentials_in_url'],
    ['not a url', 'invalid_url'],
  ] as const)('%s is refused as %s, no socket, no attempt', async (url, reason) => {
    const { result, sockets } = await deliverCounting(url);
    expect(result).toMatchObject({ delivered: false, reason, attempts: 0 });
    expect(sockets).toBe(0);
  });

  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '2130706433',
    '0x7f.0.0.1',
    '[::1]',
    '[::ffff:127.0.0.1]',
    '[::]',
    '0.0.0.0',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.254',
    '192.168.1.1',
    '100.64.0.1',
    '169.254.169.254',
    '[fe80::1]',
    '[fc00::1]',
    '[fd00:ec2::254]',
    '224.0.0.1',
    '[ff02::1]',
    '255.255.255.255',
    '[64:ff9b::a9fe:a9fe]',
  ])('the literal %s is refused as address_not_public, no socket, no retry', async (host) => {
    const { result, sockets } = await deliverCounting(`https://${host}:8443/hook`);
    expect(result).toMatchObject({ delivered: false, reason: 'address_not_public', attempts: 1 });
    expect(sockets).toBe(0);
  });

  it('a loopback receiver that is listening is never reached through a literal', async () => {
    receiver = await startTlsReceiver((_request, response) => response.end());
    const { result, sockets } = await deliverCounting(`https://127.0.0.1:${receiver.port}/hook`);
    expect(result).toMatchObject({ delivered: false, reason: 'address_not_public' });
    expect(sockets).toBe(0);
    expect(receiver.connections()).toBe(0);
  });

  it('a name whose DNS answers a private address is refused; the message does not name it', async () => {
    receiver = await startTlsReceiver((_request, response) => response.end());
    const { result, sockets } = await deliverCounting(
      `https://receiver.test:${receiver.port}/hook`,
      async () => ['127.0.0.1'],
    );
    expect(result).toMatchObject({ delivered: false, reason: 'address_not_public', attempts: 1 });
    expect(result.delivered || result.message).not.toContain('127.0.0.1');
    expect(sockets).toBe(0);
    expect(receiver.connections()).toBe(0);
  });

  it('the default resolver is checked too: localhost (from /etc/hosts) is refused', async () => {
    const { cert } = await receiverCertificate();
    const { result, sockets } = await countOutboundSockets(() =>
      deliverWebhook(
        { url: 'https://localhost:8443/hook', format: 'json', secret: createWebhookSecret() },
        event,
        'evt-1',
        { ca: cert, clock: recordingClock() },
      ),
    );
    expect(result).toMatchObject({ delivered: false, reason: 'address_not_public', attempts: 1 });
    expect(sockets).toBe(0);
  });

  it('a name answering one public and one private address is refused as a whole', async () => {
    const { result, sockets } = await deliverCounting(
      'https://mixed.example/hook',
      async () => ['127.0.0.2', '10.0.0.5'],
      publicOr127002,
    );
    expect(result).toMatchObject({ delivered: false, reason: 'address_not_public' });
    expect(sockets).toBe(0);
  });

  it('a name the resolver cannot resolve fails as dns_failed without a socket', async () => {
    const { result, sockets } = await deliverCounting('https://nowhere.example/hook', async () => {
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    });
    expect(result).toMatchObject({ delivered: false, reason: 'dns_failed', attempts: 4 });
    expect(sockets).toBe(0);
  });

  it('an alert body over maxRequestBytes is refused as too_large before any attempt', async () => {
    const { cert } = await receiverCertificate();
    const { result, sockets } = await countOutboundSockets(() =>
      deliverWebhook(
        { url: 'https://hooks.example.com/x', format: 'json', secret: createWebhookSecret() },
        { ...event, message: 'x'.repeat(2000) },
        'evt-1',
        {
          maxRequestBytes: 1024,
          ca: cert,
          resolver: async () => ['127.0.0.2'],
          addressPolicy: publicOr127002,
        },
      ),
    );
    expect(result).toMatchObject({ delivered: false, reason: 'too_large', attempts: 0 });
    expect(sockets).toBe(0);
  });
});
