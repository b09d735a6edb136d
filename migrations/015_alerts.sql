-- Alerts (src/alerts/): a user's rules, what fired, and where it went.
--
-- A rule is armed until its condition becomes true; then it fires once and
-- is disarmed until the condition has been false by its margin, when it is
-- armed again and `arm_seq` moves on. A firing is recorded with the key
-- (rule_id, arm_seq) before anything is delivered, so two instances that
-- evaluate the same batch record it once, and a crash after recording
-- leaves it for the delivery pass to send, never lost.
create table alert_rules (
  id bigint generated always as identity primary key,
  user_id bigint not null references users (id) on delete cascade,
  kind text not null check (kind in (
    'price_above', 'price_below', 'change', 'bollinger', 'volume_spike', 'stale',
    'portfolio_change'
  )),
  -- Null only for a rule about the whole portfolio.
  item_id integer references items (id) on delete cascade,
  check ((kind = 'portfolio_change') = (item_id is null)),
  -- A provider, or 'preferred': the first configured source with a price.
  source text not null,
  -- The kind's own settings (a level, a window, a threshold), checked by the API.
  params jsonb not null,
  margin_percent double precision not null check (margin_percent >= 0 and margin_percent <= 50),
  channels text[] not null,
  note text not null default '' check (length(note) <= 200),
  paused boolean not null default false,
  armed boolean not null default true,
  arm_seq integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index alert_rules_user_idx on alert_rules (user_id, id);
create index alert_rules_item_idx on alert_rules (item_id) where item_id is not null;

create table alert_firings (
  id bigint generated always as identity primary key,
  -- Null once the rule is deleted: what it fired stays in the history.
  rule_id bigint references alert_rules (id) on delete set null,
  user_id bigint not null references users (id) on delete cascade,
  arm_seq integer not null,
  fired_at timestamptz not null,
  kind text not null,
  item_id integer references items (id) on delete set null,
  source text not null,
  value double precision not null,
  title text not null,
  message text not null,
  -- Channel name -> {state: 'pending' | 'sent' | 'failed' | 'skipped', reason?}.
  deliveries jsonb not null,
  -- Set once no channel is pending: what the delivery pass still has to do is the rest.
  delivered_at timestamptz,
  unique (rule_id, arm_seq)
);

create index alert_firings_user_idx on alert_firings (user_id, fired_at desc, id desc);
create index alert_firings_undelivered_idx on alert_firings (id) where delivered_at is null;

-- A user's webhook (S45): one URL, its format, the secret its payloads are
-- signed with, and how its deliveries have gone, for the user and the admin.
create table alert_webhooks (
  user_id bigint primary key references users (id) on delete cascade,
  url text not null check (length(url) <= 2048),
  format text not null check (format in ('discord', 'json')),
  secret text not null,
  created_at timestamptz not null default now(),
  last_attempt_at timestamptz,
  last_success_at timestamptz,
  last_failure_at timestamptz,
  last_failure text,
  deliveries_ok integer not null default 0,
  deliveries_failed integer not null default 0
);
