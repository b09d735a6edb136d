// What every command does first: read and validate the configuration, set up
// logging, and open the database. A configuration error ends the process with
// exit code 78 (EX_CONFIG) and a message naming each bad variable.
import type { Logger } from 'pino';
import { type Config, ConfigError, loadConfig, readEnvironment } from '../config.js';
import { type Database, openConfiguredDatabase } from '../platform/db/index.js';
import { createLogger } from '../platform/logger.js';

export const EXIT_CONFIG_ERROR = 78;

export function configOrExit(): Config {
  try {
    const { config, notices } = loadConfig(readEnvironment());
    for (const notice of notices) process.stderr.write(`${notice}\n`);
    return config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(EXIT_CONFIG_ERROR);
  }
}

export function openLoggedDatabase(config: Config, logger: Logger): Promise<Database> {
  return openConfiguredDatabase(config, {
    onBackgroundError: (error) => logger.warn({ err: error }, 'database connection error'),
  });
}

export function processLogger(config: Config): Logger {
  return createLogger(config.logLevel);
}
