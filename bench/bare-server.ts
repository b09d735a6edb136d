// The baselines for bench/http-overhead: a bare Fastify route answering what
// the app's health route answers, with no hooks, logging or storage; with
// `--security-headers`, the same route also sends the S24 header set, the
// request id and cache-control the app sends, to show what the headers alone cost.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { securityHeaders } from '../src/security/headers.js';

const port = Number(process.argv[2]);
const withHeaders = process.argv.includes('--security-headers');
const headers = securityHeaders('http://localhost');
const app = Fastify({ logger: false });
app.get('/api/v1/health', async (_request, reply) => {
  if (withHeaders) {
    reply.headers(headers).header('x-request-id', randomUUID()).header('cache-control', 'no-store');
  }
  return { status: 'ok', database: 'up', redis: 'embedded' };
});
await app.listen({ host: '127.0.0.1', port });
