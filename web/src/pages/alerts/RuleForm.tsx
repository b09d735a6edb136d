// The form that creates a rule or edits one. The kind selector shows only
// that kind's settings; an item kind asks for the item (found by name, or
// given by the item page's "Alert me" link), the portfolio kind does not.
// Editing keeps the rule's item: the API does not move a rule to another
// item. The API's refusals (400, 409 `{"detail"}`) show under the form.
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import {
  ALERT_CHANNELS,
  ALERT_KINDS,
  type AlertChannel,
  type AlertKind,
  CHANGE_WINDOWS,
  type ChangeWindow,
  DEFAULT_MARGIN_PERCENT,
  DIRECTIONS,
  type Direction,
  PREFERRED_SOURCE,
} from '../../../../src/shared/alert-vocabulary.js';
import type {
  AlertCondition,
  AlertRule,
  AlertRuleInput,
  AlertRulePatch,
} from '../../../../src/shared/api-types.js';
import { useConfiguredSources, useCreateRule, useUpdateRule } from '../../api/alerts.js';
import type { CatalogItem } from '../../api/portfolio.js';
import { sourceName } from '../../format.js';
import { Field, FormMessage, onSubmitWith, useAction } from '../account/kit.js';
import { ItemPicker } from '../portfolio/ItemPicker.js';
import { centsFromDecimal, decimalFromCents } from '../portfolio/money-input.js';
import { CHANNEL_NAMES, KIND_NAMES } from './alert-format.js';

const MAX_NOTE = 200;
const SECONDS_PER_MINUTE = 60;
const DIRECTION_NAMES: Readonly<Record<Direction, string>> = {
  up: 'A rise',
  down: 'A fall',
  either: 'Either way',
};
const WINDOW_NAMES: Readonly<Record<ChangeWindow, string>> = {
  '1h': '1 hour',
  '24h': '24 hours',
  '7d': '7 days',
};

const aboutItem = (kind: AlertKind) => kind !== 'portfolio_change';

function SelectField({
  label,
  value,
  onChange,
  children,
  hint,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  children: ReactNode;
  hint?: string;
}) {
  const id = useId();
  const hintId = useId();
  return (
    <div className="account-field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        {...(hint ? { 'aria-describedby': hintId } : {})}
      >
        {children}
      </select>
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** The form's fields as typed, before they become a condition. */
interface Draft {
  kind: AlertKind;
  level: string;
  window: ChangeWindow;
  threshold: string;
  direction: Direction;
  multiplier: string;
  maxAgeMinutes: string;
}

function draftOf(condition: AlertCondition | null): Draft {
  const draft: Draft = {
    kind: condition?.kind ?? 'price_above',
    level: '',
    window: '24h',
    threshold: '10',
    direction: 'either',
    multiplier: '3',
    maxAgeMinutes: '60',
  };
  if (!condition) return draft;
  switch (condition.kind) {
    case 'price_above':
    case 'price_below':
      return { ...draft, level: decimalFromCents(condition.level_cents) };
    case 'change':
    case 'portfolio_change':
      return {
        ...draft,
        window: condition.window,
        threshold: String(condition.threshold_percent),
        direction: condition.direction,
      };
    case 'volume_spike':
      return { ...draft, multiplier: String(condition.multiplier) };
    case 'stale':
      return { ...draft, maxAgeMinutes: String(condition.max_age_seconds / SECONDS_PER_MINUTE) };
    case 'bollinger':
      return draft;
  }
}

/** The condition the draft describes; throws the words to show when a field cannot be read. */
function conditionOf(draft: Draft): AlertCondition {
  const number = (text: string, name: string) => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value))
      throw new Error(`Enter a number as ${name}.`);
    return value;
  };
  switch (draft.kind) {
    case 'price_above':
    case 'price_below': {
      const cents = centsFromDecimal(draft.level);
      if (cents === null || cents < 1) {
        throw new Error('Enter the level as an amount such as 12.34.');
      }
      return { kind: draft.kind, level_cents: cents };
    }
    case 'change':
      return {
        kind: 'change',
        window: draft.window,
        threshold_percent: number(draft.threshold, 'the threshold'),
        direction: draft.direction,
      };
    case 'portfolio_change':
      return {
        kind: 'portfolio_change',
        window: draft.window === '1h' ? '24h' : draft.window,
        threshold_percent: number(draft.threshold, 'the threshold'),
        direction: draft.direction,
      };
    case 'bollinger':
      return { kind: 'bollinger' };
    case 'volume_spike':
      return { kind: 'volume_spike', multiplier: number(draft.multiplier, 'the multiplier') };
    case 'stale':
      return {
        kind: 'stale',
        max_age_seconds: Math.round(number(draft.maxAgeMinutes, 'the age') * SECONDS_PER_MINUTE),
      };
  }
}

