// The database `tracera openapi` builds the app with: nothing to reach, so
// every use fails loudly instead of answering as if it had read something.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { NO_DATABASE } from '../../../src/platform/db/absent.js';
import { absentDatabase } from '../../../src/platform/db/index.js';

describe('the absent database', () => {
  it('refuses a query, a transaction and a ping, and closes', async () => {
    const database = absentDatabase();
    expect(database.kind).toBe('absent');
    await expect(sql`select 1`.execute(database.db)).rejects.toThrow(NO_DATABASE);
    await expect(
      database.db.transaction().execute(async (trx) => sql`select 1`.execute(trx)),
    ).rejects.toThrow(NO_DATABASE);
    await expect(database.ping(1000)).rejects.toThrow(NO_DATABASE);
    await database.close();
  });
});
