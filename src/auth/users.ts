// The users table. Emails arrive here already normalized (`normalizeEmail`),
// which is what makes the unique constraint the whole duplicate check.
import type { ColumnType, Generated, Kysely, Selectable } from 'kysely';
import type { Database } from '../platform/db/index.js';

export type UserTables = {
  users: {
    id: Generated<number>;
    /** Null for an account made by signing in with Steam, until its owner adds one. */
    email: string | null;
    email_verified: Generated<boolean>;
    password_hash: string | null;
    password_changed_at: Date | null;
    name: string | null;
    avatar_url: string | null;
    role: Generated<'user' | 'admin'>;
    /** Set by an admin (src/admin/): the account cannot sign in. Null: active. */
    disabled_at: Generated<Date | null>;
    created_at: ColumnType<Date, never, never>;
    updated_at: ColumnType<Date, never, Date>;
  };
};

export type User = Selectable<UserTables['users']>;
/** A user found or made by their address. */
export type UserWithEmail = User & { readonly email: string };

/** What the API shows of a user, and what each of their sessions carries. */
export interface PublicUser {
  readonly id: number;
  readonly email: string | null;
  readonly email_verified: boolean;
  readonly name: string | null;
  readonly avatar_url: string | null;
  readonly role: string;
  readonly created_at: string;
}

export function publicUser(user: User): PublicUser {
  return {
    id: user.id,
    email: user.email,
    email_verified: user.email_verified,
    name: user.name,
    avatar_url: user.avatar_url,
    role: user.role,
    created_at: user.created_at.toISOString(),
  };
}

/** Trimmed and lowercased: the one spelling an address is stored and looked up under (S15). */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const MAX_EMAIL_LENGTH = 254;
/** A character of an address's local part: RFC 5321's atext, with the letters RFC 6531 adds. */
const ADDRESS_CHARACTER = "[\\p{L}\\p{M}\\p{N}!#$%&'*+/=?^_`{|}~-]";
const DOMAIN_LABEL = '[\\p{L}\\p{M}\\p{N}](?:[\\p{L}\\p{M}\\p{N}-]*[\\p{L}\\p{M}\\p{N}])?';
/**
 * One mailbox that mail is delivered to as written: a dot-atom, one @, a
 * domain of two labels or more. Looser rules let through addresses
 * (`a,b@x.io`, `a<b@x.io`, `a(b)@x.io`, control characters) that nodemailer
 * reads as another address, so mail for one account would go to someone
 * else, or that an SMTP server refuses.
 */
const EMAIL_PATTERN = new RegExp(
  `^${ADDRESS_CHARACTER}+(?:\\.${ADDRESS_CHARACTER}+)*@${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})+$`,
  'u',
);

/** The normalized address, or null when it cannot be an email address. */
export function parseEmail(raw: string): string | null {
  const email = normalizeEmail(raw);
  return email.length <= MAX_EMAIL_LENGTH && EMAIL_PATTERN.test(email) ? email : null;
}

function usersDb(database: Database): Kysely<UserTables> {
  return database.db.withTables<UserTables>();
}

export async function findUserByEmail(
  database: Database,
  email: string,
): Promise<UserWithEmail | null> {
  const row = await usersDb(database)
    .selectFrom('users')
    .selectAll()
    .where('email', '=', normalizeEmail(email))
    .executeTakeFirst();
  return (row as UserWithEmail | undefined) ?? null;
}

export async function findUserById(database: Database, id: number): Promise<User | null> {
  const row = await usersDb(database)
    .selectFrom('users')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row ?? null;
}

export interface NewUser {
  readonly email: string;
  readonly passwordHash: string | null;
  readonly emailVerified: boolean;
  readonly name?: string | null;
}

