// S22: who a rate-limit counter belongs to. An IPv6 subscriber usually holds
// a whole /64, so every address in it must land on one counter however it
// is written; an IPv4 client reached over IPv6 is still that IPv4 client.
import { describe, expect, it } from 'vitest';
import { clientKey } from '../../src/security/rate-limit.js';

describe('S22 rate-limit client key', () => {
  it('keeps an IPv4 address as it is', () => {
    expect(clientKey('198.51.100.7')).toBe('198.51.100.7');
  });

  it('counts IPv6 addresses per /64, however they are written', () => {
    const key = clientKey('2001:db8:1:2::1');
    expect(key).toBe('2001:db8:1:2::');
    expect(clientKey('2001:0DB8:0001:0002:ffff:ffff:ffff:ffff')).toBe(key);
    expect(clientKey('2001:db8:1:2:0:0:0:9')).toBe(key);
    expect(clientKey('2001:db8:1:3::1')).not.toBe(key);
  });

  it('counts an IPv4-mapped IPv6 address as its IPv4 address', () => {
    expect(clientKey('::ffff:198.51.100.7')).toBe('198.51.100.7');
  });

  it('counts an address it cannot parse as written instead of failing', () => {
    expect(clientKey('gg::1')).toBe('gg::1');
    expect(clientKey('zz:zz')).toBe('zz:zz');
  });
});
