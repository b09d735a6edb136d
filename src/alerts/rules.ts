// Reading rules for the evaluator: every unpaused-or-not rule at the start
// of a leader's term, and one rule again when the API says it changed.
import type { Database } from '../platform/db/index.js';
import type { Rule } from './rule-index.js';
import { alertsDb } from './tables.js';

/** Announces a rule created, changed or deleted, by id, to every instance's evaluator. */
export const ALERT_RULES_CHANNEL = 'alert-rules';

type RuleRow = {
  id: number;
  user_id: number;
  item_id: number | null;
  source: string;
  params: Rule['params'];
  margin_percent: number;
  channels: Rule['channels'];
  paused: boolean;
  armed: boolean;
  arm_seq: number;
};

const COLUMNS = [
  'id',
  'user_id',
  'item_id',
  'source',
  'params',
  'margin_percent',
  'channels',
  'paused',
  'armed',
  'arm_seq',
] as const;

export function ruleOf(row: RuleRow): Rule {
  return {
    id: Number(row.id),
    userId: Number(row.user_id),
    itemId: row.item_id,
    source: row.source,
    params: row.params,
    marginPercent: row.margin_percent,
    channels: row.channels,
    paused: row.paused,
    armed: row.armed,
    armSeq: row.arm_seq,
  };
}

export async function loadAllRules(database: Database): Promise<Rule[]> {
  const rows = await alertsDb(database).selectFrom('alert_rules').select(COLUMNS).execute();
  return rows.map(ruleOf);
}

export async function loadRule(database: Database, id: number): Promise<Rule | null> {
  const row = await alertsDb(database)
    .selectFrom('alert_rules')
    .select(COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? ruleOf(row) : null;
}
