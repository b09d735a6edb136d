// PGlite creates a new database by running initdb inside WebAssembly, which
// takes about three seconds here; loading an initialized data directory takes
// under one. So `npm install` runs initdb once and keeps the result as a
// template (per PGlite version, since the format follows the version), and
// every new embedded database, on first start or in a test, is a copy of it.
// Without a template, a database is initialized the slow way; nothing else changes.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';

const NODE_MODULES = fileURLToPath(new URL('../../../node_modules', import.meta.url));

function pgliteVersion(): string {
  const manifest = join(NODE_MODULES, '@electric-sql', 'pglite', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

export function pgliteTemplatePath(): string {
  return join(NODE_MODULES, '.cache', 'tracera', `pglite-${pgliteVersion()}-template.tar.gz`);
}

export function readPGliteTemplate(): Blob | null {
  const file = pgliteTemplatePath();
  return existsSync(file) ? new Blob([readFileSync(file)]) : null;
}

export async function writePGliteTemplate(): Promise<string> {
  const file = pgliteTemplatePath();
  const pglite = await PGlite.create();
  try {
    const dump = await pglite.dumpDataDir('gzip');
    mkdirSync(dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
    return file;
  } finally {
    await pglite.close();
  }
}
