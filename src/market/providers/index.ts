// The price providers MARKET_PROVIDERS names, built in the order it names them.
// The demo market exists only when listed; the default setting lists only it,
// so a fresh install is live without internet access, and enabling a real
// source without `demo` leaves no simulated prices in the mix.
import type { Config } from '../../config.js';
import type { PriceProvider, PriceSource } from '../types.js';
import { createDemoProvider } from './demo.js';
import type { ProviderDeps } from './deps.js';
import { createSkinportProvider } from './skinport.js';
import { createSteamProvider } from './steam.js';

export type { ProviderDeps, ProviderLog } from './deps.js';

export function createProviders(
  market: Config['market'],
  deps: ProviderDeps = {},
): PriceProvider[] {
  const bounds = {
    timeoutMs: market.http.timeoutMs,
    maxResponseBytes: market.http.maxResponseBytes,
  };
  const builders: Readonly<Record<PriceSource, () => PriceProvider>> = {
    steam: () =>
      createSteamProvider(
        {
          baseUrl: market.steam.url,
          currency: market.currency,
          requestIntervalMs: market.steam.requestIntervalMs,
          cycleMs: market.ingest.intervalMs,
          ...bounds,
        },
        deps,
      ),
    skinport: () =>
      createSkinportProvider(
        { baseUrl: market.skinport.url, currency: market.currency, ...bounds },
        deps,
      ),
    demo: () =>
      createDemoProvider(
        {
          seed: market.demo.seed,
          currency: market.currency,
          intervalMs: market.ingest.intervalMs,
        },
        deps,
      ),
  };
  return market.providers.map((source) => builders[source]());
}
