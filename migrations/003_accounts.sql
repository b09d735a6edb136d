-- Accounts and the audit trail (S35). Emails are stored trimmed and
-- lowercased, so the unique constraint is the whole duplicate check. A user
-- signed up by magic link has no password hash. `password_changed_at` voids
-- reset tokens issued before the last change (S13).

create table users (
  id bigint generated always as identity primary key,
  email text not null unique check (email = lower(btrim(email))),
  email_verified boolean not null default false,
  password_hash text,
  password_changed_at timestamptz,
  name text,
  avatar_url text,
  role text not null default 'user' check (role in ('user', 'admin')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- One row per security-relevant event; the detail never holds secrets (S36).
-- Rows outlive their user: the trail is kept when an account is deleted.
create table audit_events (
  id bigint generated always as identity primary key,
  occurred_at timestamptz not null default now(),
  event text not null,
  user_id bigint references users (id) on delete set null,
  ip text,
  user_agent text,
  request_id text,
  outcome text not null check (outcome in ('success', 'failure')),
  detail jsonb not null default '{}'
);

create index audit_events_user_time on audit_events (user_id, occurred_at desc);
create index audit_events_event_time on audit_events (event, occurred_at desc);
create index audit_events_time on audit_events (occurred_at desc);
