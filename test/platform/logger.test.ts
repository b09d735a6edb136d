// S36: what the logger must never write.
import { messages as pgliteMessages } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/platform/db/index.js';
import {
  createLogger,
  maskSecretQuery,
  REDACTED,
  serializeError,
} from '../../src/platform/logger.js';
import { buildTestApp, LogCapture } from '../support/app.js';
import {
  FAILING_STATEMENT_TEXT,
  type FailingValues,
  failingStatementErrors,
} from '../support/database-errors.js';

describe('maskSecretQuery', () => {
  it('masks credential parameters and keeps the rest', () => {
    expect(maskSecretQuery('/api/v1/auth/magic/verify?token=abc123&next=%2Fitems')).toBe(
      `/api/v1/auth/magic/verify?token=${encodeURIComponent(REDACTED)}&next=%2Fitems`,
    );
    expect(maskSecretQuery('/cb?code=c0de&state=s7a7e&openid.sig=x')).not.toMatch(/c0de|s7a7e|=x/);
    expect(maskSecretQuery('/api/v1/items?q=redline&limit=20')).toBe(
      '/api/v1/items?q=redline&limit=20',
    );
    expect(maskSecretQuery('/api/v1/health')).toBe('/api/v1/health');
  });
});

describe('logger redaction', () => {
  it('redacts credentials wherever a log line carries them', () => {
    const capture = new LogCapture();
    const logger = createLogger('info', capture);
    logger.info(
      {
        headers: {
          authorization: 'Basic c2VjcmV0',
          cookie: 'session=tok-1',
          'x-csrf-token': 'csrf-1',
        },
        body: { email: 'a@example.com', password: 'pw-1', token: 'tok-2' },
        password: 'pw-2',
        code: 'oauth-code',
      },
      'event',
    );
    const line = capture.raw.join('\n');
    for (const secret of [
      'c2VjcmV0',
      'tok-1',
      'csrf-1',
      'pw-1',
      'tok-2',
      'pw-2',
      'pw-3',
      'oauth-code',
    ]) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('a@example.com');
  });

  it('leaves the logged object itself unchanged', () => {
    const capture = new LogCapture();
    const body = { email: 'a@example.com', password: 'pw-1' };
    createLogger('info', capture).info({ body }, 'event');
    expect(body.password).toBe('pw-1');
    expect(capture.raw.join('\n')).not.toContain('pw-1');
  });

  it('keeps tokens in request URLs out of the access log', async () => {
    const harness = await buildTestApp();
    try {
      await harness.app.inject({
        url: '/api/v1/health?token=very-secret-token',
        headers: { cookie: 'sid=cookie-secret' },
      });
      const log = harness.logs.raw.join('\n');
      expect(log).toContain('/api/v1/health?token=');
      expect(log).not.toContain('very-secret-token');
      expect(log).not.toContain('cookie-secret');
    } finally {
      await harness.app.close();
    }
  });
});

describe('S36 database errors on PGlite', () => {
  const values: FailingValues = {
    secret: 'argon2id-hash-standing-in-for-a-secret',
    email: 'pglite-probe@example.com',
  };
  /** What a database error's log form must not hold: values, statement, detail, position. */
  const forbidden = [
    values.secret,
    values.email,
    FAILING_STATEMENT_TEXT,
    'Failing row',
    'PL/pgSQL',
  ];
  let database: Database;
  let errors: Error[];

  beforeAll(async () => {
    database = await openDatabase({ kind: 'pglite', dataDir: null });
    errors = await failingStatementErrors(database, values);
  });

  afterAll(async () => {
    await database.close();
  });

  it('S36: a PGlite error is serialized to its code, message and constraint only', () => {
    expect(errors.map((error) => error instanceof pgliteMessages.DatabaseError)).toEqual([
      true,
      true,
      true,
    ]);
    const [duplicate] = errors;
    expect(serializeError(duplicate)).toEqual({
      code: '23505',
      message: 'duplicate key value violates unique constraint "failing_probe_email_key"',
      constraint: 'failing_probe_email_key',
    });
    for (const error of errors) {
      const serialized = serializeError(error) as Record<string, unknown>;
      expect(Object.keys(serialized)).toEqual(['code', 'message', 'constraint']);
      expect(serialized.code).toMatch(/^23/);
      const text = JSON.stringify(serialized);
      for (const value of forbidden) expect(text).not.toContain(value);
    }
  });

  it('S36: a database error is logged without its values as err, as a cause, or in any other field', () => {
    const capture = new LogCapture();
    const logger = createLogger('info', capture);
    for (const error of errors) {
      logger.error({ err: error }, 'unhandled error');
      logger.error(error);
      logger.error({ err: new Error('sign-up failed', { cause: error }) }, 'wrapped');
      logger.error(Object.assign(new Error('kept aside'), { original: error }), 'in a field');
      logger.error(new AggregateError([error], 'several failed'), 'aggregate');
      logger.warn({ failure: error }, 'under another key');
      logger.child({ err: error }).warn('bound to a child logger');
    }
    expect(capture.lines).toHaveLength(errors.length * 7);
    const log = capture.raw.join('\n');
    for (const value of forbidden) expect(log).not.toContain(value);
    expect(log).not.toContain('"params"');
    expect(log).not.toContain('"detail"');
    expect(capture.lines[2]?.err).toMatchObject({
      type: 'Error',
      message: 'sign-up failed',
      cause: { code: '23505', constraint: 'failing_probe_email_key' },
    });
  });

  it("S36: an error that is not the database's keeps its type, message and stack", () => {
    const capture = new LogCapture();
    createLogger('info', capture).error({ err: new TypeError('not a database error') }, 'failed');
    const err = capture.lines[0]?.err as Record<string, unknown>;
    expect(err.type).toBe('TypeError');
    expect(err.message).toBe('not a database error');
    expect(err.stack).toMatch(/^TypeError: not a database error\n\s+at /);
  });
});
