// Builds the web app (web/) into web/dist when it is missing or older than
// its sources, so `npm install` (postinstall) and `npm start` on a fresh
// clone both end with a current app to serve. Vite runs in a child process:
// the server never loads the bundler, and a failed build fails loudly with
// Vite's own message.
import { spawn } from 'node:child_process';
import { readdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPOSITORY = fileURLToPath(new URL('../..', import.meta.url));
export const WEB_SOURCE_ROOT = join(REPOSITORY, 'web');
export const WEB_BUILD_ROOT = join(WEB_SOURCE_ROOT, 'dist');
const VITE_CONFIG = join(WEB_SOURCE_ROOT, 'vite.config.ts');

/**
 * What the build reads: the app, its static files, the shared modules it
 * bundles, and the packages it bundles (React, the chart library), which
 * change with package.json and package-lock.json, not with any source.
 */
export const WEB_BUILD_SOURCES = [
  join(WEB_SOURCE_ROOT, 'index.html'),
  VITE_CONFIG,
  join(WEB_SOURCE_ROOT, 'src'),
  join(WEB_SOURCE_ROOT, 'public'),
  join(REPOSITORY, 'src', 'shared'),
  join(REPOSITORY, 'package.json'),
  join(REPOSITORY, 'package-lock.json'),
];

/** The newest modification time under `path` (a file or a folder), 0 when it is missing. */
async function newestChange(path: string): Promise<number> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((entry) => newestChange(join(path, entry))));
  return Math.max(info.mtimeMs, ...times);
}

/** Whether `built` exists and is at least as new as everything under `sources`. */
export async function isBuildCurrent(built: string, sources: readonly string[]): Promise<boolean> {
  const builtAt = await newestChange(built);
  if (builtAt === 0) return false;
  const changes = await Promise.all(sources.map(newestChange));
  return builtAt >= Math.max(...changes);
}

/** Whether web/dist holds a build at least as new as every source. */
export function isWebBuildCurrent(): Promise<boolean> {
  return isBuildCurrent(join(WEB_BUILD_ROOT, 'index.html'), WEB_BUILD_SOURCES);
}

/**
 * Runs `vite build`; rejects with its exit code when it fails, after
 * removing whatever the failed build left in web/dist, so the next start
 * builds again instead of serving half a build as current.
 */
export async function buildWebApp(): Promise<void> {
  try {
    await runVite();
  } catch (error) {
    await rm(WEB_BUILD_ROOT, { recursive: true, force: true });
    throw error;
  }
}

function runVite(): Promise<void> {
  // Vite exports no path to its command; it sits beside its package.json.
  const vite = join(
    dirname(createRequire(import.meta.url).resolve('vite/package.json')),
    'bin',
    'vite.js',
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--config', VITE_CONFIG], {
      cwd: REPOSITORY,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`vite build failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

/** Builds the web app unless web/dist is current; says so on stderr when it builds. */
export async function ensureWebBuild(): Promise<'current' | 'built'> {
  if (await isWebBuildCurrent()) return 'current';
  process.stderr.write('Building the web app into web/dist…\n');
  await buildWebApp();
  return 'built';
}
