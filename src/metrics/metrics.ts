// The app's Prometheus series (docs/metrics.md), in a registry of its own per
// app, so two apps in one process never share a count. The code that counts
// sees only the narrow methods below, never prom-client; figures that already
// exist somewhere (the live feed's connections, the hashing queue) are read
// at scrape time instead of counted on the hot path.
//
// Every label has a bounded set of values: a route is its pattern (or
// `not_found`), a method outside the usual few is `other`, a provider is a
// configured source, a budget is a name in the code.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DeliveryState } from '../alerts/tables.js';
import type { AuditEvent } from '../audit/events.js';
import type { ProviderOutcome } from '../market/ingest/ingest-cycle.js';
import type { AlertChannel } from '../shared/alert-vocabulary.js';

/** The route label of a request no route matched: one value, whatever the URL. */
export const UNMATCHED_ROUTE = 'not_found';
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const LOGIN_METHODS = new Set(['password', 'magic_link', 'steam', 'google', 'github']);
const MS_PER_SECOND = 1000;
const NS_PER_SECOND = 1e9;
/** Resolution of the event-loop delay sampler. */
const EVENT_LOOP_RESOLUTION_MS = 20;

/** What the live feed's hub can say about itself at scrape time. */
export interface LiveFeedFigures {
  readonly connections: number;
  /** Messages clients have sent since the hub started. */
  readonly messages: number;
  /** Messages the hub has written to clients since it started. */
  readonly sent: number;
  /** Private notifications among them. */
  readonly notifications: number;
}

export interface Metrics {
  readonly registry: Registry;
  /** One finished HTTP request: its route pattern (undefined when none matched). */
  httpRequest(method: string, route: string | undefined, statusCode: number, ms: number): void;
  /** A request refused 429 by the rate limit `budget` (its `tier`: strict or read). */
  rateLimited(budget: string, tier: 'strict' | 'read'): void;
  /** An audit event as it is recorded: sign-ins are counted from these. */
  audited(event: AuditEvent): void;
  /** A portfolio import a signed-in user attempted, and how it ended. */
  portfolioImport(kind: 'inventory' | 'csv', outcome: 'success' | 'failure'): void;
  /** Alert rules measured in one evaluation run. */
  alertEvaluated(rules: number): void;
  /** Alerts recorded as fired in one evaluation run. */
  alertFired(count: number): void;
  /** One channel's outcome for one fired alert. */
  alertDelivered(channel: AlertChannel, state: DeliveryState): void;
  /** One ingestion cycle's outcome per provider. */
  ingestCycle(outcomes: readonly ProviderOutcome[]): void;
  /** Where the live feed's figures are read at scrape time. */
  readLiveFeed(figures: () => LiveFeedFigures): void;
  /** Where the hashing queue's depth is read at scrape time. */
  readHashingQueue(waiting: () => number): void;
  /** The Prometheus text exposition of every series. */
  scrape(): Promise<string>;
  readonly contentType: string;
  /** Stops the event-loop sampler. */
  close(): void;
}

const statusClass = (statusCode: number) => `${Math.floor(statusCode / 100)}xx`;

