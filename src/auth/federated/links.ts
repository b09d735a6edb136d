// Links between a user and their identities at other providers (S18): one
// link per provider per user, one user per provider identity. The unique
// constraints of auth_providers hold both rules, so two requests linking at
// once cannot break them; this module only says which rule refused a link.
// Unlinking keeps the account reachable: the last way to sign in stays.
import type { ColumnType, Generated, Kysely } from 'kysely';
import type { Database } from '../../platform/db/index.js';
import type { UserTables } from '../users.js';

export type Provider = 'google' | 'github' | 'steam';

type LinkTables = UserTables & {
  auth_providers: {
    id: Generated<number>;
    user_id: number;
    provider: Provider;
    provider_id: string;
    linked_at: ColumnType<Date, Date | undefined, never>;
  };
};

export interface ProviderLink {
  readonly provider: Provider;
  /** The account's id at the provider: a SteamID64, a Google subject, a GitHub user id. */
  readonly providerId: string;
  readonly linkedAt: Date;
}

export type LinkOutcome =
  /** Linked now, or already linked to this user: linking again changes nothing. */
  | 'linked'
  /** The identity is linked to another user. */
  | 'identity_taken'
  /** The user already has another identity at this provider. */
  | 'provider_taken';

function linksDb(database: Database): Kysely<LinkTables> {
  return database.db.withTables<LinkTables>();
}

/** The user an identity is linked to, or null. */
export async function findLinkedUserId(
  database: Database,
  provider: Provider,
  providerId: string,
): Promise<number | null> {
  const row = await linksDb(database)
    .selectFrom('auth_providers')
    .select('user_id')
    .where('provider', '=', provider)
    .where('provider_id', '=', providerId)
    .executeTakeFirst();
  return row?.user_id ?? null;
}

/** The user's links, oldest first. */
export async function listLinks(database: Database, userId: number): Promise<ProviderLink[]> {
  const rows = await linksDb(database)
    .selectFrom('auth_providers')
    .select(['provider', 'provider_id', 'linked_at'])
    .where('user_id', '=', userId)
    .orderBy('linked_at')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    provider: row.provider,
    providerId: row.provider_id,
    linkedAt: row.linked_at,
  }));
}

/** Whether the user has an identity at `provider`. */
async function hasLink(database: Database, userId: number, provider: Provider): Promise<boolean> {
  const row = await linksDb(database)
    .selectFrom('auth_providers')
    .select('id')
    .where('user_id', '=', userId)
    .where('provider', '=', provider)
    .executeTakeFirst();
  return row !== undefined;
}

/** A row in the way that is gone when looked for was unlinked meanwhile: worth one more try. */
const LINK_ATTEMPTS = 2;

/** Links an identity to a user, unless S18 forbids it. */
export async function linkProvider(
  database: Database,
  link: { readonly userId: number; readonly provider: Provider; readonly providerId: string },
): Promise<LinkOutcome> {
  const { userId, provider, providerId } = link;
  for (let attempt = 1; ; attempt += 1) {
    const inserted = await linksDb(database)
      .insertInto('auth_providers')
      .values({ user_id: userId, provider, provider_id: providerId })
      .onConflict((conflict) => conflict.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return 'linked';
    const holder = await findLinkedUserId(database, provider, providerId);
    if (holder !== null) return holder === userId ? 'linked' : 'identity_taken';
    if (await hasLink(database, userId, provider)) return 'provider_taken';
    if (attempt === LINK_ATTEMPTS) throw new Error('provider link kept changing while being made');
  }
}

export type UnlinkOutcome = 'unlinked' | 'not_linked' | 'last_sign_in_method';

/**
 * Removes the user's link to `provider`, unless nothing else would let them
 * sign in: an email address (an emailed link works for any address, and
 * confirms it) or another link. The user's row is locked for the check, so
 * two unlinks at once cannot each count on the link the other removes.
 */
export async function unlinkProvider(
  database: Database,
  userId: number,
  provider: Provider,
): Promise<UnlinkOutcome> {
  return linksDb(database)
    .transaction()
    .execute(async (trx) => {
      const user = await trx
        .selectFrom('users')
        .select('email')
        .where('id', '=', userId)
        .forUpdate()
        .executeTakeFirst();
      const links = await trx
        .selectFrom('auth_providers')
        .select('provider')
        .where('user_id', '=', userId)
        .execute();
      if (!user || !links.some((link) => link.provider === provider)) return 'not_linked';
      if (user.email === null && links.length === 1) return 'last_sign_in_method';
      await trx
        .deleteFrom('auth_providers')
        .where('user_id', '=', userId)
        .where('provider', '=', provider)
        .execute();
      return 'unlinked';
    });
}
