// The web app's budget (docs/web-app.md): the JavaScript the market page
// loads, the entry chunk and every chunk it imports statically, at most
// 250 KB gzipped; lightweight-charts only in the chunks the chart pages load
// on demand. Read from Vite's manifest of the build in web/dist.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STATIC_ROOT } from '../../src/app.js';

const MARKET_PAGE_BUDGET_BYTES = 250 * 1024;
/** A class name lightweight-charts gives its chart's root element. */
const CHART_LIBRARY_MARK = 'tv-lightweight-charts';

interface ManifestChunk {
  readonly file: string;
  readonly isEntry?: boolean;
  readonly imports?: readonly string[];
  readonly dynamicImports?: readonly string[];
}

type Manifest = Readonly<Record<string, ManifestChunk>>;

async function manifest(): Promise<Manifest> {
  const text = await readFile(join(DEFAULT_STATIC_ROOT, '.vite', 'manifest.json'), 'utf8');
  return JSON.parse(text) as Manifest;
}

/** The files `key` loads before it runs: itself and its static imports, transitively. */
function staticClosure(chunks: Manifest, key: string, seen = new Set<string>()): Set<string> {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const imported of chunks[key]?.imports ?? []) staticClosure(chunks, imported, seen);
  return seen;
}

async function gzippedBytes(file: string): Promise<number> {
  return gzipSync(await readFile(join(DEFAULT_STATIC_ROOT, file)), { level: 9 }).length;
}

describe('the web app bundle', () => {
  it('market page: its JavaScript is at most 250 KB gzipped', async () => {
    const chunks = await manifest();
    const entry = Object.keys(chunks).find((key) => chunks[key]?.isEntry);
    expect(entry).toBeDefined();
    const files = [...staticClosure(chunks, entry as string)].map((key) => chunks[key]?.file ?? '');
    const sizes = await Promise.all(files.filter((file) => file.endsWith('.js')).map(gzippedBytes));
    const total = sizes.reduce((sum, size) => sum + size, 0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(MARKET_PAGE_BUDGET_BYTES);
  });

  it('loads lightweight-charts only with the pages that draw charts', async () => {
    const chunks = await manifest();
    const entry = Object.keys(chunks).find((key) => chunks[key]?.isEntry) as string;
    const eager = staticClosure(chunks, entry);
    const withCharts: string[] = [];
    for (const [key, chunk] of Object.entries(chunks)) {
      if (!chunk.file.endsWith('.js')) continue;
      const code = await readFile(join(DEFAULT_STATIC_ROOT, chunk.file), 'utf8');
      if (code.includes(CHART_LIBRARY_MARK)) withCharts.push(key);
    }
    expect(withCharts.length).toBeGreaterThan(0);
    for (const key of withCharts) expect(eager.has(key), key).toBe(false);
    // The chart pages are among the entry's dynamic imports, and only they reach the chart chunk.
    const lazyPages = chunks[entry]?.dynamicImports ?? [];
    const chartPages = lazyPages.filter((page) => /\/(ItemPage|IndexPage)\.tsx$/.test(page));
    expect(chartPages).toHaveLength(2);
    for (const page of lazyPages) {
      const reached = staticClosure(chunks, page);
      const drawsCharts = withCharts.some((key) => reached.has(key));
      expect(drawsCharts, page).toBe(chartPages.includes(page));
    }
  });
});
