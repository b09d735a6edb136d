// Reads a public CS2 inventory from Steam Community's
// `/inventory/<steamid64>/730/2` endpoint for the portfolio import (issue 20).
// Pages with `count` and `start_assetid` while the answer sets `more_items`,
// joins each asset to its description on classid + instanceid (a missing
// instanceid is "0"), and reads float and pattern from `asset_properties`
// where Steam sends them. The shapes follow what open-source Steam clients
// observed (node-steamcommunity, steampy), not a published specification.
//
// Everything is bounded (S33): the SteamID64 is checked before a URL exists,
// every call goes through fetchBounded with a per-call timeout and byte cap,
// one deadline covers the whole import, pages are capped, and a page that
// claims more items without moving the cursor forward is refused rather
// than looped on. Every answer is read through narrow type guards: what does
// not have Steam's shape is `malformed`, never half-trusted.
//
// `success` is Steam's EResult (1 = OK): a page answering another number (or
// false) is a `steam_error` with that EResult, status 200; a page with no
// readable `success` is `malformed`.

import {
  type BoundedResponse,
  describeFailure,
  describeTarget,
  fetchBounded,
  HttpRequestError,
  parseJsonBody,
  parseRetryAfterMs,
} from '../platform/http/bounded-fetch.js';
import { isStorableText } from '../platform/text.js';
import { isSteamId64 } from './steam-id.js';

const CS2_APP_ID = 730;
const CS2_CONTEXT_ID = 2;
/** The `count` Steam has accepted since 2025-05-28 (above it: HTTP 400). */
export const STEAM_SAFE_PAGE_SIZE = 1000;
/** The largest `count` Steam ever accepted. */
export const STEAM_MAX_PAGE_SIZE = 5000;
export const DEFAULT_INVENTORY_PAGE_SIZE = STEAM_SAFE_PAGE_SIZE;
export const DEFAULT_INVENTORY_MAX_BYTES = 8 * 1024 * 1024;
/** A stack's size as the holdings table takes it; CS2 items come one to an asset. */
const MAX_ASSET_AMOUNT = 1_000_000;
/** The holdings table's limit on a market_hash_name. */
const MAX_NAME_CHARS = 255;
const MAX_PATTERN = 1000;
/** Statuses whose body or headers decide the failure; any other non-2xx is a plain steam_error. */
const READ_STATUSES = [400, 403, 404, 429, 500, 502, 503, 504] as const;
/** Steam's error text is shown to users; a longer one is cut, not trusted. */
const MAX_MESSAGE_CHARS = 200;

export interface InventoryClientOptions {
  /** STEAM_COMMUNITY_URL, e.g. https://steamcommunity.com (no trailing slash). */
  readonly baseUrl: string;
  /** `count` per page: DEFAULT_INVENTORY_PAGE_SIZE, at most STEAM_MAX_PAGE_SIZE. */
  readonly pageSize: number;
  /** Per request. */
  readonly timeoutMs: number;
  /** Per response body. */
  readonly maxBytes: number;
  /** Pages allowed; one more needed is `too_many_pages`. */
  readonly maxPages: number;
  /** One deadline for the whole import, retries included. */
  readonly deadlineMs: number;
  /** Epoch milliseconds: the deadline's clock and Retry-After dates. */
  readonly now?: () => number;
  readonly signal?: AbortSignal;
  /** Called after each page, for progress. */
  readonly onPage?: (progress: {
    readonly pages: number;
    readonly assets: number;
    readonly total: number | null;
  }) => void | Promise<void>;
}

export interface InventoryAsset {
  readonly assetId: string;
  readonly classId: string;
  readonly instanceId: string;
  /** Integer >= 1. */
  readonly amount: number;
  /** From the description. */
  readonly marketHashName: string;
  /** Display name. */
  readonly name: string;
  readonly marketable: boolean;
  readonly tradable: boolean;
  /** asset_properties propertyid 2 float_value, where present. */
  readonly float: number | null;
  /** asset_properties propertyid 1 int_value, where present. */
  readonly pattern: number | null;
}

