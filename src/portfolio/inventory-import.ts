// Importing a user's Steam inventory as their holdings (S33, S34).
//
// The per-user cooldown is taken in the store with one atomic set-if-absent
// before Steam is asked anything, so two imports cannot run at once for one
// user however many instances serve them, and a store that cannot answer
// refuses the import (StoreUnavailableError, 503) rather than letting it
// through: the cooldown is what keeps our address under Steam's limits. An
// import that fails after reaching Steam keeps a shorter cooldown, so a user
// who has just made their inventory public can try again soon, while a loop
// of failing imports still cannot flood Steam.
//
// Each page's progress goes to the store, where the import status route
// reads it while the import runs. The holdings are replaced in one
// transaction at the end; names the catalog does not know stay as unmatched
// holdings (shown, not valued) and come back in the answer.
import { listLinks } from '../auth/federated/links.js';
import type { Config } from '../config.js';
import type { Database } from '../platform/db/index.js';
import { ApiError } from '../platform/errors.js';
import type { Store } from '../platform/store/index.js';
import { MINUTE_MS, SECOND_MS } from '../platform/time.js';
import {
  type ImportRecord,
  itemIdsByName,
  lastImport,
  replaceSteamHoldings,
  type SteamHolding,
} from './holdings.js';
import {
  fetchInventory,
  type Inventory,
  InventoryError,
  type InventoryFailure,
} from './steam-inventory.js';

/** How long a failed import holds the cooldown, at most. */
const FAILED_IMPORT_COOLDOWN_MS = MINUTE_MS;
/** How long Steam's 429 keeps us away when it does not say (it usually does not). */
const STEAM_BACKOFF_DEFAULT_MS = 2 * MINUTE_MS;
/** Progress outlives the import's deadline by this much, in case the process dies mid-import. */
const PROGRESS_SLACK_MS = 30 * SECOND_MS;

export const STEAM_NOT_LINKED =
  'Link your Steam account first (Account → Other accounts → Steam), then import.';
const PRIVATE_INVENTORY =
  'Your Steam inventory is private, so Steam will not show it to Tracera. In Steam, open your profile, Edit Profile → Privacy Settings, set "Inventory" to Public, save, and import again.';

/** Names of the EResult codes Steam's inventory errors carry most often. */
const ERESULT_NAMES: Readonly<Record<number, string>> = {
  2: 'Fail',
  8: 'InvalidParam',
  15: 'AccessDenied',
  16: 'Timeout',
  20: 'ServiceUnavailable',
  25: 'LimitExceeded',
  42: 'NoMatch',
  84: 'RateLimitExceeded',
};

export interface ImportProgress {
  readonly pages: number;
  readonly assets: number;
  readonly total: number | null;
}

export interface ImportOutcome {
  readonly record: ImportRecord;
  /** Names the catalog does not know, with how many units of each. */
  readonly unmatched: readonly { readonly marketHashName: string; readonly quantity: number }[];
  readonly cooldownUntil: Date;
  /** True when this was the user's first import. */
  readonly first: boolean;
}

export interface ImportDeps {
  readonly database: Database;
  readonly store: Store;
  readonly portfolio: Config['portfolio'];
  readonly now: () => number;
}

interface CooldownValue {
  /** Epoch ms: when the import that holds the cooldown started. */
  readonly startedAt: number;
  /** Epoch ms: when the next import may start. */
  readonly until: number;
}

export const cooldownKey = (userId: number) => `portfolio:import:cooldown:${userId}`;
export const progressKey = (userId: number) => `portfolio:import:progress:${userId}`;

function parseCooldown(raw: string | null): CooldownValue | null {
  if (raw === null) return null;
  try {
    const value = JSON.parse(raw) as Partial<CooldownValue>;
    return typeof value.startedAt === 'number' && typeof value.until === 'number'
      ? { startedAt: value.startedAt, until: value.until }
      : null;
  } catch {
    return null;
  }
}

function parseProgress(raw: string | null): ImportProgress | null {
  if (raw === null) return null;
  try {
    const value = JSON.parse(raw) as Partial<ImportProgress>;
    return typeof value.pages === 'number' && typeof value.assets === 'number'
      ? { pages: value.pages, assets: value.assets, total: value.total ?? null }
      : null;
  } catch {
    return null;
  }
}

