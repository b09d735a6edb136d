// Runs the real `tracera` command in a child process, in a fresh working directory.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_SESSION_SECRET } from './app.js';

export { freePort } from './ports.js';

const children: ChildProcess[] = [];

/** Kills what a test left running (test/support/setup.ts runs it after each test). */
export function killChildren(): void {
  for (const child of children.splice(0)) child.kill('SIGKILL');
}

/**
 * How long a child may take to reach a line it is waited for: a generous
 * bound, since starting tsx and PGlite on a busy machine takes seconds, and
 * the wait ends at the line itself, not at the bound.
 */
export const CHILD_STEP_TIMEOUT_MS = 180_000;

/** A test timeout for tests that start a child process and wait on it more than once. */
export const CHILD_TEST_TIMEOUT_MS = 3 * CHILD_STEP_TIMEOUT_MS;

export interface Run {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
  /** Resolves with the output once it matches `pattern`; rejects if the child exits first. */
  readonly outputMatching: (pattern: RegExp) => Promise<string>;
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
  const append = (chunk: Buffer) => {
    output += chunk;
    child.emit('output');
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const outputMatching = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        child.off('output', check);
        child.off('exit', exit);
        if (error) reject(error);
        else resolve(output);
      };
      const check = () => {
        if (pattern.test(output)) done();
      };
      const exit = (code: number | null) =>
        done(new Error(`tracera ${args.join(' ')} exited (${code}) before ${pattern}:\n${output}`));
      const timer = setTimeout(
        () => done(new Error(`no ${pattern} within ${CHILD_STEP_TIMEOUT_MS} ms:\n${output}`)),
        CHILD_STEP_TIMEOUT_MS,
      );
      child.on('output', check);
      child.once('exit', exit);
      check();
    });
  return { child, output: () => output, exited, outputMatching };
}