/** Conditions are flat objects; the stored one's keys may come back in another order. */
function sameCondition(a: AlertCondition, b: AlertCondition): boolean {
  const entries = (condition: AlertCondition) => Object.entries(condition);
  return (
    entries(a).length === entries(b).length &&
    entries(a).every(([key, value]) => (b as Record<string, unknown>)[key] === value)
  );
}

/**
 * What an edit changed. A new condition, source or margin arms the rule
 * again (the API's rule), so each goes only when it differs: changing the
 * note or the channels of a rule that fired does not make it fire again.
 */
function changesOf(
  rule: AlertRule,
  edited: Required<Omit<AlertRulePatch, 'paused'>>,
): AlertRulePatch {
  return {
    channels: edited.channels,
    note: edited.note,
    ...(sameCondition(edited.condition, rule.condition) ? {} : { condition: edited.condition }),
    ...(edited.source !== rule.source ? { source: edited.source } : {}),
    ...(edited.margin_percent !== rule.margin_percent
      ? { margin_percent: edited.margin_percent }
      : {}),
  };
}

function KindFields({
  draft,
  set,
}: {
  draft: Draft;
  set: <K extends keyof Draft>(name: K, value: Draft[K]) => void;
}) {
  switch (draft.kind) {
    case 'price_above':
    case 'price_below':
      return (
        <Field
          label="Level"
          type="text"
          inputMode="decimal"
          autoComplete="off"
          required
          pattern="\d{1,9}([.,]\d{0,2})?"
          hint="An amount such as 12.34."
          value={draft.level}
          onChange={(event) => set('level', event.target.value)}
        />
      );
    case 'change':
    case 'portfolio_change':
      return (
        <>
          <SelectField
            label="Window"
            value={
              draft.window === '1h' && draft.kind === 'portfolio_change' ? '24h' : draft.window
            }
            onChange={(value) => set('window', value as ChangeWindow)}
          >
            {CHANGE_WINDOWS.filter((window) => draft.kind === 'change' || window !== '1h').map(
              (window) => (
                <option key={window} value={window}>
                  {WINDOW_NAMES[window]}
                </option>
              ),
            )}
          </SelectField>
          <Field
            label="Threshold (%)"
            type="number"
            min={0.1}
            max={1000}
            step={0.1}
            required
            value={draft.threshold}
            onChange={(event) => set('threshold', event.target.value)}
          />
          <SelectField
            label="Direction"
            value={draft.direction}
            onChange={(value) => set('direction', value as Direction)}
          >
            {DIRECTIONS.map((direction) => (
              <option key={direction} value={direction}>
                {DIRECTION_NAMES[direction]}
              </option>
            ))}
          </SelectField>
        </>
      );
    case 'volume_spike':
      return (
        <Field
          label="Multiplier (×)"
          type="number"
          min={1.1}
          max={1000}
          step={0.1}
          required
          hint="The last 24 h volume against its 7-day mean."
          value={draft.multiplier}
          onChange={(event) => set('multiplier', event.target.value)}
        />
      );
    case 'stale':
      return (
        <Field
          label="Longest age (minutes)"
          type="number"
          min={1}
          max={43_200}
          step={1}
          required
          hint="Alert when the newest price is older than this."
          value={draft.maxAgeMinutes}
          onChange={(event) => set('maxAgeMinutes', event.target.value)}
        />
      );
    case 'bollinger':
      return (
        <p className="hint rule-kind-note">
          Fires when the price leaves its 24 h band (20 periods, ±2σ); the alert says by how many σ.
        </p>
      );
  }
}

export type RuleFormProps =
  | {
      readonly mode: 'create';
      /** The item the form starts with (from `?item=`). */
      readonly initialItem: CatalogItem | null;
      readonly onDone: (message: string) => void;
    }
  | {
      readonly mode: 'edit';
      readonly rule: AlertRule;
      readonly onDone: (message: string | null) => void;
    };

