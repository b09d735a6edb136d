// The `tracera` command.
import { Command } from 'commander';
import { parseAdminUser, runAdminHashPassword } from './cli/admin.js';
import { runCatalogSync } from './cli/catalog.js';
import { MAIL_LIMIT_DEFAULT, MAIL_LIMIT_MAX, parseMailLimit, runMail } from './cli/mail.js';
import { runMigrate } from './cli/migrate.js';
import { runOpenApi } from './cli/openapi.js';
import { runServe } from './cli/serve.js';
import { HEADER_RECORD_FILE, runVerifyHeaders } from './cli/verify-headers.js';
import { runWorker } from './cli/worker.js';
import { API_PREFIX } from './http/api-prefix.js';

const program = new Command('tracera')
  .description('Real-time market tracker for Counter-Strike 2 items')
  .addHelpText(
    'after',
    '\nSettings come from the environment and an optional .env file; see docs/configuration.md.\nA bad setting exits with code 78 and names the variable.',
  );

program
  .command('serve')
  .description('apply pending migrations, then serve the web app and API (what `npm start` runs)')
  .action(runServe);

program
  .command('worker')
  .description(
    'apply pending migrations, then run price ingestion without the web server (one leader across instances)',
  )
  .action(runWorker);

program
  .command('migrate')
  .description('apply pending database migrations and exit')
  .action(runMigrate);

program
  .command('catalog')
  .description('the CS2 item catalog')
  .command('sync')
  .description(
    'load the CS2 item catalog from @ianlucas/cs2-lib, or bring it up to date (idempotent)',
  )
  .action(runCatalogSync);

program
  .command('openapi')
  .description(
    `print the OpenAPI document of the API (as served at ${API_PREFIX}/openapi.json) without serving`,
  )
  .action(runOpenApi);

program
  .command('mail')
  .description('show the latest messages in the mail outbox (DATA_DIR/outbox), newest first')
  .option(
    '--limit <n>',
    `how many messages to show, 1 to ${MAIL_LIMIT_MAX}`,
    parseMailLimit,
    MAIL_LIMIT_DEFAULT,
  )
  .action(runMail);

program
  .command('verify-headers')
  .description(
    `check the security headers a deployment sends on /, ${API_PREFIX}/health and a 404, record them, exit 1 on a miss`,
  )
  .argument('<url>', 'base URL of the deployment, e.g. https://tracera.example.com')
  .option('--out <file>', 'where to write the record', HEADER_RECORD_FILE)
  .action(runVerifyHeaders);

program
  .command('admin')
  .description('admin access (S28)')
  .command('hash-password')
  .description(
    'read a password from standard input (asked without echo on a terminal) and print its argon2id hash for ADMIN_BASIC_AUTH',
  )
  .option('--user <name>', 'print `name:hash`, the whole ADMIN_BASIC_AUTH value', parseAdminUser)
  .action(runAdminHashPassword);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`tracera: ${(error as Error).message}\n`);
  process.exit(1);
}
