// Who is on the other end of a request, as sessions and the audit trail
// record it: the client IP Fastify settled on (trusted proxies honoured) and
// the user agent, capped so a client cannot make either store it at length.
import type { FastifyRequest } from 'fastify';

const MAX_USER_AGENT_LENGTH = 512;

export interface ClientInfo {
  readonly ip: string;
  /** Empty when the client sent none. */
  readonly userAgent: string;
}

export function clientInfo(request: FastifyRequest): ClientInfo {
  return {
    ip: request.ip,
    userAgent: (request.headers['user-agent'] ?? '').slice(0, MAX_USER_AGENT_LENGTH),
  };
}
