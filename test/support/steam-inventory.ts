// A stand-in for Steam Community's inventory endpoint,
// `GET /inventory/<steamid64>/730/2?l=english&count=N&start_assetid=A`, on a
// real HTTP server on 127.0.0.1 (test/support/local-http.ts). It answers with
// bodies shaped like Steam's (assets, descriptions, asset_properties,
// more_items, last_assetid, total_inventory_count, success 1, rwgrsn -2),
// pages by `count` and `start_assetid`, and fails the ways Steam fails.
//
// Use:
//   const stand = await startSteamInventory();
//   stand.inventories.set(steamId, inventoryFixture({ items: [{ marketHashName, count: 3 }] }));
//   stand.failNext(steamId, { kind: 'eresult', eresult: 15 });  // the next request only
//   stand.setScenario(steamId, { kind: 'private' });            // every request until cleared
//   stand.maxCount = 1000;  // count above it answers 400, as Steam does since 2025-05-28
//   ... stand.requests (every request received), stand.streams (oversize bodies sent)
//   await stand.close();
//
// A request for an id with no inventory set answers 404 `null`: the stand-in's
// choice, not an observed Steam answer. A fixture is plain data in Steam's
// spelling, so a test may edit it (drop an instanceid, break a field) before
// or between requests.
import type { ServerResponse } from 'node:http';
import {
  type LocalHttpServer,
  type ReceivedRequest,
  sendJson,
  startLocalHttpServer,
} from './local-http.js';

const INVENTORY_PATH = /^\/inventory\/([0-9]+)\/730\/2$/;
/** The largest `count` Steam accepted for years (SteamBot #1060); the stand-in's default. */
const DEFAULT_MAX_COUNT = 5000;
/** Not verified against Steam: the page size when a request sends no `count`. */
const COUNT_WHEN_ABSENT = 1000;
const FIRST_ASSET_ID = 38_000_000_001;
const FIRST_CLASS_ID = 310_776_000;
const ICON_URL =
  '-9a81dlWLwJ2UUGcVs_nsVtzdOEdtWwKGZZLQHTxDZ7I56KU0Zwwo4NUX4oFJZEHLbXH5ApeO4YmlhxYQknCRvCo04DEVlxkKgpot7HxfDhjxszJemkV09-5lpKKqPrxN7LEmyVQ7MEpiLuSrYmnjQO3-UdsZGHyd4_Bd1RvNQ7T_FDrw-_ng5Pu75iY1zI97bhLsvQz';
const STEAM_ERROR_PAGE =
  '<!DOCTYPE html><html><head><title>Sorry!</title></head><body><h2>Sorry!</h2><h3>An error was encountered while processing your request:</h3></body></html>';

/** One item of a fixture: `count` assets (default 1) of one market hash name. */
export interface InventoryItemSpec {
  readonly marketHashName: string;
  readonly count?: number;
  /** Sent in asset_properties as propertyid 2 float_value. */
  readonly float?: number;
  /** Sent in asset_properties as propertyid 1 int_value. */
  readonly pattern?: number;
}

export interface SteamAsset {
  appid: number;
  contextid: string;
  assetid: string;
  classid: string;
  /** Optional: the client must read a missing one as "0". */
  instanceid?: string;
  amount: string;
}

export interface SteamTag {
  category: string;
  internal_name: string;
  localized_category_name: string;
  localized_tag_name: string;
}

export interface SteamDescription {
  appid: number;
  classid: string;
  instanceid: string;
  currency: number;
  background_color: string;
  icon_url: string;
  descriptions: { type: string; value: string; name: string }[];
  tradable: number;
  actions: { link: string; name: string }[];
  name: string;
  name_color: string;
  type: string;
  market_name: string;
  market_hash_name: string;
  market_actions: { link: string; name: string }[];
  commodity: number;
  market_tradable_restriction: number;
  market_marketable_restriction: number;
  marketable: number;
  tags: SteamTag[];
}

export interface SteamAssetProperties {
  appid: number;
  contextid: string;
  assetid: string;
  asset_properties: {
    propertyid: number;
    int_value?: string;
    float_value?: string;
    name: string;
  }[];
}

