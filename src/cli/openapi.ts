// `tracera openapi`: prints the OpenAPI document of the API to stdout, as
// `serve` with the same settings would answer it at /api/v1/openapi.json,
// without serving: the app is built with no database and an in-process
// store, asked for its document and closed. Nothing listens, and no
// database, Redis or SMTP server is reached.
import { buildApp } from '../app.js';
import { absentDatabase } from '../platform/db/index.js';
import { createLogger } from '../platform/logger.js';
import { MemoryStore } from '../platform/store/memory-store.js';
import { configOrExit } from './startup.js';

const JSON_INDENT = 2;

export async function runOpenApi(): Promise<void> {
  const config = configOrExit();
  // Logs go to stderr: stdout carries the document only.
  const logger = createLogger(config.logLevel, process.stderr);
  const database = absentDatabase();
  const app = await buildApp(config, {
    database,
    store: new MemoryStore(),
    logger,
    staticRoot: null,
  });
  try {
    await app.ready();
    process.stdout.write(`${JSON.stringify(app.swagger(), null, JSON_INDENT)}\n`);
  } finally {
    await app.close();
  }
}