export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];

  const httpDuration = new Histogram({
    name: 'tracera_http_request_duration_seconds',
    help: 'HTTP request duration, by method, route pattern and status class',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });

  /**
   * Each label set's series, found once: prom-client hashes the labels of
   * every `observe`, a measurable share of a request's CPU (bench
   * http-overhead). Bounded like the labels: routes × methods × classes.
   */
  const httpSeries = new Map<string, ReturnType<typeof httpDuration.labels>>();

  let liveFeed: (() => LiveFeedFigures) | null = null;
  new Gauge({
    name: 'tracera_websocket_connections',
    help: 'Live feed WebSocket connections open now',
    registers,
    collect() {
      this.set(liveFeed?.().connections ?? 0);
    },
  });
  // Counters the hub keeps itself; each scrape copies its total.
  new Counter({
    name: 'tracera_websocket_messages_received_total',
    help: 'Messages live feed clients have sent',
    registers,
    collect() {
      this.reset();
      this.inc(liveFeed?.().messages ?? 0);
    },
  });
  new Counter({
    name: 'tracera_websocket_messages_sent_total',
    help: 'Messages written to live feed clients',
    registers,
    collect() {
      this.reset();
      this.inc(liveFeed?.().sent ?? 0);
    },
  });

  new Counter({
    name: 'tracera_websocket_notifications_sent_total',
    help: 'Private notifications written to live feed clients (counted in messages sent too)',
    registers,
    collect() {
      this.reset();
      this.inc(liveFeed?.().notifications ?? 0);
    },
  });

  const ingestRows = new Counter({
    name: 'tracera_ingest_rows_written_total',
    help: 'Price rows new to the prices table, by provider',
    labelNames: ['provider'] as const,
    registers,
  });
  const ingestDuration = new Histogram({
    name: 'tracera_ingest_cycle_duration_seconds',
    help: 'Time each provider took in an ingestion cycle, by provider',
    labelNames: ['provider'] as const,
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers,
  });
  const ingestErrors = new Counter({
    name: 'tracera_ingest_errors_total',
    help: 'Ingestion cycles in which a provider failed, by provider and stage',
    labelNames: ['provider', 'stage'] as const,
    registers,
  });

  const rateLimited = new Counter({
    name: 'tracera_rate_limited_total',
    help: 'Requests refused 429 by a rate limit, by budget and tier',
    labelNames: ['budget', 'tier'] as const,
    registers,
  });
  const logins = new Counter({
    name: 'tracera_logins_total',
    help: 'Sign-in attempts as audited, by method and outcome',
    labelNames: ['method', 'outcome'] as const,
    registers,
  });
  const alertEvaluations = new Counter({
    name: 'tracera_alert_rules_evaluated_total',
    help: 'Alert rules measured by the evaluator (only those of the items a batch changed, and the timed ones after a cycle)',
    registers,
  });
  const alertFirings = new Counter({
    name: 'tracera_alerts_fired_total',
    help: 'Alerts recorded as fired',
    registers,
  });
  const alertDeliveries = new Counter({
    name: 'tracera_alert_deliveries_total',
    help: 'Fired alerts per channel and outcome: sent, failed or skipped',
    labelNames: ['channel', 'outcome'] as const,
    registers,
  });
  const imports = new Counter({
    name: 'tracera_portfolio_imports_total',
    help: 'Portfolio imports (Steam inventory or ledger CSV), by kind and outcome',
    labelNames: ['kind', 'outcome'] as const,
    registers,
  });

  let hashingWaiting: (() => number) | null = null;
  new Gauge({
    name: 'tracera_password_hashing_queue_depth',
    help: 'Password hashes waiting for a hashing thread',
    registers,
    collect() {
      this.set(hashingWaiting?.() ?? 0);
    },
  });

  const loopDelay = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
  loopDelay.enable();
  new Gauge({
    name: 'tracera_event_loop_delay_seconds',
    help: 'Event-loop delay since the previous scrape (sampled every 20 ms), by statistic',
    labelNames: ['stat'] as const,
    registers,
    collect() {
      // No sample yet (a scrape right after the last): nothing to say rather than a zero.
      if (loopDelay.count === 0) return;
      this.set({ stat: 'mean' }, loopDelay.mean / NS_PER_SECOND);
      this.set({ stat: 'p50' }, loopDelay.percentile(50) / NS_PER_SECOND);
      this.set({ stat: 'p99' }, loopDelay.percentile(99) / NS_PER_SECOND);
      this.set({ stat: 'max' }, loopDelay.max / NS_PER_SECOND);
      loopDelay.reset();
    },
  });

  return {
    registry,
    contentType: registry.contentType,
    httpRequest(method, route, statusCode, ms) {
      const labels = {
        method: METHODS.has(method) ? method : 'other',
        route: route ?? UNMATCHED_ROUTE,
        status_class: statusClass(statusCode),
      };
      const key = `${labels.method} ${labels.status_class} ${labels.route}`;
      let series = httpSeries.get(key);
      if (!series) {
        series = httpDuration.labels(labels);
        httpSeries.set(key, series);
      }
      series.observe(ms / MS_PER_SECOND);
    },
    rateLimited(budget, tier) {
      rateLimited.inc({ budget, tier });
    },
    audited(event) {
      if (event.event === 'login' || event.event === 'magic_link_login') {
        const named = event.event === 'magic_link_login' ? 'magic_link' : event.detail?.method;
        // Password sign-in audits its failures without a method.
        const method = typeof named === 'string' ? named : 'password';
        logins.inc({
          method: LOGIN_METHODS.has(method) ? method : 'other',
          outcome: event.outcome,
        });
      }
    },
    alertEvaluated(rules) {
      alertEvaluations.inc(rules);
    },
    alertFired(count) {
      alertFirings.inc(count);
    },
    alertDelivered(channel, state) {
      alertDeliveries.inc({ channel, outcome: state });
    },
    portfolioImport(kind, outcome) {
      imports.inc({ kind, outcome });
    },
    ingestCycle(outcomes) {
      for (const outcome of outcomes) {
        const provider = outcome.source;
        ingestRows.inc({ provider }, outcome.inserted);
        ingestDuration.observe({ provider }, outcome.durationMs / MS_PER_SECOND);
        if (outcome.failure) ingestErrors.inc({ provider, stage: outcome.failure.stage });
      }
    },
    readLiveFeed(figures) {
      liveFeed = figures;
    },
    readHashingQueue(waiting) {
      hashingWaiting = waiting;
    },
    scrape: () => registry.metrics(),
    close() {
      loopDelay.disable();
    },
  };
}
