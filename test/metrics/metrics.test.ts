// The series /metrics exposes (docs/metrics.md), on a small app of its own:
// counts after known traffic, route labels that are patterns whatever the
// URL, the gate in front of the scrape, and the exposition format.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AccessLog } from '../../src/http/request-tracing.js';
import type { ProviderOutcome } from '../../src/market/ingest/index.js';
import { createMetrics, type Metrics } from '../../src/metrics/metrics.js';
import {
  METRICS_PATH,
  type MetricsRouteOptions,
  registerMetricsRoute,
} from '../../src/metrics/routes.js';
import { ApiError } from '../../src/platform/errors.js';

const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';
const ITEM_ROUTE = '/api/v1/items/:id';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

/** An app with one parameterised route, the access log counting into `metrics`, and /metrics behind `gate`. */
async function metricsApp(
  gate: MetricsRouteOptions['gate'] = async () => {},
): Promise<{ app: FastifyInstance; metrics: Metrics }> {
  const metrics = createMetrics();
  // Fastify calls the log controller at the end of a request only when it has a logger, as the app's has.
  const app = Fastify({
    loggerInstance: pino({ level: 'silent' }) as FastifyBaseLogger,
    logController: new AccessLog(metrics.httpRequest),
  });
  app.addHook('onClose', async () => metrics.close());
  app.setErrorHandler((error, _request, reply) => {
    const status = error instanceof ApiError ? error.statusCode : 500;
    return reply.code(status).send({ detail: status === 500 ? 'Internal error' : 'Refused' });
  });
  app.get(ITEM_ROUTE, async (request) => ({ id: (request.params as { id: string }).id }));
  registerMetricsRoute(app, { metrics, gate });
  await app.ready();
  apps.push(app);
  return { app, metrics };
}

