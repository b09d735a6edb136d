// Which IP addresses a webhook may connect to (S45). It guarantees that
// `isPublicAddress` answers true only for a well-formed IPv4 or IPv6 address
// outside every range that reaches the machine itself, a private network or
// the cloud's metadata service, or that is not meant to be routed at all:
// loopback, RFC 1918, CGNAT, link-local (169.254.169.254 included),
// "this network", multicast, broadcast and reserved space, documentation and
// benchmark ranges; for IPv6 anything outside global unicast 2000::/3 plus
// the special ranges inside it. An IPv6 address that carries an IPv4 address
// (IPv4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) is judged
// by that IPv4 address too, since the packets end up there. Anything that is
// not an IP address (a host name, a zone-scoped fe80::1%eth0) is refused.
import { BlockList, isIP } from 'node:net';
import { Address6 } from 'ip-address';

/** True when a webhook may connect to `address` (an IP literal, no brackets). */
export type AddressPolicy = (address: string) => boolean;

const notPublicV4 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, where cloud metadata services answer
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast, deprecated
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, 255.255.255.255 broadcast included
] as const) {
  notPublicV4.addSubnet(network, prefix, 'ipv4');
}

const globalUnicastV6 = new BlockList();
globalUnicastV6.addSubnet('2000::', 3, 'ipv6');

/** Inside 2000::/3 yet not a host on the public internet. */
const notPublicInsideGlobalV6 = new BlockList();
for (const [network, prefix] of [
  ['2001::', 23], // IETF protocol assignments (Teredo, ORCHID, benchmarking)
  ['2001:db8::', 32], // documentation
  ['3fff::', 20], // documentation
] as const) {
  notPublicInsideGlobalV6.addSubnet(network, prefix, 'ipv6');
}

/** Prefixes whose addresses carry an IPv4 address in the given 16-bit groups. */
const embeddingV4: readonly {
  readonly block: BlockList;
  readonly groups: readonly [number, number];
}[] = [
  { block: subnet('::ffff:0:0', 96), groups: [6, 7] }, // IPv4-mapped
  { block: subnet('64:ff9b::', 96), groups: [6, 7] }, // NAT64
  { block: subnet('2002::', 16), groups: [1, 2] }, // 6to4
];

function subnet(network: string, prefix: number): BlockList {
  const block = new BlockList();
  block.addSubnet(network, prefix, 'ipv6');
  return block;
}

function isPublicV4(address: string): boolean {
  return !notPublicV4.check(address, 'ipv4');
}

function isPublicV6(address: string): boolean {
  for (const { block, groups } of embeddingV4) {
    if (!block.check(address, 'ipv6')) continue;
    const all = new Address6(address).canonicalForm().split(':');
    const [high, low] = groups.map((index) => Number.parseInt(all[index] ?? '', 16));
    if (high === undefined || low === undefined) return false;
    const v4 = [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
    // The packets end at the embedded IPv4 host (directly, or through a
    // NAT64 or 6to4 gateway), so that host decides.
    return isPublicV4(v4);
  }
  return globalUnicastV6.check(address, 'ipv6') && !notPublicInsideGlobalV6.check(address, 'ipv6');
}

/** The default and only production policy: public unicast addresses only. */
export const isPublicAddress: AddressPolicy = (address) => {
  // A zone (fe80::1%eth0) names a local interface: never public, and BlockList rejects it.
  if (address.includes('%')) return false;
  switch (isIP(address)) {
    case 4:
      return isPublicV4(address);
    case 6:
      return isPublicV6(address);
    default:
      return false;
  }
};
