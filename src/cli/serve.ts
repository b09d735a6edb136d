// `tracera serve`: migrate, then serve HTTP until SIGINT or SIGTERM. On a
// signal the server stops accepting connections, lets requests in flight
// finish, then closes the database and the store; if that takes longer than
// SHUTDOWN_TIMEOUT_MS the process exits anyway, with a non-zero code.
import { buildApp } from '../app.js';
import { migrate } from '../platform/db/index.js';
import { openStore } from '../platform/store/index.js';
import { configOrExit, openLoggedDatabase, processLogger } from './startup.js';

export async function runServe(): Promise<void> {
  const config = configOrExit();
  const logger = processLogger(config);
  const database = await openLoggedDatabase(config, logger);
  const report = await migrate(database, undefined, (file) =>
    logger.info({ migration: file.name }, 'applied migration'),
  );
  logger.info({ applied: report.applied.length, database: database.kind }, 'database ready');
  const store = await openStore(config.redis, {
    onDown: (error) => logger.warn({ err: { message: error.message } }, 'Redis unreachable'),
    onUp: () => logger.info('Redis reachable'),
    onHandlerError: (error) => logger.error({ err: error }, 'subscriber failed'),
  });
  const app = await buildApp(config, { database, store, logger });

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    await app.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', stop).on('SIGTERM', stop);

  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    throw error;
  }
  process.stderr.write(
    `Tracera is serving ${config.baseUrl} (listening on ${config.host}:${config.port})\n`,
  );
}