/** A whole inventory in Steam's spelling; the stand-in slices it into pages. */
export interface InventoryFixture {
  assets: SteamAsset[];
  descriptions: SteamDescription[];
  assetProperties: SteamAssetProperties[];
}

/** One page as Steam sends it. */
export interface InventoryPage {
  assets?: SteamAsset[];
  descriptions?: SteamDescription[];
  asset_properties?: SteamAssetProperties[];
  more_items?: number;
  last_assetid?: string;
  total_inventory_count: number;
  success: number;
  rwgrsn: number;
}

/**
 * An inventory of the given items, in order: asset ids are increasing digit
 * strings, one classid per market hash name, instanceid "0" for every other
 * item (as cases and stickers have) and a non-zero one for the rest.
 * `missingDescriptionFor` is the index of an item whose description is never
 * sent, so its assets have none.
 */
export function inventoryFixture(options: {
  readonly items: readonly InventoryItemSpec[];
  readonly missingDescriptionFor?: number;
}): InventoryFixture {
  const fixture: InventoryFixture = { assets: [], descriptions: [], assetProperties: [] };
  const classIds = new Map<string, string>();
  let nextAssetId = FIRST_ASSET_ID;
  for (const [index, item] of options.items.entries()) {
    const known = classIds.get(item.marketHashName);
    const classid = known ?? String(FIRST_CLASS_ID + classIds.size);
    classIds.set(item.marketHashName, classid);
    const instanceid = index % 2 === 0 ? '0' : String(188_530_139 + index);
    const described = fixture.descriptions.some(
      (description) => description.classid === classid && description.instanceid === instanceid,
    );
    if (index !== options.missingDescriptionFor && !described) {
      fixture.descriptions.push(description(item.marketHashName, classid, instanceid));
    }
    for (let copy = 0; copy < (item.count ?? 1); copy += 1) {
      const assetid = String(nextAssetId);
      nextAssetId += 1;
      fixture.assets.push({
        appid: 730,
        contextid: '2',
        assetid,
        classid,
        instanceid,
        amount: '1',
      });
      const properties: SteamAssetProperties['asset_properties'] = [];
      if (item.pattern !== undefined) {
        properties.push({
          propertyid: 1,
          int_value: String(item.pattern),
          name: 'Pattern Template',
        });
      }
      if (item.float !== undefined) {
        properties.push({ propertyid: 2, float_value: String(item.float), name: 'Wear Rating' });
      }
      if (properties.length > 0) {
        fixture.assetProperties.push({
          appid: 730,
          contextid: '2',
          assetid,
          asset_properties: properties,
        });
      }
    }
  }
  return fixture;
}

function description(marketHashName: string, classid: string, instanceid: string) {
  // "AK-47 | Redline (Field-Tested)" shows as "AK-47 | Redline".
  const name = marketHashName.replace(
    / \((Factory New|Minimal Wear|Field-Tested|Well-Worn|Battle-Scarred)\)$/,
    '',
  );
  const weapon = name !== marketHashName;
  return {
    appid: 730,
    classid,
    instanceid,
    currency: 0,
    background_color: '',
    icon_url: ICON_URL,
    descriptions: [{ type: 'html', value: ' ', name: 'blank' }],
    tradable: 1,
    actions: [],
    name,
    name_color: 'D2D2D2',
    type: weapon ? 'Classified Rifle' : 'Base Grade Container',
    market_name: marketHashName,
    market_hash_name: marketHashName,
    market_actions: [],
    commodity: weapon ? 0 : 1,
    market_tradable_restriction: 7,
    market_marketable_restriction: 7,
    marketable: 1,
    tags: [
      {
        category: 'Type',
        internal_name: weapon ? 'CSGO_Type_Rifle' : 'CSGO_Type_WeaponCase',
        localized_category_name: 'Type',
        localized_tag_name: weapon ? 'Rifle' : 'Container',
      },
    ],
  } satisfies SteamDescription;
}

