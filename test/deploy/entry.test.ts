// S31: the image's entry command run as a plain process, as close to the
// container as this machine allows (Docker does not run here): the compiled
// server (`npm run build`, as the Dockerfile's build stage does) started with
// the Dockerfile's ENTRYPOINT + CMD from an app folder laid out like /app,
// read-only to the process; settings from compose.yaml, the secrets from the
// app's .env file as compose mounts them; DATA_DIR a separate writable
// folder, like the tmpfs. When the tests run as root, the process runs as
// `nobody`, as the image runs as a non-root user. Then the image's health
// check script judges it.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TEST_SESSION_SECRET } from '../support/app.js';
import { CHILD_STEP_TIMEOUT_MS, CHILD_TEST_TIMEOUT_MS, freePort } from '../support/cli.js';
import { execForm, finalInstruction } from './dockerfile-instructions.js';

const NOBODY = 65_534;
const REPOSITORY = process.cwd();
const asRoot = process.getuid?.() === 0;

let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

/** A folder laid out like the image's /app, the built files linked in. */
function appFolder(): string {
  const app = mkdtempSync(join(tmpdir(), 'tracera-image-app-'));
  for (const entry of ['dist', 'node_modules', 'migrations']) {
    symlinkSync(join(REPOSITORY, entry), join(app, entry));
  }
  mkdirSync(join(app, 'web'));
  symlinkSync(join(REPOSITORY, 'web', 'dist'), join(app, 'web', 'dist'));
  mkdirSync(join(app, 'deploy'));
  copyFileSync(join(REPOSITORY, 'deploy/healthcheck.mjs'), join(app, 'deploy/healthcheck.mjs'));
  copyFileSync(join(REPOSITORY, 'package.json'), join(app, 'package.json'));
  // What the app_env secret holds; with the embedded stores, only the secret.
  writeFileSync(join(app, '.env'), `SESSION_SECRET=${TEST_SESSION_SECRET}\n`);
  for (const folder of [app, join(app, 'web'), join(app, 'deploy')]) chmodSync(folder, 0o555);
  return app;
}

function dataFolder(): string {
  const data = mkdtempSync(join(tmpdir(), 'tracera-image-data-'));
  if (asRoot) chownSync(data, NOBODY, NOBODY);
  return data;
}

function runAsImage(app: string, args: readonly string[], env: Record<string, string>) {
  return spawn(process.execPath, args, {
    cwd: app,
    env: { PATH: process.env.PATH ?? '', ...env },
    ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
  });
}

function exitCode(process: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => process.once('exit', (code) => resolve(code)));
}

it('S31 the image CMD serves health from a read-only app folder, as non-root, with the secret from .env', {
  timeout: CHILD_TEST_TIMEOUT_MS,
}, async () => {
  execFileSync(
    process.execPath,
    [resolve('node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      stdio: 'ignore',
    },
  );
  const compose = parse(readFileSync('deploy/compose.yaml', 'utf8')) as {
    services: { app: { environment: Record<string, string> } };
  };
  const port = String(await freePort());
  const app = appFolder();
  const before = readdirSync(app).sort();
  const env: Record<string, string> = {
    ...compose.services.app.environment,
    DATA_DIR: dataFolder(),
    // Loopback here instead of the container's 0.0.0.0.
    HOST: '127.0.0.1',
    PORT: port,
    LOG_LEVEL: 'warn',
  };
  expect(env.NODE_ENV).toBe('production');
  expect(Object.keys(env)).not.toContain('SESSION_SECRET');

  const entrypoint = execForm(finalInstruction('ENTRYPOINT') ?? '') ?? [];
  const command = execForm(finalInstruction('CMD') ?? '') ?? [];
  expect(entrypoint).toEqual(['/nodejs/bin/node']);
  let output = '';
  child = runAsImage(app, command, env);
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = exitCode(child);
  await expect
    .poll(() => output, { timeout: CHILD_STEP_TIMEOUT_MS, interval: 100 })
    .toMatch(/Tracera is serving https:\/\/tracera\.example\.com/);

  const healthcheck =
    execForm((finalInstruction('HEALTHCHECK') ?? '').replace(/^.*?CMD /, ''))?.slice(1) ?? [];
  const healthy = runAsImage(app, healthcheck, { PORT: port });
  expect(await exitCode(healthy)).toBe(0);
  expect(readdirSync(app).sort()).toEqual(before);

  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  const unhealthy = runAsImage(app, healthcheck, { PORT: port });
  expect(await exitCode(unhealthy)).toBe(1);
});
