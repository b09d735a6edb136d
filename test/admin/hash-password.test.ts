// `tracera admin hash-password` (S28): the password comes from standard
// input, never argv; the output is the ADMIN_BASIC_AUTH value, and the app
// accepts it.
import { describe, expect, it } from 'vitest';
import { argon2Hasher } from '../../src/auth/index.js';
import { loadConfig } from '../../src/config.js';
import { TEST_SESSION_SECRET } from '../support/app.js';
import { CHILD_TEST_TIMEOUT_MS, tracera } from '../support/cli.js';

const PASSWORD = 'a long admin passphrase 7';

async function hashPassword(args: string[], stdin: string) {
  const run = tracera(['admin', 'hash-password', ...args], {});
  run.child.stdin?.end(stdin);
  const code = await run.exited;
  return { code, output: run.output() };
}

describe('tracera admin hash-password', { timeout: CHILD_TEST_TIMEOUT_MS }, () => {
  it('S28: prints user:hash for a password on stdin, which verifies and configures the gate', async () => {
    const { code, output } = await hashPassword(['--user', 'ops'], `${PASSWORD}\n`);
    expect(code).toBe(0);
    const line = output.trim();
    expect(line).toMatch(/^ops:\$argon2id\$/);
    expect(line).not.toContain(PASSWORD);
    const hash = line.slice('ops:'.length);
    expect(await argon2Hasher.verify(hash, PASSWORD)).toBe(true);
    expect(await argon2Hasher.verify(hash, `${PASSWORD}x`)).toBe(false);
    const { config } = loadConfig({
      NODE_ENV: 'test',
      SESSION_SECRET: TEST_SESSION_SECRET,
      ADMIN_BASIC_AUTH: line,
    });
    expect(config.admin.basicAuth).toEqual({ user: 'ops', passwordHash: hash });
  });

  it('prints the hash alone without --user, and refuses a weak password', async () => {
    const plain = await hashPassword([], `${PASSWORD}\r\n`);
    expect(plain.code).toBe(0);
    expect(await argon2Hasher.verify(plain.output.trim(), PASSWORD)).toBe(true);
    const weak = await hashPassword([], 'short\n');
    expect(weak.code).not.toBe(0);
    expect(weak.output).toMatch(/at least 8 characters/);
    const badUser = await hashPassword(['--user', 'a:b'], `${PASSWORD}\n`);
    expect(badUser.code).not.toBe(0);
  });
});