/** The new user, or null when the email is taken (also by a concurrent signup). */
export async function insertUser(database: Database, user: NewUser): Promise<UserWithEmail | null> {
  const row = await usersDb(database)
    .insertInto('users')
    .values({
      email: normalizeEmail(user.email),
      password_hash: user.passwordHash,
      password_changed_at: user.passwordHash ? new Date() : null,
      email_verified: user.emailVerified,
      name: user.name ?? null,
      avatar_url: null,
    })
    .onConflict((conflict) => conflict.column('email').doNothing())
    .returningAll()
    .executeTakeFirst();
  return (row as UserWithEmail | undefined) ?? null;
}

export async function deleteUser(database: Database, id: number): Promise<void> {
  await usersDb(database).deleteFrom('users').where('id', '=', id).execute();
}

/** A user with no email and no password, who signs in through a provider link. */
export async function insertUserWithoutEmail(
  database: Database,
  name: string | null = null,
): Promise<User> {
  return usersDb(database)
    .insertInto('users')
    .values({ email: null, password_hash: null, email_verified: false, name, avatar_url: null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function markEmailVerified(
  database: Database,
  id: number,
  email: string,
): Promise<boolean> {
  const result = await usersDb(database)
    .updateTable('users')
    .set({ email_verified: true, updated_at: new Date() })
    .where('id', '=', id)
    .where('email', '=', email)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Marks an unverified account verified for whoever proved they own its
 * address, dropping the password it was created with: that was chosen by
 * someone who never proved anything, possibly an attacker pre-registering
 * the victim's address.
 */
export async function claimUnverifiedAccount(database: Database, id: number): Promise<void> {
  const now = new Date();
  await usersDb(database)
    .updateTable('users')
    .set({ email_verified: true, password_hash: null, password_changed_at: now, updated_at: now })
    .where('id', '=', id)
    .where('email_verified', '=', false)
    .execute();
}

export async function setPasswordHash(
  database: Database,
  id: number,
  passwordHash: string,
  changed: boolean,
): Promise<void> {
  const now = new Date();
  await usersDb(database)
    .updateTable('users')
    .set({
      password_hash: passwordHash,
      updated_at: now,
      ...(changed ? { password_changed_at: now } : {}),
    })
    .where('id', '=', id)
    .execute();
}

/** Sessions carry a copy of the user (`PublicUser`): after a change, `sessions.refreshUser`. */
export interface ProfileChanges {
  readonly name?: string | null;
  readonly avatarUrl?: string | null;
}

export async function updateProfile(
  database: Database,
  id: number,
  changes: ProfileChanges,
): Promise<User | null> {
  const row = await usersDb(database)
    .updateTable('users')
    .set({
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.avatarUrl !== undefined ? { avatar_url: changes.avatarUrl } : {}),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row ?? null;
}

export interface UserSearch {
  /** Part of an email or a name, matched without regard to case. */
  readonly q?: string;
  readonly limit: number;
  /** Users with an id below this: the next page after a previous one. */
  readonly beforeId?: number;
}

/** Newest accounts first, a page at a time (admin's user search). */
export async function searchUsers(database: Database, search: UserSearch): Promise<User[]> {
  let select = usersDb(database).selectFrom('users').selectAll();
  if (search.q) {
    const pattern = `%${search.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    select = select.where((eb) =>
      eb.or([eb('email', 'ilike', pattern), eb('name', 'ilike', pattern)]),
    );
  }
  if (search.beforeId !== undefined) select = select.where('id', '<', search.beforeId);
  return select.orderBy('id', 'desc').limit(search.limit).execute();
}

/** Disables (`disabled` true) or enables the account; the user, or null when there is none. */
export async function setUserDisabled(
  database: Database,
  id: number,
  disabled: boolean,
): Promise<User | null> {
  const row = await usersDb(database)
    .updateTable('users')
    .set({ disabled_at: disabled ? new Date() : null, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row ?? null;
}

export async function setUserRole(
  database: Database,
  id: number,
  role: 'user' | 'admin',
): Promise<User | null> {
  const row = await usersDb(database)
    .updateTable('users')
    .set({ role, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row ?? null;
}
