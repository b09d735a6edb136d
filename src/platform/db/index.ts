import { join } from 'node:path';
import type { Config } from '../../config.js';
import { type Database, type DatabaseEvents, openDatabase } from './database.js';

export { absentDatabase } from './absent.js';
export { arrayLiteral } from './array-literal.js';
export type { Database, DatabaseTarget, PlatformTables } from './database.js';
export { openDatabase } from './database.js';
export { type MigrationReport, migrate } from './migrations.js';

/** PostgreSQL when DATABASE_URL is set, PGlite in DATA_DIR/pglite otherwise. */
export function openConfiguredDatabase(
  config: Config,
  events: DatabaseEvents = {},
): Promise<Database> {
  return config.database.url
    ? openDatabase(
        { kind: 'postgres', url: config.database.url, poolSize: config.database.poolSize },
        events,
      )
    : openDatabase({ kind: 'pglite', dataDir: join(config.dataDir, 'pglite') }, events);
}
