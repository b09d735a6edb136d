// S36 on the test backend (PostgreSQL through `pg` in the postgres+redis
// project, PGlite otherwise): a database error reaches the log without the
// values its statement was given, both serialized alone and on the app's
// 500 path.
import { messages as pgliteMessages } from '@electric-sql/pglite';
import { sql } from 'kysely';
import pg from 'pg';
import { expect, it } from 'vitest';
import { serializeError } from '../../src/platform/logger.js';
import { buildTestApp, LOG_LEVEL_ERROR } from '../support/app.js';
import { openTestDatabase } from '../support/backends.js';
import {
  createFailingProbe,
  FAILING_STATEMENT_TEXT,
  failingStatementErrors,
  overTheCheck,
} from '../support/database-errors.js';

const SECRET = 'argon2id-hash-standing-in-for-a-secret';
const EMAIL = 'storage-probe@example.com';

it('S36: a database error from the test backend is serialized to its code, message and constraint only', async () => {
  const database = await openTestDatabase();
  try {
    const errors = await failingStatementErrors(database, { secret: SECRET, email: EMAIL });
    const driverError =
      database.kind === 'postgres' ? pg.DatabaseError : pgliteMessages.DatabaseError;
    for (const error of errors) {
      expect(error).toBeInstanceOf(driverError);
      const serialized = serializeError(error) as Record<string, unknown>;
      expect(Object.keys(serialized)).toEqual(['code', 'message', 'constraint']);
      expect(serialized.code).toMatch(/^23/);
      const text = JSON.stringify(serialized);
      for (const value of [SECRET, EMAIL, FAILING_STATEMENT_TEXT, 'Failing row', 'PL/pgSQL']) {
        expect(text).not.toContain(value);
      }
    }
  } finally {
    await database.close();
  }
});

it('S36: a failing statement with a secret parameter reaches the 500 path and leaves no trace of the secret in the log', async () => {
  const database = await openTestDatabase();
  await createFailingProbe(database, EMAIL);
  const harness = await buildTestApp({
    database,
    routes: (app) => {
      // A safe method, so no CSRF check stands in front, and a header, which
      // no log line records: only the error could carry the note into a line.
      app.get('/test/notes', async (request) => {
        const note = String(request.headers['x-note']);
        await sql`insert into failing_probe (email, secret) values (${`notes-${EMAIL}`}, ${note})`.execute(
          database.db,
        );
        return { stored: true };
      });
    },
  });
  try {
    const response = await harness.app.inject({
      url: '/test/notes',
      headers: { 'x-note': overTheCheck(SECRET) },
    });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ detail: 'Internal server error' });
  } finally {
    await harness.app.close();
  }
  const failure = harness.logs.lines.find((line) => line.msg === 'unhandled error');
  expect(failure?.level).toBe(LOG_LEVEL_ERROR);
  expect(failure?.err).toEqual({
    code: '23514',
    message:
      'new row for relation "failing_probe" violates check constraint "failing_probe_secret_check"',
    constraint: 'failing_probe_secret_check',
  });
  const log = harness.logs.raw.join('\n');
  expect(log).not.toContain(SECRET);
  expect(log).not.toContain(FAILING_STATEMENT_TEXT);
});
