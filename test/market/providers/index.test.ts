// Which providers run: exactly those MARKET_PROVIDERS lists, in its order; the
// simulated market only when listed, which the default does.
import { describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../../src/config.js';
import { createProviders } from '../../../src/market/providers/index.js';
import { startLocalHttpServer } from '../../support/local-http.js';
import { pricedItem } from '../../support/market.js';
import { collect, InstantClock } from './support.js';

function market(overrides: Partial<Config['market']> = {}): Config['market'] {
  return {
    providers: ['demo'],
    currency: 'USD',
    steam: { url: 'http://127.0.0.1:9', requestIntervalMs: 1000 },
    skinport: { url: 'http://127.0.0.1:9' },
    http: { timeoutMs: 1000, maxResponseBytes: 1024 * 1024 },
    demo: { seed: 1 },
    ingest: { intervalMs: 60_000, inServe: true },
    rawRetentionMs: 30 * 86_400_000,
    staleAfterMs: 3_600_000,
    ...overrides,
  };
}

describe('createProviders', () => {
  it('builds only the demo market from the default settings', () => {
    const { config } = loadConfig({
      NODE_ENV: 'test',
      SESSION_SECRET: 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2FsZG8xMjM0NTY3ODkw',
    });
    expect(createProviders(config.market).map((provider) => provider.source)).toEqual(['demo']);
  });

  it('builds the listed providers in the listed order, without the demo unless listed', () => {
    expect(
      createProviders(market({ providers: ['skinport', 'steam'] })).map((p) => p.source),
    ).toEqual(['skinport', 'steam']);
    expect(
      createProviders(market({ providers: ['steam', 'demo', 'skinport'] })).map((p) => p.source),
    ).toEqual(['steam', 'demo', 'skinport']);
  });

  it('points each real provider at its configured base URL and currency', async () => {
    const server = await startLocalHttpServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ success: false }));
    });
    try {
      const [steam] = createProviders(
        market({
          providers: ['steam'],
          currency: 'PLN',
          steam: { url: server.origin, requestIntervalMs: 1000 },
        }),
        { clock: new InstantClock() },
      );
      if (!steam) throw new Error('expected a Steam provider');
      const items = [pricedItem(1, 'AK-47 | Redline (Field-Tested)')];
      await collect(steam.fetchPrices(items, new AbortController().signal));
      expect(server.requests[0]?.url.searchParams.get('currency')).toBe('6');
    } finally {
      await server.close();
    }
  });
});