export function RuleForm(props: RuleFormProps) {
  const editing = props.mode === 'edit' ? props.rule : null;
  const [draft, setDraft] = useState<Draft>(() => draftOf(editing?.condition ?? null));
  const [item, setItem] = useState<CatalogItem | null>(
    props.mode === 'create' ? props.initialItem : null,
  );
  const [source, setSource] = useState(editing?.source ?? PREFERRED_SOURCE);
  const [channels, setChannels] = useState<readonly AlertChannel[]>(editing?.channels ?? ['app']);
  const [margin, setMargin] = useState(String(editing?.margin_percent ?? DEFAULT_MARGIN_PERCENT));
  const [note, setNote] = useState(editing?.note ?? '');
  /** Counts creations: a new key empties the item search for the next rule. */
  const [created, setCreated] = useState(0);
  const sources = useConfiguredSources();
  const create = useCreateRule();
  const update = useUpdateRule();
  const action = useAction();
  const fields = useRef<HTMLDivElement>(null);
  const initialItem = props.mode === 'create' ? props.initialItem : null;

  // The item of `?item=` arrives after the form: take it unless one was chosen.
  useEffect(() => {
    if (initialItem) setItem((chosen) => chosen ?? initialItem);
  }, [initialItem]);

  useEffect(() => {
    if (editing) fields.current?.querySelector('select')?.focus();
  }, [editing]);

  const set = <K extends keyof Draft>(name: K, value: Draft[K]) =>
    setDraft((current) => ({ ...current, [name]: value }));
  const kinds = editing
    ? ALERT_KINDS.filter((kind) => aboutItem(kind) === aboutItem(editing.condition.kind))
    : ALERT_KINDS;
  const needsItem = aboutItem(draft.kind);
  const toggleChannel = (channel: AlertChannel, on: boolean) =>
    setChannels((current) =>
      on
        ? ALERT_CHANNELS.filter((known) => known === channel || current.includes(known))
        : current.filter((known) => known !== channel),
    );

  const submit = () =>
    action.run(async () => {
      const condition = conditionOf(draft);
      if (channels.length === 0) throw new Error('Choose at least one channel.');
      const marginPercent = Number(margin);
      const common = {
        condition,
        source: source as NonNullable<AlertRuleInput['source']>,
        channels: [...channels],
        margin_percent: marginPercent,
        note: note.trim(),
      };
      if (editing) {
        const saved = await update.mutateAsync({
          id: editing.id,
          patch: changesOf(editing, common),
        });
        (props.onDone as (message: string | null) => void)(`Saved: ${saved.title}.`);
        return undefined;
      }
      if (needsItem && !item) throw new Error('Choose an item first.');
      const body: AlertRuleInput = needsItem && item ? { ...common, item_id: item.id } : common;
      const rule = await create.mutateAsync(body);
      setDraft(draftOf(null));
      setItem(null);
      setNote('');
      setCreated((count) => count + 1);
      props.onDone(`Created: ${rule.title}.`);
      return undefined;
    });

  const label = editing ? `Edit ${editing.title}` : 'New alert rule';
  return (
    <form
      className={`alert-form${editing ? ' inline-form' : ''}`}
      aria-label={label}
      aria-busy={action.busy}
      onSubmit={onSubmitWith(submit)}
    >
      <div className="form-fields" ref={fields}>
        <SelectField
          label="Kind"
          value={draft.kind}
          onChange={(value) => set('kind', value as AlertKind)}
        >
          {kinds.map((kind) => (
            <option key={kind} value={kind}>
              {KIND_NAMES[kind]}
            </option>
          ))}
        </SelectField>
        {needsItem && !editing ? (
          <ItemPicker key={created} value={item} onChange={setItem} />
        ) : null}
        {editing?.item ? (
          <div className="account-field">
            <span className="field-label">Item</span>
            <span className="field-static">{editing.item.market_hash_name}</span>
          </div>
        ) : null}
        <KindFields draft={draft} set={set} />
        {needsItem ? (
          <SelectField
            label="Source"
            value={source}
            onChange={setSource}
            hint="Preferred: the first source with a price for the item."
          >
            <option value={PREFERRED_SOURCE}>Preferred</option>
            {(sources.data ?? []).map((name) => (
              <option key={name} value={name}>
                {sourceName(name)}
              </option>
            ))}
          </SelectField>
        ) : null}
        <Field
          label="Re-arm margin (%)"
          type="number"
          min={0}
          max={50}
          step={0.5}
          required
          hint="Fires again only after the condition has been false by this much."
          value={margin}
          onChange={(event) => setMargin(event.target.value)}
        />
        <Field
          label={
            <>
              Note <span className="optional">(optional)</span>
            </>
          }
          type="text"
          maxLength={MAX_NOTE}
          value={note}
          onChange={(event) => setNote(event.target.value)}
        />
      </div>
      <fieldset className="alert-channels">
        <legend>Tell me</legend>
        {ALERT_CHANNELS.map((channel) => (
          <label key={channel} className="field-check">
            <input
              type="checkbox"
              checked={channels.includes(channel)}
              onChange={(event) => toggleChannel(channel, event.target.checked)}
            />{' '}
            {CHANNEL_NAMES[channel]}
          </label>
        ))}
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="button" disabled={action.busy}>
          {editing ? 'Save rule' : 'Create rule'}
        </button>
        {editing ? (
          <button
            type="button"
            className="button-quiet"
            onClick={() => (props.onDone as (message: string | null) => void)(null)}
          >
            Cancel
          </button>
        ) : null}
      </div>
      <FormMessage outcome={action.outcome} />
    </form>
  );
}
