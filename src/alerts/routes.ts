// The alerts API under /api/v1/alerts: a user's rules (create, read, change,
// pause, delete), with a preview of what each measures now; the history of
// what fired and where it went; and the user's webhook, with its secret
// shown once and a test button. Every route needs a session; the app's CSRF
// protection covers the unsafe ones (S37), and each is counted per client
// address (S44). Every change to a rule is announced on ALERT_RULES_CHANNEL,
// so the ingestion leader's evaluator, on whichever instance, reads it again.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RequestAuth } from '../auth/request-auth.js';
import { NoContent } from '../auth/schemas.js';
import { findUserById } from '../auth/users.js';
import type { Config } from '../config.js';
import { detail, ERRORS, SIGNED_IN, tagRoutes } from '../http/openapi.js';
import { signedInRoutes, type UserRouteLimits } from '../http/signed-in-routes.js';
import { getItem, itemNames } from '../market/catalog/items.js';
import type { Database } from '../platform/db/index.js';
import { ApiError } from '../platform/errors.js';
import type { Store } from '../platform/store/index.js';
import { decodeTimeIdCursor, encodeTimeIdCursor } from '../platform/time-id-cursor.js';
import {
  type AlertChannel,
  type AlertParams,
  DEFAULT_MARGIN_PERCENT,
  PREFERRED_SOURCE,
} from '../shared/alert-vocabulary.js';
import { measureRules } from './measure-rules.js';
import { alertTitle } from './messages.js';
import { ALERT_RULES_CHANNEL, ruleOf } from './rules.js';
import {
  HISTORY_PAGE_DEFAULT,
  HistoryJson,
  HistoryQuery,
  RuleBody,
  RuleIdParams,
  RuleJson,
  RulePatch,
  RulesJson,
  WebhookBody,
  WebhookCreatedJson,
  WebhookStateJson,
  WebhookTestJson,
} from './schemas.js';
import { type AlertTables, alertsDb } from './tables.js';
import { type DeliveryResult, testWebhook, type WebhookOptions } from './webhook/delivery.js';
import { createWebhookSecret } from './webhook/signature.js';
import { checkWebhookUrl } from './webhook/webhook-url.js';

export interface AlertRouteOptions {
  readonly database: Database;
  readonly store: Store;
  readonly requestAuth: RequestAuth;
  readonly alerts: Config['alerts'];
  readonly market: Pick<Config['market'], 'providers' | 'currency'>;
  readonly rateLimits: UserRouteLimits;
  /** What the test button's delivery may use; tests point it at a local receiver. */
  readonly webhookOptions?: WebhookOptions;
  readonly now: () => number;
}

const NO_SUCH_RULE = 'No alert rule with that id';
const NO_SUCH_ITEM = 'No item with that id';
const NO_WEBHOOK = 'No webhook is set up; PUT /alerts/webhook first';
const BAD_CURSOR = 'The cursor is not one this API gave out';
const PAGE_READ = { rateLimit: 'read' } as const;

type RuleSelect = {
  id: number;
  user_id: number;
  kind: AlertParams['kind'];
  item_id: number | null;
  source: string;
  params: AlertParams;
  margin_percent: number;
  channels: AlertChannel[];
  note: string;
  paused: boolean;
  armed: boolean;
  arm_seq: number;
  created_at: Date;
  updated_at: Date;
};

interface WebhookRow {
  readonly url: string;
  readonly format: 'discord' | 'json';
  readonly created_at: Date;
  readonly last_attempt_at: Date | null;
  readonly last_success_at: Date | null;
  readonly last_failure_at: Date | null;
  readonly last_failure: string | null;
  readonly deliveries_ok: number;
  readonly deliveries_failed: number;
}

function webhookJson(row: WebhookRow) {
  const iso = (at: Date | null) => (at ? at.toISOString() : null);
  return {
    url: row.url,
    format: row.format,
    created_at: row.created_at.toISOString(),
    last_attempt_at: iso(row.last_attempt_at),
    last_success_at: iso(row.last_success_at),
    last_failure_at: iso(row.last_failure_at),
    last_failure: row.last_failure,
    deliveries_ok: Number(row.deliveries_ok),
    deliveries_failed: Number(row.deliveries_failed),
  };
}

function testJson(result: DeliveryResult) {
  return result.delivered
    ? { delivered: true, status: result.status, attempts: result.attempts, ms: result.ms }
    : {
        delivered: false,
        status: result.status,
        attempts: result.attempts,
        ms: result.ms,
        reason: result.reason,
        message: result.message,
      };
}