export interface InventoryAssetKey {
  readonly assetId: string;
  readonly classId: string;
  readonly instanceId: string;
}

export interface Inventory {
  readonly assets: InventoryAsset[];
  /** Assets whose classid+instanceid had no description: counted, reported, never silently dropped. */
  readonly withoutDescription: readonly InventoryAssetKey[];
  readonly pages: number;
  readonly totalInventoryCount: number | null;
  /** The `count` finally used (1000 after a 400 retry). */
  readonly pageSize: number;
}

export type InventoryFailure =
  /** Not a SteamID64: no request was made. */
  | { readonly kind: 'invalid_steam_id' }
  /** 403 (body null): the inventory or profile is private. */
  | { readonly kind: 'private' }
  /** 404: no such profile. */
  | { readonly kind: 'not_found' }
  /** 429; Steam rarely sends Retry-After. */
  | { readonly kind: 'rate_limited'; readonly retryAfterMs: number | null }
  /** Steam refused: a 5xx (EResult from `{"error":"… (N)"}`), a 400 at the safe page size, or success ≠ 1. */
  | {
      readonly kind: 'steam_error';
      readonly status: number;
      readonly eresult: number | null;
      readonly message: string | null;
    }
  | { readonly kind: 'too_large'; readonly maxBytes: number }
  | { readonly kind: 'too_many_pages'; readonly maxPages: number }
  /** Not JSON, not Steam's shape, or paging that does not advance. */
  | { readonly kind: 'malformed'; readonly reason: string }
  /** A call's timeout or the whole import's deadline (then timeoutMs is deadlineMs). */
  | { readonly kind: 'timeout'; readonly timeoutMs: number }
  /** Network failure, an unusable base URL, or the caller's signal aborted. */
  | { readonly kind: 'unavailable'; readonly reason: string };

/** The failure in a few words, safe to show to the user who asked for the import. */
export function describeInventoryFailure(failure: InventoryFailure): string {
  switch (failure.kind) {
    case 'invalid_steam_id':
      return 'not a SteamID64';
    case 'private':
      return 'the inventory is private';
    case 'not_found':
      return 'no such Steam profile';
    case 'rate_limited':
      return 'Steam is rate limiting requests';
    case 'steam_error':
      return `Steam answered ${failure.status}${failure.eresult === null ? '' : ` (EResult ${failure.eresult})`}`;
    case 'too_large':
      return `an inventory page exceeds ${failure.maxBytes} bytes`;
    case 'too_many_pages':
      return `the inventory needs more than ${failure.maxPages} pages`;
    case 'malformed':
      return `unreadable answer: ${failure.reason}`;
    case 'timeout':
      return `timed out after ${failure.timeoutMs} ms`;
    case 'unavailable':
      return `Steam is unreachable: ${failure.reason}`;
  }
}

export class InventoryError extends Error {
  override name = 'InventoryError';

  constructor(
    readonly failure: InventoryFailure,
    /** `GET https://host/path` of the failing call (no query), when there was one. */
    readonly target: string | null = null,
  ) {
    super(`${target === null ? '' : `${target}: `}${describeInventoryFailure(failure)}`);
  }
}

// ---- Narrow guards over what Steam sends ----

type JsonRecord = { readonly [key: string]: unknown };

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const DIGITS = /^[0-9]{1,20}$/;

function isIdString(value: unknown): value is string {
  return typeof value === 'string' && DIGITS.test(value);
}

/** Steam's 0/1 flags, also accepted as booleans. */
function flag(value: unknown): boolean | null {
  if (value === 1 || value === true) return true;
  if (value === 0 || value === false) return false;
  return null;
}

/** An integer sent as a number or a decimal string. */
function integerOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value === 'string' && DIGITS.test(value)) {
    const parsed = Number(value);
    return Number.isSafeInteger(parsed) ? parsed : null;
  }
  return null;
}

