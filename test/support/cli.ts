// Runs the real `tracera` command in a child process, in a fresh working directory.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { TEST_SESSION_SECRET } from './app.js';

export { freePort } from './ports.js';

const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

export interface Run {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

export function tracera(args: string[], env: Record<string, string>): Run {
  const cwd = mkdtempSync(join(tmpdir(), 'tracera-cli-'));
  const child = spawn(process.execPath, [join(process.cwd(), 'bin/tracera.js'), ...args], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      SESSION_SECRET: TEST_SESSION_SECRET,
      ...env,
    },
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, output: () => output, exited };
}