export const alertRoutes: FastifyPluginAsyncTypebox<AlertRouteOptions> = async (app, options) => {
  const { database, store, requestAuth, alerts, market, now } = options;
  const db = alertsDb(database);
  tagRoutes(app, 'alerts');
  const userOf = signedInRoutes(app, { name: 'alerts', requestAuth, limits: options.rateLimits });

  const announce = (id: number) =>
    store.publish(ALERT_RULES_CHANNEL, String(id)).catch((error: unknown) => {
      // The evaluator reads every rule again within minutes; a missed announcement only delays.
      app.log.warn({ err: error, ruleId: id }, 'could not announce a changed alert rule');
    });

  const selectRules = () =>
    db
      .selectFrom('alert_rules')
      .select([
        'id',
        'user_id',
        'kind',
        'item_id',
        'source',
        'params',
        'margin_percent',
        'channels',
        'note',
        'paused',
        'armed',
        'arm_seq',
        'created_at',
        'updated_at',
      ]);

  async function ruleOr404(userId: number, id: number): Promise<RuleSelect> {
    const row = await selectRules()
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!row) throw new ApiError(404, NO_SUCH_RULE);
    return row as RuleSelect;
  }

  /** The rules as the API shows them, each with its item and what it measures now. */
  async function rulesJson(rows: readonly RuleSelect[]) {
    const names = await itemNames(
      database,
      rows.map((row) => row.item_id),
    );
    const rules = rows.map((row) => ruleOf(row));
    const measured = await measureRules(
      { database, store, sources: market.providers },
      rules,
      now(),
    );
    return rows.map((row) => {
      const found = measured.get(Number(row.id));
      const itemName = row.item_id === null ? null : (names.get(row.item_id) ?? null);
      return {
        id: Number(row.id),
        item: row.item_id === null ? null : { id: row.item_id, market_hash_name: itemName ?? '' },
        source: row.source,
        condition: row.params,
        channels: row.channels,
        margin_percent: row.margin_percent,
        note: row.note,
        paused: row.paused,
        armed: row.armed,
        title: alertTitle(row.params, {
          itemName,
          source: row.source,
          currency: market.currency,
        }),
        current: found
          ? {
              value: found.measured.value,
              met: found.measured.score >= found.measured.threshold,
              source: found.source,
            }
          : null,
        created_at: row.created_at.toISOString(),
        updated_at: row.updated_at.toISOString(),
      };
    });
  }

  async function oneRuleJson(userId: number, id: number) {
    const [json] = await rulesJson([await ruleOr404(userId, id)]);
    if (!json) throw new ApiError(404, NO_SUCH_RULE);
    return json;
  }

  /** Refuses what the schema cannot: an unknown item, a source not configured, unusable channels. */
  async function checkRule(
    userId: number,
    rule: {
      readonly itemId: number | null;
      readonly source: string;
      readonly condition: AlertParams;
      readonly channels: readonly AlertChannel[];
    },
  ): Promise<void> {
    const aboutPortfolio = rule.condition.kind === 'portfolio_change';
    if (aboutPortfolio && rule.itemId !== null) {
      throw new ApiError(
        400,
        'A portfolio_change rule is about the whole portfolio: leave item_id out',
      );
    }
    if (!aboutPortfolio && rule.itemId === null) {
      throw new ApiError(400, `A ${rule.condition.kind} rule needs an item_id`);
    }
    if (rule.itemId !== null && !(await getItem(database, rule.itemId))) {
      throw new ApiError(400, NO_SUCH_ITEM);
    }
    const configured: readonly string[] = market.providers;
    if (rule.source !== PREFERRED_SOURCE && !configured.includes(rule.source)) {
      throw new ApiError(
        400,
        `This server does not read prices from ${rule.source}; use preferred or one of ${configured.join(', ')}`,
      );
    }
    if (rule.channels.includes('email')) {
      const user = await findUserById(database, userId);
      if (!user?.email || !user.email_verified) {
        throw new ApiError(400, 'Email alerts need a verified email address on the account');
      }
    }
    if (rule.channels.includes('webhook')) {
      const webhook = await db
        .selectFrom('alert_webhooks')
        .select('user_id')
        .where('user_id', '=', userId)
        .executeTakeFirst();
      if (!webhook) throw new ApiError(400, NO_WEBHOOK);
    }
  }

  app.get(
    '/alerts/rules',
    {
      config: PAGE_READ,
      schema: {
        summary: 'The user’s alert rules, oldest first, each with what it measures now',
        security: SIGNED_IN,
        response: { 200: RulesJson, 401: ERRORS.notSignedIn },
      },
    },
    async (request) => {
      const userId = await userOf(request);
      const rows = await selectRules().where('user_id', '=', userId).orderBy('id').execute();
      return { rules: await rulesJson(rows as RuleSelect[]), limit: alerts.rulesPerUser };
    },
  );

  app.post(
    '/alerts/rules',
    {
      schema: {
        summary: 'Creates an alert rule, armed',
        security: SIGNED_IN,
        body: RuleBody,
        response: {
          201: RuleJson,
          401: ERRORS.notSignedIn,
          409: detail('The user has ALERT_RULES_PER_USER rules already'),
        },
      },
    },
    async (request, reply) => {
      const userId = await userOf(request);
      const body = request.body;
      const itemId = body.item_id ?? null;
      const source = body.source ?? PREFERRED_SOURCE;
      const condition = body.condition as AlertParams;
      await checkRule(userId, { itemId, source, condition, channels: body.channels });
      const inserted = await database.db.transaction().execute(async (trx) => {
        const alertsTrx = trx.withTables<AlertTables>();
        // Counted and inserted under a lock on the user's row, so two requests cannot both pass the cap.
        await trx
          .withTables<{ users: { id: number } }>()
          .selectFrom('users')
          .select('id')
          .where('id', '=', userId)
          .forUpdate()
          .execute();
        const { count } = await alertsTrx
          .selectFrom('alert_rules')
          .select((eb) => eb.fn.countAll<string>().as('count'))
          .where('user_id', '=', userId)
          .executeTakeFirstOrThrow();
        if (Number(count) >= alerts.rulesPerUser) {
          throw new ApiError(
            409,
            `You have ${alerts.rulesPerUser} alert rules, the most one account may keep; delete one first`,
          );
        }
        return alertsTrx
          .insertInto('alert_rules')
          .values({
            user_id: userId,
            kind: condition.kind,
            item_id: itemId,
            source,
            params: JSON.stringify(condition),
            margin_percent: body.margin_percent ?? DEFAULT_MARGIN_PERCENT,
            channels: [...body.channels],
            note: body.note ?? '',
            paused: body.paused ?? false,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
      });
      const id = Number(inserted.id);
      await announce(id);
      reply.code(201);
      return oneRuleJson(userId, id);
    },
  );

  app.get(
    '/alerts/rules/:id',
    {
      config: PAGE_READ,
      schema: {
        summary: 'One alert rule, with what it measures now',
        security: SIGNED_IN,
        params: RuleIdParams,
        response: { 200: RuleJson, 401: ERRORS.notSignedIn, 404: detail(NO_SUCH_RULE) },
      },
    },
    async (request) => {
      const userId = await userOf(request);
      return oneRuleJson(userId, request.params.id);
    },
  );

  app.patch(
    '/alerts/rules/:id',
    {
      schema: {
        summary:
          'Changes, pauses or resumes a rule; a new condition, source or margin arms it again',
        security: SIGNED_IN,
        params: RuleIdParams,
        body: RulePatch,
        response: { 200: RuleJson, 401: ERRORS.notSignedIn, 404: detail(NO_SUCH_RULE) },
      },
    },
    async (request) => {
      const userId = await userOf(request);
      const current = await ruleOr404(userId, request.params.id);
      const patch = request.body;
      const condition = (patch.condition as AlertParams | undefined) ?? current.params;
      if (
        patch.condition &&
        (patch.condition.kind === 'portfolio_change') !== (current.item_id === null)
      ) {
        throw new ApiError(
          400,
          'A rule cannot change between an item and the whole portfolio; create a new rule',
        );
      }
      const source = patch.source ?? current.source;
      const channels = patch.channels ?? current.channels;
      await checkRule(userId, { itemId: current.item_id, source, condition, channels });
      const rearm =
        patch.condition !== undefined ||
        patch.source !== undefined ||
        patch.margin_percent !== undefined;
      await db
        .updateTable('alert_rules')
        .set({
          kind: condition.kind,
          params: JSON.stringify(condition),
          source,
          channels: [...channels],
          ...(patch.margin_percent !== undefined ? { margin_percent: patch.margin_percent } : {}),
          ...(patch.note !== undefined ? { note: patch.note } : {}),
          ...(patch.paused !== undefined ? { paused: patch.paused } : {}),
          ...(rearm ? { armed: true, arm_seq: current.arm_seq + 1 } : {}),
          updated_at: new Date(now()),
        })
        .where('id', '=', current.id)
        .where('user_id', '=', userId)
        .execute();
      await announce(Number(current.id));
      return oneRuleJson(userId, Number(current.id));
    },
  );

  app.delete(
    '/alerts/rules/:id',
    {
      schema: {
        summary: 'Deletes a rule; what it fired stays in the history',
        security: SIGNED_IN,
        params: RuleIdParams,
        response: { 204: NoContent, 401: ERRORS.notSignedIn, 404: detail(NO_SUCH_RULE) },
      },
    },
    async (request, reply) => {
      const userId = await userOf(request);
      const rule = await ruleOr404(userId, request.params.id);
      await db.deleteFrom('alert_rules').where('id', '=', rule.id).execute();
      await announce(Number(rule.id));
      reply.code(204);
    },
  );

  app.get(
    '/alerts/history',
    {
      config: PAGE_READ,
      schema: {
        summary: 'What fired, newest first, with where each alert went',
        security: SIGNED_IN,
        querystring: HistoryQuery,
        response: { 200: HistoryJson, 401: ERRORS.notSignedIn },
      },
    },
    async (request) => {
      const userId = await userOf(request);
      const limit = request.query.limit ?? HISTORY_PAGE_DEFAULT;
      const before = request.query.cursor ? decodeTimeIdCursor(request.query.cursor) : null;
      if (request.query.cursor && !before) throw new ApiError(400, BAD_CURSOR);
      let query = db
        .selectFrom('alert_firings')
        .select([
          'id',
          'rule_id',
          'kind',
          'item_id',
          'source',
          'value',
          'title',
          'message',
          'fired_at',
          'deliveries',
        ])
        .where('user_id', '=', userId)
        .orderBy('fired_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (before) {
        query = query.where((eb) =>
          eb.or([
            eb('fired_at', '<', before.at),
            eb.and([eb('fired_at', '=', before.at), eb('id', '<', before.id)]),
          ]),
        );
      }
      const rows = await query.execute();
      const names = await itemNames(
        database,
        rows.map((row) => row.item_id),
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        firings: page.map((row) => ({
          id: Number(row.id),
          rule_id: row.rule_id === null ? null : Number(row.rule_id),
          kind: row.kind,
          item:
            row.item_id === null
              ? null
              : { id: row.item_id, market_hash_name: names.get(row.item_id) ?? '' },
          source: row.source,
          value: row.value,
          title: row.title,
          message: row.message,
          fired_at: row.fired_at.toISOString(),
          deliveries: row.deliveries,
        })),
        next_cursor:
          rows.length > limit && last ? encodeTimeIdCursor(last.fired_at, Number(last.id)) : null,
      };
    },
  );

  app.get(
    '/alerts/webhook',
    {
      config: PAGE_READ,
      schema: {
        summary: 'The user’s webhook and how its deliveries have gone; null when none is set up',
        security: SIGNED_IN,
        response: { 200: WebhookStateJson, 401: ERRORS.notSignedIn },
      },
    },
    async (request) => {
      const userId = await userOf(request);
      const row = await db
        .selectFrom('alert_webhooks')
        .selectAll()
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return { webhook: row ? webhookJson(row) : null };
    },
  );

  app.put(
    '/alerts/webhook',
    {
      schema: {
        summary: 'Sets up or replaces the webhook, with a new signing secret shown once',
        security: SIGNED_IN,
        body: WebhookBody,
        response: { 200: WebhookCreatedJson, 401: ERRORS.notSignedIn },
      },
    },
    async (request) => {
      const userId = await userOf(request);
      const checked = checkWebhookUrl(request.body.url);
      if (!checked.ok) throw new ApiError(400, checked.message);
      const secret = createWebhookSecret();
      const values = {
        user_id: userId,
        url: checked.url.href,
        format: request.body.format,
        secret,
      };
      const row = await db
        .insertInto('alert_webhooks')
        .values(values)
        .onConflict((conflict) =>
          conflict.column('user_id').doUpdateSet({
            url: values.url,
            format: values.format,
            secret,
            last_attempt_at: null,
            last_success_at: null,
            last_failure_at: null,
            last_failure: null,
            deliveries_ok: 0,
            deliveries_failed: 0,
          }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return { webhook: webhookJson(row), secret };
    },
  );

  app.delete(
    '/alerts/webhook',
    {
      schema: {
        summary: 'Removes the webhook; rules that send to it skip that channel until one is set up',
        security: SIGNED_IN,
        response: { 204: NoContent, 401: ERRORS.notSignedIn, 404: detail(NO_WEBHOOK) },
      },
    },
    async (request, reply) => {
      const userId = await userOf(request);
      const deleted = await db
        .deleteFrom('alert_webhooks')
        .where('user_id', '=', userId)
        .executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) throw new ApiError(404, NO_WEBHOOK);
      reply.code(204);
    },
  );

  app.post(
    '/alerts/webhook/test',
    {
      schema: {
        summary: 'Sends one signed test alert to the webhook now, and says how it went',
        security: SIGNED_IN,
        response: { 200: WebhookTestJson, 401: ERRORS.notSignedIn, 404: detail(NO_WEBHOOK) },
      },
    },
    async (request) => {
      const userId = await userOf(request);
      const row = await db
        .selectFrom('alert_webhooks')
        .select(['url', 'format', 'secret'])
        .where('user_id', '=', userId)
        .executeTakeFirst();
      if (!row) throw new ApiError(404, NO_WEBHOOK);
      return testJson(await testWebhook(row, options.webhookOptions ?? {}));
    },
  );
};
