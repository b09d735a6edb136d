// `tracera verify-headers <url>`: asks a running deployment (the app itself,
// or Traefik in front of it) for `/`, the health check and a path that does
// not exist, and compares each answer's headers with S24's set, derived from
// src/security/headers.ts for the given URL's scheme (HSTS on https) so the
// check and the app have one source of truth. It writes what it saw to
// meta/security-headers.json (S29): the observed headers and each required
// header's pass or fail per URL, and the time; it exits 1 on any miss.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { API_PREFIX } from '../http/api-prefix.js';
import { fetchBounded, HttpRequestError } from '../platform/http/bounded-fetch.js';
import { SECOND_MS } from '../platform/time.js';
import { securityHeaders } from '../security/headers.js';

export const HEADER_RECORD_FILE = 'meta/security-headers.json';
const REQUEST_TIMEOUT_MS = 10 * SECOND_MS;
const MAX_BODY_BYTES = 8 * 1024 * 1024;
const JSON_INDENT = 2;
/** Statuses whose headers are still checked: the 404 probe, an unhealthy health check. */
const READ_STATUSES = [404, 503];

/** The paths asked for: the app, the API, and an answer the error handler writes. */
export const PROBE_PATHS = ['/', `${API_PREFIX}/health`, `${API_PREFIX}/verify-headers-not-found`];

export interface HeaderCheck {
  readonly header: string;
  readonly expected: string;
  readonly observed: string | null;
  readonly pass: boolean;
}

export interface ProbeRecord {
  readonly url: string;
  readonly status: number | null;
  /** Why there is no answer to check (a network failure, an unexpected status). */
  readonly error: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly checks: readonly HeaderCheck[];
  readonly pass: boolean;
}

export interface HeaderRecord {
  readonly checkedAt: string;
  readonly baseUrl: string;
  readonly pass: boolean;
  readonly probes: readonly ProbeRecord[];
}

async function probe(url: URL, required: Readonly<Record<string, string>>): Promise<ProbeRecord> {
  let status: number | null = null;
  let error: string | null = null;
  let headers: Record<string, string> = {};
  try {
    const response = await fetchBounded(url, {
      timeoutMs: REQUEST_TIMEOUT_MS,
      maxBytes: MAX_BODY_BYTES,
      readStatuses: READ_STATUSES,
    });
    status = response.status;
    headers = Object.fromEntries(response.headers.entries());
  } catch (caught) {
    if (!(caught instanceof HttpRequestError)) throw caught;
    error = caught.message;
  }
  const checks = Object.entries(required).map(([header, expected]) => {
    const observed = headers[header] ?? null;
    return { header, expected, observed, pass: observed === expected };
  });
  return {
    url: url.href,
    status,
    error,
    headers,
    checks,
    pass: error === null && checks.every((check) => check.pass),
  };
}

/** Asks `baseUrl` for every probe path and checks the answers' headers. */
export async function verifyHeaders(
  baseUrl: string,
  now: () => Date = () => new Date(),
): Promise<HeaderRecord> {
  const base = new URL(baseUrl);
  const required = securityHeaders(base.origin);
  const checkedAt = now().toISOString();
  const probes = await Promise.all(
    PROBE_PATHS.map((path) => probe(new URL(path, base.origin), required)),
  );
  return {
    checkedAt,
    baseUrl: base.origin,
    pass: probes.every((record) => record.pass),
    probes,
  };
}

/** One line per probe, and one per miss naming the header. */
export function describeRecord(record: HeaderRecord): string {
  const lines: string[] = [];
  for (const probe of record.probes) {
    lines.push(`${probe.pass ? 'ok  ' : 'FAIL'} ${probe.url} (${probe.error ?? probe.status})`);
    for (const check of probe.checks.filter((item) => !item.pass)) {
      const observed =
        check.observed === null ? 'missing' : `got ${JSON.stringify(check.observed)}`;
      lines.push(`     ${check.header}: ${observed}, expected ${JSON.stringify(check.expected)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export interface VerifyHeadersOptions {
  readonly out: string;
}

export async function runVerifyHeaders(url: string, options: VerifyHeadersOptions): Promise<void> {
  const record = await verifyHeaders(url);
  await mkdir(dirname(options.out), { recursive: true });
  await writeFile(options.out, `${JSON.stringify(record, null, JSON_INDENT)}\n`);
  process.stdout.write(describeRecord(record));
  process.stdout.write(`Recorded in ${options.out}\n`);
  if (!record.pass) process.exitCode = 1;
}