/** Paint seeds run from 0 to 1000; anything else is not one. */
function patternOf(value: unknown): number | null {
  const pattern = integerOf(value);
  return pattern !== null && pattern <= MAX_PATTERN ? pattern : null;
}

/** A name the holdings table can store: 1 to 255 characters of storable text (S38). */
function isMarketHashName(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= MAX_NAME_CHARS &&
    isStorableText(value)
  );
}

/** A wear float in [0, 1], sent as a number or a decimal string. */
function floatOf(value: unknown): number | null {
  let parsed: number | null = null;
  if (typeof value === 'number') parsed = value;
  else if (typeof value === 'string' && /^[0-9]+(\.[0-9]+)?(e-?[0-9]+)?$/i.test(value)) {
    parsed = Number(value);
  }
  return parsed !== null && Number.isFinite(parsed) && parsed >= 0 && parsed <= 1 ? parsed : null;
}

interface RawAsset extends InventoryAssetKey {
  readonly amount: number;
}

interface Description {
  readonly marketHashName: string;
  readonly name: string;
  readonly marketable: boolean;
  readonly tradable: boolean;
}

interface Properties {
  readonly float: number | null;
  readonly pattern: number | null;
}

interface Page {
  readonly assets: readonly RawAsset[];
  readonly descriptions: ReadonlyMap<string, Description>;
  readonly properties: ReadonlyMap<string, Properties>;
  readonly totalInventoryCount: number | null;
  /** The cursor for the next page, or null when this is the last. */
  readonly nextAssetId: string | null;
}

const descriptionKey = (classId: string, instanceId: string) => `${classId}_${instanceId}`;

/** Reads one page, or returns why it is not Steam's shape. */
function readPage(body: unknown): Page | InventoryFailure {
  const malformed = (reason: string): InventoryFailure => ({ kind: 'malformed', reason });
  if (!isRecord(body)) return malformed('the page is not an object');
  const success = body.success;
  if (success !== 1 && success !== true) {
    if (typeof success === 'number' || success === false) {
      const message = errorText(body.error ?? body.Error);
      return {
        kind: 'steam_error',
        status: 200,
        eresult: typeof success === 'number' && Number.isSafeInteger(success) ? success : null,
        message,
      };
    }
    return malformed('success is missing');
  }

  const assets: RawAsset[] = [];
  if (body.assets !== undefined) {
    if (!Array.isArray(body.assets)) return malformed('assets is not an array');
    for (const [index, item] of body.assets.entries()) {
      if (!isRecord(item)) return malformed(`asset ${index} is not an object`);
      const instanceId = item.instanceid ?? '0';
      const amount = integerOf(item.amount);
      if (!isIdString(item.assetid) || !isIdString(item.classid) || !isIdString(instanceId)) {
        return malformed(`asset ${index} lacks assetid, classid or instanceid`);
      }
      if (amount === null || amount < 1 || amount > MAX_ASSET_AMOUNT) {
        return malformed(`asset ${index} has no valid amount`);
      }
      assets.push({ assetId: item.assetid, classId: item.classid, instanceId, amount });
    }
  }

  const descriptions = new Map<string, Description>();
  if (body.descriptions !== undefined) {
    if (!Array.isArray(body.descriptions)) return malformed('descriptions is not an array');
    for (const [index, item] of body.descriptions.entries()) {
      if (!isRecord(item)) return malformed(`description ${index} is not an object`);
      const instanceId = item.instanceid ?? '0';
      const marketable = flag(item.marketable);
      const tradable = flag(item.tradable);
      if (!isIdString(item.classid) || !isIdString(instanceId)) {
        return malformed(`description ${index} lacks classid or instanceid`);
      }
      if (!isMarketHashName(item.market_hash_name)) {
        return malformed(`description ${index} has no valid market_hash_name`);
      }
      if (marketable === null || tradable === null) {
        return malformed(`description ${index} has no marketable or tradable flag`);
      }
      const name = typeof item.name === 'string' && item.name !== '' ? item.name : null;
      descriptions.set(descriptionKey(item.classid, instanceId), {
        marketHashName: item.market_hash_name,
        name: name ?? item.market_hash_name,
        marketable,
        tradable,
      });
    }
  }

  const more = flag(body.more_items) === true;
  const last = body.last_assetid;
  if (more && !isIdString(last)) return malformed('more_items is set without a last_assetid');
  const total = integerOf(body.total_inventory_count);

  return {
    assets,
    descriptions,
    properties: readAssetProperties(body.asset_properties),
    totalInventoryCount: total !== null && total >= 0 ? total : null,
    nextAssetId: more && isIdString(last) ? last : null,
  };
}

