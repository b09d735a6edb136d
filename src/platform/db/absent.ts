// A database that is not there, for building the app only to read its
// routes (`tracera openapi`): nothing is opened or reached, and a query
// fails at once rather than pretending to succeed. Opening even an
// in-memory PGlite for a document that never touches it takes seconds.
import {
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
} from 'kysely';
import type { Database, PlatformTables } from './database.js';

export const NO_DATABASE = 'No database: this app was built only to read its routes';

class AbsentDriver implements Driver {
  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    throw new Error(NO_DATABASE);
  }

  async beginTransaction(): Promise<void> {
    throw new Error(NO_DATABASE);
  }

  async commitTransaction(): Promise<void> {
    throw new Error(NO_DATABASE);
  }

  async rollbackTransaction(): Promise<void> {
    throw new Error(NO_DATABASE);
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {}
}

export function absentDatabase(): Database {
  const db = new Kysely<PlatformTables>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new AbsentDriver(),
      createIntrospector: (kysely) => new PostgresIntrospector(kysely),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  return {
    kind: 'absent',
    db,
    async ping() {
      throw new Error(NO_DATABASE);
    },
    close: () => db.destroy(),
  };
}