/** The SteamID64 the user linked, or null. */
export async function linkedSteamId(database: Database, userId: number): Promise<string | null> {
  const links = await listLinks(database, userId);
  return links.find((link) => link.provider === 'steam')?.providerId ?? null;
}

export interface ImportStatus {
  readonly steamLinked: boolean;
  /** Present while an import runs. */
  readonly progress: ImportProgress | null;
  readonly cooldownUntil: Date | null;
  readonly last: ImportRecord | null;
}

export async function importStatus(deps: ImportDeps, userId: number): Promise<ImportStatus> {
  const { database, store, now } = deps;
  const [steamId, last, [cooldown, progress]] = await Promise.all([
    linkedSteamId(database, userId),
    lastImport(database, userId),
    store.getMany([cooldownKey(userId), progressKey(userId)]),
  ]);
  const until = parseCooldown(cooldown ?? null)?.until ?? null;
  return {
    steamLinked: steamId !== null,
    progress: parseProgress(progress ?? null),
    cooldownUntil: until !== null && until > now() ? new Date(until) : null,
    last,
  };
}

function secondsUntil(until: number, now: number): string {
  return String(Math.max(1, Math.ceil((until - now) / SECOND_MS)));
}

/** What the user hears when an import is refused for its cooldown (S34). */
async function cooldownRefusal(deps: ImportDeps, userId: number): Promise<ApiError> {
  const { store, database, now } = deps;
  const held = parseCooldown(await store.get(cooldownKey(userId)));
  const last = await lastImport(database, userId);
  const at = now();
  const until = held?.until ?? at + deps.portfolio.importCooldownMs;
  const lastText = last ? `The last import finished at ${last.importedAt.toISOString()}. ` : '';
  const running = (await store.get(progressKey(userId))) !== null;
  const detail = running
    ? 'An import is already running for your account; wait for it to finish.'
    : `${lastText}Imports are limited to one every ${Math.round(
        deps.portfolio.importCooldownMs / SECOND_MS,
      )} seconds; the next may start at ${new Date(until).toISOString()}.`;
  return new ApiError(429, detail, { 'retry-after': secondsUntil(until, at) });
}

/** The answer for an inventory Steam would not give us. */
export function inventoryFailureAnswer(failure: InventoryFailure): ApiError {
  switch (failure.kind) {
    case 'invalid_steam_id':
      return new ApiError(
        409,
        'The Steam account linked to yours has an id that is not a valid SteamID64; unlink it and link Steam again.',
      );
    case 'private':
      return new ApiError(409, PRIVATE_INVENTORY);
    case 'not_found':
      return new ApiError(409, 'Steam has no Counter-Strike 2 inventory for the linked account.');
    case 'rate_limited': {
      const waitMs = failure.retryAfterMs ?? STEAM_BACKOFF_DEFAULT_MS;
      return new ApiError(
        503,
        'Steam is limiting requests from Tracera right now; try the import again in a few minutes.',
        { 'retry-after': String(Math.max(1, Math.ceil(waitMs / SECOND_MS))) },
      );
    }
    case 'steam_error': {
      const code =
        failure.eresult === null
          ? `HTTP ${failure.status}`
          : `EResult ${failure.eresult}${
              ERESULT_NAMES[failure.eresult] ? ` ${ERESULT_NAMES[failure.eresult]}` : ''
            }`;
      return new ApiError(502, `Steam answered the inventory request with an error (${code}).`);
    }
    case 'too_large':
      return new ApiError(
        502,
        `Steam sent an inventory page larger than ${failure.maxBytes} bytes; nothing was imported.`,
      );
    case 'too_many_pages':
      return new ApiError(
        502,
        `The inventory needs more than ${failure.maxPages} pages; nothing was imported.`,
      );
    case 'malformed':
      return new ApiError(502, `Steam sent an inventory Tracera cannot read (${failure.reason}).`);
    case 'timeout':
      return new ApiError(504, 'Steam took too long to send the inventory; try again later.');
    case 'unavailable':
      return new ApiError(502, 'Steam could not be reached; try again later.');
  }
}

