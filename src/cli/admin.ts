// `tracera admin hash-password`: makes the value of ADMIN_BASIC_AUTH (S28).
// The password is read from standard input, never from the command line,
// where `ps` and the shell's history would show it. On a terminal it is
// asked for twice, without echo; from a pipe, the first line is the password.
// With `--user <name>` the output is `name:hash`, the whole setting;
// without, the argon2id hash alone.
import type { Readable, Writable } from 'node:stream';
import { InvalidArgumentError } from 'commander';
import { argon2Hasher, passwordProblem } from '../auth/passwords.js';

/** commander argument parser for --user: what ADMIN_BASIC_AUTH accepts as a name. */
export function parseAdminUser(value: string): string {
  if (!/^[\x21-\x39\x3b-\x7e]{1,64}$/.test(value)) {
    throw new InvalidArgumentError('Must be 1 to 64 visible ASCII characters, without ":".');
  }
  return value;
}

interface TerminalInput extends Readable {
  readonly isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
}

/** One line typed on a terminal in raw mode, so nothing is echoed; Ctrl-C aborts. */
function readHiddenLine(input: TerminalInput, prompt: string, output: Writable): Promise<string> {
  output.write(prompt);
  input.setRawMode?.(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let line = '';
    const finish = (error?: Error) => {
      input.setRawMode?.(false);
      input.pause();
      input.off('data', onData);
      output.write('\n');
      if (error) reject(error);
      else resolve(line);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003' || char === '\u0004') return finish(new Error('aborted'));
        if (char === '\u007f' || char === '\b') line = [...line].slice(0, -1).join('');
        else line += char;
      }
    };
    input.on('data', onData);
  });
}

/** The first line of a piped input, without its line ending. */
async function readFirstLine(input: Readable): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

/** The password from `input`: asked twice without echo on a terminal, the first line otherwise. */
export async function readPassword(input: TerminalInput, prompts: Writable): Promise<string> {
  if (!input.isTTY) return readFirstLine(input);
  const first = await readHiddenLine(input, 'Admin password: ', prompts);
  const again = await readHiddenLine(input, 'Again: ', prompts);
  if (first !== again) throw new Error('the two passwords differ');
  return first;
}

export async function runAdminHashPassword(options: { readonly user?: string }): Promise<void> {
  const password = await readPassword(process.stdin, process.stderr);
  const problem = passwordProblem(password);
  if (problem) throw new Error(problem);
  const hash = await argon2Hasher.hash(password);
  process.stdout.write(`${options.user === undefined ? hash : `${options.user}:${hash}`}\n`);
}
