// How a webhook's host name becomes addresses. It guarantees nothing about
// the answers: every address a resolver returns is judged by the address
// policy before any connection is made (connection.ts). Injectable so tests
// can play any DNS, a rebinding one included, without real DNS.
import { lookup } from 'node:dns/promises';

/** All addresses `hostname` resolves to, as IP literals; rejects when it cannot resolve. */
export type Resolver = (hostname: string) => Promise<readonly string[]>;

/** The system resolver (getaddrinfo: /etc/hosts, then DNS), every address it answers. */
export const systemResolver: Resolver = async (hostname) => {
  const answers = await lookup(hostname, { all: true, verbatim: true });
  return answers.map((answer) => answer.address);
};