/** How the stand-in answers instead of (or before) serving a page. */
export type InventoryScenario =
  /** 403 with body `null`, as Steam answers a private inventory. */
  | { readonly kind: 'private' }
  /** 429, with no Retry-After unless given (Steam usually sends none). */
  | { readonly kind: 'rate_limited'; readonly retryAfterSeconds?: number }
  /** 500 `{"error":"<message> (<eresult>)"}`; defaults to EResult 15 (access denied). */
  | { readonly kind: 'eresult'; readonly eresult?: number; readonly message?: string }
  /** Any status and raw body, e.g. a 502 from Steam's front end. */
  | { readonly kind: 'status'; readonly status: number; readonly body?: string }
  /** 200 with Steam's HTML error page: not JSON. */
  | { readonly kind: 'malformed' }
  /** A 200 JSON body of `bytes` bytes, streamed with backpressure; see `streams`. */
  | { readonly kind: 'oversize'; readonly bytes: number }
  /** No answer at all, until the client gives up or the stand-in closes. */
  | { readonly kind: 'hold' }
  /** Serves the page normally after `ms`. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Serves the normal page after passing it through `edit` (odd shapes, bad cursors). */
  | { readonly kind: 'edit'; readonly edit: (page: InventoryPage) => unknown };

/** What the stand-in managed to send of an oversize body. */
export interface StreamReport {
  readonly total: number;
  /** Bytes handed to the socket so far. */
  readonly sent: number;
  /** Whether the whole body went out. */
  readonly completed: boolean;
  /** Settles when the stand-in stops sending: all sent, or the client went away. */
  readonly ended: Promise<void>;
}

export interface SteamInventoryStandIn {
  /** `http://127.0.0.1:<port>`: the client's base URL. */
  readonly origin: string;
  readonly requests: ReceivedRequest[];
  /** Inventories by SteamID64; a missing id answers 404 `null`. */
  readonly inventories: Map<string, InventoryFixture>;
  /** A `count` above this answers 400 `null`. */
  maxCount: number;
  /** Answers the next request for `steamId` with `scenario`; queued in order, used once each. */
  failNext(steamId: string, ...scenarios: InventoryScenario[]): void;
  /** Answers every request for `steamId` with `scenario` (after any queued ones); null clears it. */
  setScenario(steamId: string, scenario: InventoryScenario | null): void;
  /** One report per oversize body, in order. */
  readonly streams: readonly StreamReport[];
  /** Requests held by `hold` and not yet given up by their client. */
  held(): number;
  close(): Promise<void>;
}

/** Slices `fixture` from after `start` (or the beginning) into one page of `count` assets. */
export function inventoryPage(
  fixture: InventoryFixture,
  count: number,
  start: string | null,
): InventoryPage | null {
  const total = fixture.assets.length;
  if (total === 0) return { success: 1, total_inventory_count: 0, rwgrsn: -2 };
  const from =
    start === null ? 0 : fixture.assets.findIndex((asset) => asset.assetid === start) + 1;
  if (from === 0 && start !== null) return null;
  const assets = fixture.assets.slice(from, from + count);
  const keys = new Set(assets.map((asset) => `${asset.classid}_${asset.instanceid ?? '0'}`));
  const ids = new Set(assets.map((asset) => asset.assetid));
  const properties = fixture.assetProperties.filter((entry) => ids.has(entry.assetid));
  const last = assets.at(-1);
  const more = from + count < total && last !== undefined;
  return {
    assets,
    descriptions: fixture.descriptions.filter((entry) =>
      keys.has(`${entry.classid}_${entry.instanceid}`),
    ),
    ...(properties.length > 0 ? { asset_properties: properties } : {}),
    ...(more ? { more_items: 1, last_assetid: last.assetid } : {}),
    total_inventory_count: total,
    success: 1,
    rwgrsn: -2,
  };
}