/** The inventory's assets as holdings, matched to the catalog by market_hash_name. */
async function toHoldings(
  database: Database,
  inventory: Inventory,
): Promise<{
  holdings: SteamHolding[];
  matched: number;
  unmatched: Map<string, number>;
}> {
  const names = [...new Set(inventory.assets.map((asset) => asset.marketHashName))];
  const ids = await itemIdsByName(database, names);
  const unmatched = new Map<string, number>();
  let matched = 0;
  const holdings = inventory.assets.map((asset) => {
    const itemId = ids.get(asset.marketHashName) ?? null;
    if (itemId === null) {
      unmatched.set(asset.marketHashName, (unmatched.get(asset.marketHashName) ?? 0) + 1);
    } else {
      matched += 1;
    }
    return {
      assetId: asset.assetId,
      marketHashName: asset.marketHashName,
      itemId,
      quantity: asset.amount,
      float: asset.float,
      pattern: asset.pattern,
    };
  });
  return { holdings, matched, unmatched };
}

/**
 * Imports the user's inventory, or throws an ApiError saying why not:
 * 409 without a linked Steam account, 429 within the cooldown, 503 when
 * the store cannot answer, and the inventory failures above.
 */
export async function importInventory(
  deps: ImportDeps,
  userId: number,
  signal?: AbortSignal,
): Promise<ImportOutcome> {
  const { database, store, portfolio, now } = deps;
  const steamId = await linkedSteamId(database, userId);
  if (steamId === null) throw new ApiError(409, STEAM_NOT_LINKED);

  const startedAt = now();
  const until = startedAt + portfolio.importCooldownMs;
  const cooldown = JSON.stringify({ startedAt, until } satisfies CooldownValue);
  if (!(await store.setIfAbsent(cooldownKey(userId), cooldown, portfolio.importCooldownMs))) {
    throw await cooldownRefusal(deps, userId);
  }

  const progressTtlMs = portfolio.inventory.deadlineMs + PROGRESS_SLACK_MS;
  const showProgress = async (progress: ImportProgress) => {
    // Progress is for the user's eyes only: losing it must not fail the import.
    await store.set(progressKey(userId), JSON.stringify(progress), progressTtlMs).catch(() => {});
  };
  await showProgress({ pages: 0, assets: 0, total: null });
  try {
    const previous = await lastImport(database, userId);
    const inventory = await fetchInventory(steamId, {
      baseUrl: portfolio.inventory.url,
      pageSize: portfolio.inventory.pageSize,
      timeoutMs: portfolio.inventory.timeoutMs,
      maxBytes: portfolio.inventory.maxBytes,
      maxPages: portfolio.inventory.maxPages,
      deadlineMs: portfolio.inventory.deadlineMs,
      now,
      ...(signal ? { signal } : {}),
      onPage: showProgress,
    });
    const { holdings, matched, unmatched } = await toHoldings(database, inventory);
    const record: ImportRecord = {
      steamId,
      importedAt: new Date(now()),
      pages: inventory.pages,
      assets: inventory.assets.length,
      matched,
      unmatched: inventory.assets.length - matched,
      withoutDescription: inventory.withoutDescription.length,
      durationMs: Math.max(0, now() - startedAt),
    };
    await replaceSteamHoldings(database, userId, holdings, record);
    return {
      record,
      unmatched: [...unmatched]
        .map(([marketHashName, quantity]) => ({ marketHashName, quantity }))
        .sort(
          (a, b) => b.quantity - a.quantity || a.marketHashName.localeCompare(b.marketHashName),
        ),
      cooldownUntil: new Date(until),
      first: previous === null,
    };
  } catch (error) {
    const shorter = Math.min(FAILED_IMPORT_COOLDOWN_MS, portfolio.importCooldownMs);
    const failedValue = JSON.stringify({ startedAt, until: now() + shorter });
    await store.replace(cooldownKey(userId), failedValue, shorter).catch(() => {});
    if (error instanceof InventoryError) throw inventoryFailureAnswer(error.failure);
    throw error;
  } finally {
    await store.delete(progressKey(userId)).catch(() => {});
  }
}