/**
 * Float and pattern per asset id, from the newer `asset_properties` field.
 * Optional and not verified against a live answer, so whatever has another
 * shape is skipped, never an error.
 */
function readAssetProperties(value: unknown): Map<string, Properties> {
  const byAsset = new Map<string, Properties>();
  if (!Array.isArray(value)) return byAsset;
  for (const entry of value) {
    if (!isRecord(entry) || !isIdString(entry.assetid) || !Array.isArray(entry.asset_properties)) {
      continue;
    }
    let float: number | null = null;
    let pattern: number | null = null;
    for (const property of entry.asset_properties) {
      if (!isRecord(property)) continue;
      if (property.propertyid === 1) pattern = patternOf(property.int_value) ?? pattern;
      if (property.propertyid === 2) float = floatOf(property.float_value) ?? float;
    }
    byAsset.set(entry.assetid, { float, pattern });
  }
  return byAsset;
}

function errorText(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value.slice(0, MAX_MESSAGE_CHARS) : null;
}

/** A 5xx body's `{"error":"Something (15)"}`: its text and EResult, each null when absent. */
function steamErrorOf(status: number, response: BoundedResponse, target: string): InventoryFailure {
  let body: unknown = null;
  try {
    body = parseJsonBody(response, target);
  } catch {
    // An HTML error page says nothing more than its status.
  }
  const message = isRecord(body) ? errorText(body.error) : null;
  const code = message === null ? undefined : /\((\d{1,6})\)\s*$/.exec(message)?.[1];
  return {
    kind: 'steam_error',
    status,
    eresult: code === undefined ? null : Number(code),
    message,
  };
}

// ---- Paging ----

/**
 * Every asset of `steamId64`'s CS2 inventory with its description, or an
 * InventoryError saying which failure (see InventoryFailure).
 */