/** The value of the sample `name{labels}` in a scrape, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}) {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split(' ')[0] ?? '';
    if (wanted.every((pair) => labelText.includes(pair))) return Number(line.split(' ').at(-1));
  }
  return undefined;
}

/** The distinct values of `label` among the samples of `name`. */
function labelValues(text: string, name: string, label: string): Set<string> {
  const values = new Set<string>();
  const pattern = new RegExp(`${label}="([^"]*)"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const match = pattern.exec(line);
    if (match?.[1] !== undefined) values.add(match[1]);
  }
  return values;
}

async function scrape(app: FastifyInstance): Promise<string> {
  const response = await app.inject({ method: 'GET', url: METRICS_PATH });
  expect(response.statusCode).toBe(200);
  return response.body;
}

function providerOutcome(overrides: Partial<ProviderOutcome> = {}): ProviderOutcome {
  return {
    source: 'demo',
    batches: 1,
    quotes: 5,
    rejected: 0,
    inserted: 5,
    pricedItemIds: new Set([1, 2, 3, 4, 5]),
    durationMs: 1500,
    pace: null,
    cutOff: false,
    failure: null,
    ...overrides,
  };
}

describe('HTTP request durations', () => {
  it('3 requests to a route: the histogram count for its pattern is 3', async () => {
    const { app } = await metricsApp();
    for (const id of ['1', '22', '333']) {
      expect((await app.inject({ method: 'GET', url: `/api/v1/items/${id}` })).statusCode).toBe(
        200,
      );
    }
    const text = await scrape(app);
    const labels = { method: 'GET', route: ITEM_ROUTE, status_class: '2xx' };
    expect(sample(text, 'tracera_http_request_duration_seconds_count', labels)).toBe(3);
    expect(labelValues(text, 'tracera_http_request_duration_seconds_count', 'route')).not.toContain(
      '/api/v1/items/22',
    );
  });

  it('random URLs do not make new route labels: all are one `not_found`', async () => {
    const { app } = await metricsApp();
    for (let index = 0; index < 25; index += 1) {
      const url = `/no/such/${Math.random().toString(36).slice(2)}?q=${index}`;
      expect((await app.inject({ method: 'GET', url })).statusCode).toBe(404);
    }
    // A method no route serves: one `other`, not the method's name.
    await app.inject({ method: 'PROPFIND' as 'GET', url: '/anything' });
    const text = await scrape(app);
    const routes = labelValues(text, 'tracera_http_request_duration_seconds_count', 'route');
    expect([...routes].sort()).toEqual(['not_found']);
    expect(
      sample(text, 'tracera_http_request_duration_seconds_count', {
        method: 'GET',
        route: 'not_found',
        status_class: '4xx',
      }),
    ).toBe(25);
    expect(
      labelValues(text, 'tracera_http_request_duration_seconds_count', 'method'),
    ).not.toContain('PROPFIND');
  });
});

describe('/metrics', () => {
  it('answers in the Prometheus text format, uncached', async () => {
    const { app } = await metricsApp();
    const response = await app.inject({ method: 'GET', url: METRICS_PATH });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe(PROMETHEUS_TEXT);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toContain('# TYPE tracera_http_request_duration_seconds histogram');
  });

  it('S28: the gate it is given runs first; a refused request gets no metrics', async () => {
    const gate: MetricsRouteOptions['gate'] = async () => {
      throw new ApiError(403, 'Forbidden');
    };
    const { app } = await metricsApp(gate);
    const response = await app.inject({ method: 'GET', url: METRICS_PATH });
    expect(response.statusCode).toBe(403);
    expect(response.body).not.toContain('tracera_');
  });
});

describe('counted series', () => {
  it('two apps in one process count apart', async () => {
    const first = await metricsApp();
    const second = await metricsApp();
    await first.app.inject({ method: 'GET', url: '/api/v1/items/1' });
    const labels = { route: ITEM_ROUTE };
    expect(
      sample(await scrape(first.app), 'tracera_http_request_duration_seconds_count', labels),
    ).toBe(1);
    expect(
      sample(await scrape(second.app), 'tracera_http_request_duration_seconds_count', labels),
    ).toBeUndefined();
  });

  it('rate-limit refusals, sign-in outcomes and imports, by their labels', async () => {
    const { app, metrics } = await metricsApp();
    metrics.rateLimited('auth', 'strict');
    metrics.audited({ event: 'login', outcome: 'failure', detail: { reason: 'wrong_password' } });
    metrics.audited({ event: 'login', outcome: 'success', detail: { method: 'steam' } });
    metrics.audited({ event: 'magic_link_login', outcome: 'success' });
    metrics.audited({ event: 'login', outcome: 'success', detail: { method: 'made-up' } });
    metrics.audited({ event: 'logout', outcome: 'success' });
    metrics.portfolioImport('csv', 'failure');
    metrics.portfolioImport('inventory', 'success');
    const text = await scrape(app);
    expect(sample(text, 'tracera_rate_limited_total', { budget: 'auth', tier: 'strict' })).toBe(1);
    const login = (method: string, outcome: string) =>
      sample(text, 'tracera_logins_total', { method, outcome });
    expect(login('password', 'failure')).toBe(1);
    expect(login('steam', 'success')).toBe(1);
    expect(login('magic_link', 'success')).toBe(1);
    expect(login('other', 'success')).toBe(1);
    expect(labelValues(text, 'tracera_logins_total', 'method')).not.toContain('made-up');
    expect(
      sample(text, 'tracera_portfolio_imports_total', { kind: 'csv', outcome: 'failure' }),
    ).toBe(1);
    expect(
      sample(text, 'tracera_portfolio_imports_total', { kind: 'inventory', outcome: 'success' }),
    ).toBe(1);
  });

  it('ingestion: rows, durations and errors per provider', async () => {
    const { app, metrics } = await metricsApp();
    metrics.ingestCycle([
      providerOutcome(),
      providerOutcome({
        source: 'steam',
        inserted: 0,
        durationMs: 200,
        failure: { stage: 'fetch', error: new Error('down') },
      }),
    ]);
    metrics.ingestCycle([providerOutcome({ inserted: 7 })]);
    const text = await scrape(app);
    expect(sample(text, 'tracera_ingest_rows_written_total', { provider: 'demo' })).toBe(12);
    expect(sample(text, 'tracera_ingest_rows_written_total', { provider: 'steam' })).toBe(0);
    expect(sample(text, 'tracera_ingest_cycle_duration_seconds_count', { provider: 'demo' })).toBe(
      2,
    );
    expect(sample(text, 'tracera_ingest_cycle_duration_seconds_sum', { provider: 'demo' })).toBe(3);
    expect(sample(text, 'tracera_ingest_errors_total', { provider: 'steam', stage: 'fetch' })).toBe(
      1,
    );
    expect(sample(text, 'tracera_ingest_errors_total', { provider: 'demo' })).toBeUndefined();
  });

  it('figures read at scrape time: live feed, hashing queue, event-loop delay', async () => {
    const { app, metrics } = await metricsApp();
    let figures = { connections: 2, messages: 5, sent: 40, notifications: 3 };
    let waiting = 3;
    metrics.readLiveFeed(() => figures);
    metrics.readHashingQueue(() => waiting);
    let text = await scrape(app);
    expect(sample(text, 'tracera_websocket_connections')).toBe(2);
    expect(sample(text, 'tracera_websocket_messages_received_total')).toBe(5);
    expect(sample(text, 'tracera_websocket_messages_sent_total')).toBe(40);
    expect(sample(text, 'tracera_websocket_notifications_sent_total')).toBe(3);
    expect(sample(text, 'tracera_password_hashing_queue_depth')).toBe(3);
    figures = { connections: 1, messages: 9, sent: 41, notifications: 4 };
    waiting = 0;
    text = await scrape(app);
    expect(sample(text, 'tracera_websocket_connections')).toBe(1);
    expect(sample(text, 'tracera_websocket_messages_received_total')).toBe(9);
    expect(sample(text, 'tracera_websocket_messages_sent_total')).toBe(41);
    expect(sample(text, 'tracera_websocket_notifications_sent_total')).toBe(4);
    expect(sample(text, 'tracera_password_hashing_queue_depth')).toBe(0);
    expect(text).toContain('# TYPE tracera_event_loop_delay_seconds gauge');
  });
});
