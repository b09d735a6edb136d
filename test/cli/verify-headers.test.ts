// S29: `tracera verify-headers <url>` as an operator runs it, against the
// real app on 127.0.0.1 and against a stand-in that leaves one header out.
import { mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_STATIC_ROOT } from '../../src/app.js';
import { type HeaderRecord, PROBE_PATHS } from '../../src/cli/verify-headers.js';
import { securityHeaders } from '../../src/security/headers.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { CHILD_TEST_TIMEOUT_MS, tracera } from '../support/cli.js';
import { type LocalHttpServer, startLocalHttpServer } from '../support/local-http.js';

let running: TestApp | undefined;
let standIn: LocalHttpServer | undefined;

afterEach(async () => {
  await running?.app.close();
  await standIn?.close();
  running = undefined;
  standIn = undefined;
});

const recordFile = () =>
  join(mkdtempSync(join(tmpdir(), 'tracera-meta-')), 'security-headers.json');
const readRecord = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as HeaderRecord;

describe('tracera verify-headers', { timeout: CHILD_TEST_TIMEOUT_MS }, () => {
  it('S29 passes against the running app and records every header of every probe', async () => {
    running = await buildTestApp({ staticRoot: DEFAULT_STATIC_ROOT });
    await running.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = running.app.server.address() as AddressInfo;
    const origin = `http://127.0.0.1:${port}`;
    const out = recordFile();

    const run = tracera(['verify-headers', origin, '--out', out], {});
    expect(await run.exited, run.output()).toBe(0);

    const record = readRecord(out);
    expect(record.pass).toBe(true);
    expect(Date.parse(record.checkedAt)).not.toBeNaN();
    expect(record.probes.map((probe) => [new URL(probe.url).pathname, probe.status])).toEqual([
      [PROBE_PATHS[0], 200],
      [PROBE_PATHS[1], 200],
      [PROBE_PATHS[2], 404],
    ]);
    const required = Object.keys(securityHeaders(origin));
    for (const probe of record.probes) {
      expect(probe.checks.map((check) => check.header)).toEqual(required);
      expect(probe.checks.every((check) => check.pass)).toBe(true);
      expect(probe.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('S29 fails against a server missing one header, naming it, and records the miss', async () => {
    standIn = await startLocalHttpServer((_request, response, url) => {
      const { 'x-frame-options': _left, ...others } = securityHeaders('http://127.0.0.1');
      response.writeHead(url.pathname.endsWith('not-found') ? 404 : 200, others);
      response.end('{}');
    });
    const out = recordFile();

    const run = tracera(['verify-headers', standIn.origin, '--out', out], {});
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/x-frame-options: missing, expected "DENY"/);

    const record = readRecord(out);
    expect(record.pass).toBe(false);
    expect(record.probes).toHaveLength(PROBE_PATHS.length);
    for (const probe of record.probes) {
      const failed = probe.checks.filter((check) => !check.pass);
      expect(failed).toEqual([
        { header: 'x-frame-options', expected: 'DENY', observed: null, pass: false },
      ]);
    }
  });

  it('is listed by tracera --help', async () => {
    const run = tracera(['--help'], {});
    expect(await run.exited).toBe(0);
    expect(run.output()).toMatch(/verify-headers/);
  });
});
