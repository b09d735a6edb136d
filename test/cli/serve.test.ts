// The `tracera` command as an operator runs it: a real process, real signals.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHILD_TEST_TIMEOUT_MS, freePort, tracera } from '../support/cli.js';

describe('tracera serve', { timeout: CHILD_TEST_TIMEOUT_MS }, () => {
  it('exits with 78 naming the bad variable, before listening', async () => {
    const port = await freePort();
    const run = tracera(['serve'], { PORT: String(port), REDIS_URL: 'redis://127.0.0.1:6379/99' });
    expect(await run.exited).toBe(78);
    expect(run.output()).toMatch(
      /REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL whose database index/,
    );
    await expect(fetch(`http://127.0.0.1:${port}/api/v1/health`)).rejects.toThrow();
  });
});

describe('tracera migrate', { timeout: CHILD_TEST_TIMEOUT_MS }, () => {
  it('applies the migrations once, then reports the database up to date', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tracera-data-'));
    const first = tracera(['migrate'], { DATA_DIR: dataDir });
    expect(await first.exited).toBe(0);
    expect(first.output()).toMatch(/applied 001_market_tables\.sql/);
    const second = tracera(['migrate'], { DATA_DIR: dataDir });
    expect(await second.exited).toBe(0);
    expect(second.output()).toMatch(/Already up to date \(\d+ migrations\)/);
  });

  it('lists its commands with --help', async () => {
    const run = tracera(['--help'], {});
    expect(await run.exited).toBe(0);
    expect(run.output()).toMatch(/serve/);
    expect(run.output()).toMatch(/migrate/);
  });
});
