// Real errors from the driver behind a database, made by statements that
// fail while holding known values: what S36 must keep out of log lines.
import { sql } from 'kysely';
import type { Database } from '../../src/platform/db/index.js';

export interface FailingValues {
  /** Sent as a parameter, and echoed back in PostgreSQL's `detail` of a failing row; under 64 characters. */
  readonly secret: string;
  /** The unique key: PostgreSQL's `detail` of a duplicate names it. */
  readonly email: string;
}

/** The start of every failing statement below: its text must not be logged either. */
export const FAILING_STATEMENT_TEXT = 'insert into failing_probe';

/**
 * A value too long for `failing_probe`'s check. PostgreSQL's `detail` of the
 * failing row shows its first 64 characters, so a secret shorter than that
 * appears there in full.
 */
export function overTheCheck(secret: string): string {
  return `${secret}${'!'.repeat(64)}`;
}

/**
 * Creates `failing_probe` (a unique email, a secret of at most 64
 * characters) holding one row for `email`, and a function that inserts into
 * it from PL/pgSQL.
 */
export async function createFailingProbe(database: Database, email: string): Promise<void> {
  const { db } = database;
  await sql`
    create table failing_probe (
      email text unique,
      secret text check (length(secret) <= 64)
    )`.execute(db);
  await sql`
    create function failing_probe_insert(new_email text, new_secret text) returns void
    language plpgsql as $$
    begin
      insert into failing_probe (email, secret) values (new_email, new_secret);
    end $$`.execute(db);
  await sql`insert into failing_probe (email, secret) values (${email}, ${'short'})`.execute(db);
}

/**
 * The driver's errors for a duplicate key (detail: the email), a check
 * violation (detail: the whole row, secret included) and a check violation
 * inside PL/pgSQL (`where`: the statement). Each statement carries the secret
 * as a parameter.
 */
export async function failingStatementErrors(
  database: Database,
  { secret, email }: FailingValues,
): Promise<Error[]> {
  await createFailingProbe(database, email);
  const statements = [
    sql`insert into failing_probe (email, secret) values (${email}, ${secret})`,
    sql`insert into failing_probe (email, secret) values (${`other-${email}`}, ${overTheCheck(secret)})`,
    sql`select failing_probe_insert(${`third-${email}`}, ${overTheCheck(secret)})`,
  ];
  const errors: Error[] = [];
  for (const statement of statements) {
    const failure = await statement.execute(database.db).then(
      () => null,
      (error: unknown) => error,
    );
    if (!(failure instanceof Error)) throw new Error('a failing statement succeeded');
    errors.push(failure);
  }
  return errors;
}