export async function startSteamInventory(
  options: { readonly maxCount?: number } = {},
): Promise<SteamInventoryStandIn> {
  const inventories = new Map<string, InventoryFixture>();
  const queued = new Map<string, InventoryScenario[]>();
  const standing = new Map<string, InventoryScenario>();
  const streams: StreamReport[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let held = 0;

  const servePage = (
    response: ServerResponse,
    steamId: string,
    url: URL,
    edit?: (page: InventoryPage) => unknown,
  ) => {
    const countParam = url.searchParams.get('count');
    const count = countParam === null ? COUNT_WHEN_ABSENT : Number(countParam);
    if (!/^[0-9]+$/.test(countParam ?? '1') || count < 1 || count > stand.maxCount) {
      sendJson(response, null, 400);
      return;
    }
    const fixture = inventories.get(steamId);
    if (!fixture) {
      sendJson(response, null, 404);
      return;
    }
    const page = inventoryPage(fixture, count, url.searchParams.get('start_assetid'));
    if (!page) {
      sendJson(response, null, 400);
      return;
    }
    sendJson(response, edit ? edit(page) : page);
  };

  const answer = (
    response: ServerResponse,
    steamId: string,
    url: URL,
    scenario: InventoryScenario,
  ) => {
    switch (scenario.kind) {
      case 'private':
        sendJson(response, null, 403);
        return;
      case 'rate_limited':
        sendJson(
          response,
          null,
          429,
          scenario.retryAfterSeconds === undefined
            ? {}
            : { 'retry-after': String(scenario.retryAfterSeconds) },
        );
        return;
      case 'eresult':
        sendJson(
          response,
          { error: `${scenario.message ?? 'Failed to get inventory'} (${scenario.eresult ?? 15})` },
          500,
        );
        return;
      case 'status':
        response.writeHead(scenario.status, { 'content-type': 'text/html; charset=utf-8' });
        response.end(scenario.body ?? '');
        return;
      case 'malformed':
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end(STEAM_ERROR_PAGE);
        return;
      case 'oversize':
        streams.push(streamOversize(response, scenario.bytes));
        return;
      case 'hold':
        held += 1;
        response.on('close', () => {
          held -= 1;
        });
        return;
      case 'delay': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!response.destroyed) servePage(response, steamId, url);
        }, scenario.ms);
        timers.add(timer);
        return;
      }
      case 'edit':
        servePage(response, steamId, url, scenario.edit);
        return;
    }
  };

  const server: LocalHttpServer = await startLocalHttpServer((request, response, url) => {
    const match = INVENTORY_PATH.exec(url.pathname);
    if (request.method !== 'GET' || !match?.[1]) {
      response.writeHead(404, { 'content-type': 'text/html' });
      response.end(STEAM_ERROR_PAGE);
      return;
    }
    const steamId = match[1];
    const scenario = queued.get(steamId)?.shift() ?? standing.get(steamId);
    if (scenario) answer(response, steamId, url, scenario);
    else servePage(response, steamId, url);
  });

  const stand: SteamInventoryStandIn = {
    origin: server.origin,
    requests: server.requests,
    inventories,
    maxCount: options.maxCount ?? DEFAULT_MAX_COUNT,
    failNext(steamId, ...scenarios) {
      queued.set(steamId, [...(queued.get(steamId) ?? []), ...scenarios]);
    },
    setScenario(steamId, scenario) {
      if (scenario) standing.set(steamId, scenario);
      else standing.delete(steamId);
    },
    streams,
    held: () => held,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      await server.close();
    },
  };
  return stand;
}

/**
 * Streams a JSON-looking body of `total` bytes, waiting for the socket to
 * drain between chunks, so `sent` shows how far it got before the client
 * hung up rather than how much fitted in a buffer.
 */
function streamOversize(response: ServerResponse, total: number): StreamReport {
  const chunk = Buffer.alloc(64 * 1024, ' ');
  const report = { total, sent: 0, completed: false, ended: Promise.resolve() };
  report.ended = new Promise<void>((resolve) => {
    response.on('close', () => resolve());
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    const opening = Buffer.from('{"assets":[');
    const writeMore = () => {
      while (!response.destroyed && report.sent < total) {
        const size = Math.min(chunk.byteLength, total - report.sent);
        const piece = report.sent === 0 ? opening : chunk.subarray(0, size);
        report.sent += piece.byteLength;
        if (!response.write(piece)) {
          response.once('drain', writeMore);
          return;
        }
      }
      if (report.sent >= total && !response.destroyed) {
        report.completed = true;
        response.end();
      }
    };
    writeMore();
  });
  return report;
}
