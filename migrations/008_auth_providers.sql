-- Sign-in identities at other providers (S18): Google and GitHub accounts,
-- Steam IDs. One link per provider per user, one user per provider identity,
-- both held by unique constraints so concurrent links cannot break them.
create table auth_providers (
  id bigint generated always as identity primary key,
  user_id bigint not null references users (id) on delete cascade,
  provider text not null check (provider in ('google', 'github', 'steam')),
  provider_id text not null check (length(provider_id) between 1 and 255),
  linked_at timestamptz not null default now(),
  unique (provider, provider_id),
  unique (user_id, provider)
);
