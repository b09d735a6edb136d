// `tracera openapi > openapi.json` as an operator runs it: a real process
// whose stdout is the document, the same one the server answers at
// /api/v1/openapi.json with the same settings, made without listening or
// touching the data folder. The document does not depend on what the
// database holds, so the app it is compared with has none either.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { absentDatabase } from '../../src/platform/db/index.js';
import { MemoryStore } from '../../src/platform/store/memory-store.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { CHILD_TEST_TIMEOUT_MS, tracera } from '../support/cli.js';

const BASE_URL = 'https://tracera.example';

let test: TestApp | undefined;

afterEach(async () => {
  await test?.app.close();
  test = undefined;
});

describe('tracera openapi', { timeout: CHILD_TEST_TIMEOUT_MS }, () => {
  it('prints the document the server serves, and nothing else, without a server or a database', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tracera-data-'));
    const run = tracera(['openapi'], { DATA_DIR: dataDir, BASE_URL });
    let stdout = '';
    run.child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    expect(await run.exited).toBe(0);

    const printed = JSON.parse(stdout);
    expect(printed).toMatchObject({ openapi: '3.1.0', servers: [{ url: BASE_URL }] });
    expect(Object.keys(printed.paths)).toContain('/api/v1/items/{id}/history');
    test = await buildTestApp({
      env: { BASE_URL },
      database: absentDatabase(),
      store: new MemoryStore(),
    });
    const served = await test.app.inject({ url: '/api/v1/openapi.json' });
    expect(printed).toEqual(served.json());
    // No database was made there, no secret generated: nothing was written.
    expect(readdirSync(dataDir)).toEqual([]);
  });
});
