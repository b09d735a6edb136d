// `npm run docs:config`: rewrites the README's configuration table and
// `.env.example` from src/config/settings.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { envExample, withConfigTable } from '../src/config/docs.js';

writeFileSync('README.md', withConfigTable(readFileSync('README.md', 'utf8')));
writeFileSync('.env.example', envExample());
process.stdout.write('Wrote the configuration table in README.md and .env.example\n');
