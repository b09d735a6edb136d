import { migrate } from '../platform/db/index.js';
import { configOrExit, openLoggedDatabase, processLogger } from './startup.js';

export async function runMigrate(): Promise<void> {
  const config = configOrExit();
  const database = await openLoggedDatabase(config, processLogger(config));
  try {
    const where = database.kind === 'postgres' ? 'PostgreSQL' : `PGlite in ${config.dataDir}`;
    process.stdout.write(`Migrating ${where}\n`);
    const report = await migrate(database, undefined, (file) =>
      process.stdout.write(`  applied ${file.name}\n`),
    );
    const total = report.applied.length + report.alreadyApplied;
    process.stdout.write(
      report.applied.length === 0
        ? `Already up to date (${total} migrations).\n`
        : `Applied ${report.applied.length} of ${total} migrations.\n`,
    );
  } finally {
    await database.close();
  }
}