export async function fetchInventory(
  steamId64: string,
  options: InventoryClientOptions,
): Promise<Inventory> {
  if (!isSteamId64(steamId64)) throw new InventoryError({ kind: 'invalid_steam_id' });
  const { pageSize, timeoutMs, maxBytes, maxPages, deadlineMs, signal } = options;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > STEAM_MAX_PAGE_SIZE) {
    throw new RangeError(`pageSize must be an integer from 1 to ${STEAM_MAX_PAGE_SIZE}`);
  }
  const now = options.now ?? Date.now;
  const deadline = now() + deadlineMs;
  let base: URL;
  try {
    base = new URL(`${options.baseUrl}/inventory/${steamId64}/${CS2_APP_ID}/${CS2_CONTEXT_ID}`);
  } catch {
    throw new InventoryError({ kind: 'unavailable', reason: 'invalid Steam Community URL' });
  }
  const target = describeTarget(base);
  const fail = (failure: InventoryFailure): InventoryError => new InventoryError(failure, target);

  let count = pageSize;
  let retriedAtSafeSize = false;
  let cursor: string | null = null;
  const cursorsSeen = new Set<string>();
  let pages = 0;
  let total: number | null = null;
  // Joined at the end: a description or property may come on a later page than its asset.
  const assets = new Map<string, RawAsset>();
  const descriptions = new Map<string, Description>();
  const properties = new Map<string, Properties>();

  for (;;) {
    if (pages >= maxPages) throw fail({ kind: 'too_many_pages', maxPages });
    const left = deadline - now();
    if (left <= 0) throw fail({ kind: 'timeout', timeoutMs: deadlineMs });
    const callTimeoutMs = Math.min(timeoutMs, left);
    const url = new URL(base);
    url.searchParams.set('l', 'english');
    url.searchParams.set('count', String(count));
    if (cursor !== null) url.searchParams.set('start_assetid', cursor);

    let response: BoundedResponse;
    try {
      response = await fetchBounded(url, {
        timeoutMs: callTimeoutMs,
        maxBytes,
        headers: { accept: 'application/json' },
        readStatuses: READ_STATUSES,
        now,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw fail(failureOfRequest(error, callTimeoutMs < timeoutMs ? deadlineMs : callTimeoutMs));
    }

    const { status } = response;
    if (status === 400 && count > STEAM_SAFE_PAGE_SIZE && !retriedAtSafeSize) {
      // Steam refuses a count above 1000 since 2025-05-28: retry this page once, keep 1000.
      retriedAtSafeSize = true;
      count = STEAM_SAFE_PAGE_SIZE;
      continue;
    }
    if (status === 403) throw fail({ kind: 'private' });
    if (status === 404) throw fail({ kind: 'not_found' });
    if (status === 429) {
      const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'), now());
      throw fail({ kind: 'rate_limited', retryAfterMs });
    }
    if (status < 200 || status >= 300) throw fail(steamErrorOf(status, response, target));

    let body: unknown;
    try {
      body = parseJsonBody(response, target);
    } catch {
      throw fail({ kind: 'malformed', reason: 'not valid UTF-8 JSON' });
    }
    const page = readPage(body);
    if (!('assets' in page)) throw fail(page);

    pages += 1;
    total = page.totalInventoryCount ?? total;
    // Keyed by asset id: an inventory that changes while paged must not count an asset twice.
    for (const asset of page.assets)
      if (!assets.has(asset.assetId)) assets.set(asset.assetId, asset);
    for (const [key, description] of page.descriptions) descriptions.set(key, description);
    for (const [assetId, property] of page.properties) properties.set(assetId, property);
    await options.onPage?.({ pages, assets: assets.size, total });

    if (page.nextAssetId === null) break;
    if (cursorsSeen.has(page.nextAssetId)) {
      throw fail({ kind: 'malformed', reason: 'last_assetid repeats an earlier page' });
    }
    cursorsSeen.add(page.nextAssetId);
    cursor = page.nextAssetId;
  }

  const joined: InventoryAsset[] = [];
  const withoutDescription: InventoryAssetKey[] = [];
  for (const asset of assets.values()) {
    const description = descriptions.get(descriptionKey(asset.classId, asset.instanceId));
    const key = { assetId: asset.assetId, classId: asset.classId, instanceId: asset.instanceId };
    if (!description) {
      withoutDescription.push(key);
      continue;
    }
    const property = properties.get(asset.assetId);
    joined.push({
      ...key,
      amount: asset.amount,
      ...description,
      float: property?.float ?? null,
      pattern: property?.pattern ?? null,
    });
  }
  return { assets: joined, withoutDescription, pages, totalInventoryCount: total, pageSize: count };
}

/** What a fetchBounded failure means for the import; `timeoutMs` is the bound that applied. */
function failureOfRequest(error: unknown, timeoutMs: number): InventoryFailure {
  if (!(error instanceof HttpRequestError)) {
    return { kind: 'unavailable', reason: 'request failed' };
  }
  const failure = error.failure;
  switch (failure.kind) {
    case 'timeout':
      return { kind: 'timeout', timeoutMs };
    case 'too_large':
      return { kind: 'too_large', maxBytes: failure.maxBytes };
    case 'status':
      // Statuses not in READ_STATUSES: redirects, 401, other 4xx and 5xx.
      return { kind: 'steam_error', status: failure.status, eresult: null, message: null };
    case 'invalid_body':
      return { kind: 'malformed', reason: failure.reason };
    case 'aborted':
    case 'network':
    case 'invalid_url':
      return { kind: 'unavailable', reason: describeFailure(failure) };
  }
}
