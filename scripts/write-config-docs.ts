// `npm run docs:config`: rewrites the configuration table in
// docs/configuration.md and `.env.example` from src/config/settings.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { CONFIG_DOC_PATH, envExample, withConfigTable } from '../src/config/docs.js';

writeFileSync(CONFIG_DOC_PATH, withConfigTable(readFileSync(CONFIG_DOC_PATH, 'utf8')));
writeFileSync('.env.example', envExample());
process.stdout.write(`Wrote the configuration table in ${CONFIG_DOC_PATH} and .env.example\n`);
