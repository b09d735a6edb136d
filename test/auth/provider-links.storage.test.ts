// S18: one link per provider per user, one user per provider identity, held
// by the database even when links are made at the same moment.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  findLinkedUserId,
  linkProvider,
  listLinks,
  unlinkProvider,
} from '../../src/auth/federated/links.js';
import { insertUser, insertUserWithoutEmail } from '../../src/auth/users.js';
import { migrate } from '../../src/platform/db/index.js';
import {
  openTestDatabase,
  sessionsWaitingForLocks,
  type TestDatabase,
  testDatabaseUrl,
} from '../support/backends.js';

const STEAM_ID = '76561197960287930';

let database: TestDatabase;

beforeEach(async () => {
  database = await openTestDatabase();
  await migrate(database);
});

afterEach(async () => {
  await database.close();
});

async function newUser(email: string): Promise<number> {
  const user = await insertUser(database, { email, passwordHash: null, emailVerified: true });
  if (!user) throw new Error(`could not create ${email}`);
  return user.id;
}

describe('S18 provider links', () => {
  it('links an identity once, and linking it again to the same user changes nothing', async () => {
    const ada = await newUser('ada@example.com');
    expect(
      await linkProvider(database, { userId: ada, provider: 'google', providerId: 'g-1' }),
    ).toBe('linked');
    expect(
      await linkProvider(database, { userId: ada, provider: 'google', providerId: 'g-1' }),
    ).toBe('linked');
    expect(
      await linkProvider(database, { userId: ada, provider: 'steam', providerId: STEAM_ID }),
    ).toBe('linked');
    const links = await listLinks(database, ada);
    expect(links.map(({ provider, providerId }) => [provider, providerId])).toEqual([
      ['google', 'g-1'],
      ['steam', STEAM_ID],
    ]);
    expect(links[0]?.linkedAt).toBeInstanceOf(Date);
    expect(await findLinkedUserId(database, 'google', 'g-1')).toBe(ada);
    expect(await findLinkedUserId(database, 'github', 'g-1')).toBeNull();
  });

  it('refuses an identity linked to another user', async () => {
    const ada = await newUser('ada@example.com');
    const bob = await newUser('bob@example.com');
    await linkProvider(database, { userId: ada, provider: 'steam', providerId: STEAM_ID });
    expect(
      await linkProvider(database, { userId: bob, provider: 'steam', providerId: STEAM_ID }),
    ).toBe('identity_taken');
    expect(await listLinks(database, bob)).toEqual([]);
  });

  it('refuses a second identity at a provider the user is already linked to', async () => {
    const ada = await newUser('ada@example.com');
    await linkProvider(database, { userId: ada, provider: 'github', providerId: '1' });
    expect(await linkProvider(database, { userId: ada, provider: 'github', providerId: '2' })).toBe(
      'provider_taken',
    );
    expect(await findLinkedUserId(database, 'github', '2')).toBeNull();
  });

  it('lets exactly one of many users link one identity at the same moment', async () => {
    const users = await Promise.all(
      Array.from({ length: 8 }, (_unused, index) => newUser(`racer${index}@example.com`)),
    );
    const outcomes = await Promise.all(
      users.map((userId) =>
        linkProvider(database, { userId, provider: 'steam', providerId: STEAM_ID }),
      ),
    );
    expect(outcomes.filter((outcome) => outcome === 'linked')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'identity_taken')).toHaveLength(7);
    const winner = users[outcomes.indexOf('linked')];
    expect(await findLinkedUserId(database, 'steam', STEAM_ID)).toBe(winner);
  });

  it('drops a deleted user’s links, freeing the identity', async () => {
    const ada = await newUser('ada@example.com');
    await linkProvider(database, { userId: ada, provider: 'steam', providerId: STEAM_ID });
    await sql`delete from users where id = ${ada}`.execute(database.db);
    expect(await findLinkedUserId(database, 'steam', STEAM_ID)).toBeNull();
  });

  it('refuses an unknown provider and an empty identity in the database itself', async () => {
    const ada = await newUser('ada@example.com');
    await expect(
      sql`insert into auth_providers (user_id, provider, provider_id) values (${ada}, 'myspace', 'x')`.execute(
        database.db,
      ),
    ).rejects.toThrow(/check constraint/);
    await expect(
      sql`insert into auth_providers (user_id, provider, provider_id) values (${ada}, 'steam', '')`.execute(
        database.db,
      ),
    ).rejects.toThrow(/check constraint/);
  });

  it('unlinks, but never the last way to sign in, even with two unlinks at once', async () => {
    const { id } = await insertUserWithoutEmail(database);
    await linkProvider(database, { userId: id, provider: 'steam', providerId: STEAM_ID });
    await linkProvider(database, { userId: id, provider: 'google', providerId: 'g-1' });
    const outcomes = await Promise.all([
      unlinkProvider(database, id, 'steam'),
      unlinkProvider(database, id, 'google'),
    ]);
    expect(outcomes.sort()).toEqual(['last_sign_in_method', 'unlinked']);
    expect(await listLinks(database, id)).toHaveLength(1);
    expect(await unlinkProvider(database, id, 'github')).toBe('not_linked');

    const ada = await newUser('ada@example.com');
    await linkProvider(database, {
      userId: ada,
      provider: 'steam',
      providerId: '76561197960287931',
    });
    expect(await unlinkProvider(database, ada, 'steam')).toBe('unlinked');
    expect(await unlinkProvider(database, ada, 'steam')).toBe('not_linked');
  });

  // Needs a second connection to hold the lock, so PostgreSQL only.
  it.runIf(testDatabaseUrl)(
    'two unlinks waiting on a held account both see the other’s result',
    async () => {
      const { id } = await insertUserWithoutEmail(database);
      await linkProvider(database, { userId: id, provider: 'steam', providerId: STEAM_ID });
      await linkProvider(database, { userId: id, provider: 'github', providerId: '1' });
      let release = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let holding = () => {};
      const held = new Promise<void>((resolve) => {
        holding = resolve;
      });
      const holder = database.db.transaction().execute(async (trx) => {
        await sql`select id from users where id = ${id} for update`.execute(trx);
        holding();
        await released;
      });
      await held;
      const unlinks = Promise.all([
        unlinkProvider(database, id, 'steam'),
        unlinkProvider(database, id, 'github'),
      ]);
      // Both wait on the held row; without the lock each would read two links and remove one.
      await sessionsWaitingForLocks(database, 2);
      release();
      await holder;
      expect((await unlinks).sort()).toEqual(['last_sign_in_method', 'unlinked']);
      expect(await listLinks(database, id)).toHaveLength(1);
    },
  );
});
