// S11: the password policy and the argon2id hasher.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HASHING_NICE } from '../../src/auth/argon2-parameters.js';
import { commonPasswordCount } from '../../src/auth/common-passwords.js';
import { createHashingPool } from '../../src/auth/hashing-pool.js';
import { argon2Hasher, passwordProblem } from '../../src/auth/passwords.js';

describe('S11 password policy', () => {
  it('ships a list of at least 3,000 common passwords', () => {
    expect(commonPasswordCount()).toBeGreaterThanOrEqual(3000);
  });

  it.each([
    ['seven characters', 'x7#kQ2m', /at least 8/],
    ['129 characters', 'x'.repeat(129), /at most 128/],
    ['a common password', 'iloveyou1', /too common/],
    ['a common password in other case', 'QWERTY123', /too common/],
  ])('refuses %s', (_kind, password, message) => {
    expect(passwordProblem(password)).toMatch(message);
  });

  it.each([
    ['8 characters', 'x7#kQ2mZ'],
    ['128 characters', 'x'.repeat(128)],
    ['a passphrase', 'correct horse battery staple 42'],
  ])('accepts %s', (_kind, password) => {
    expect(passwordProblem(password)).toBeNull();
  });

  it('counts length after NFKC, in code points', () => {
    // Four emoji are 8 UTF-16 units but 4 characters.
    expect(passwordProblem('🔑🔑🔑🔑')).toMatch(/at least 8/);
    // A full-width digit string normalizes to ASCII before any check.
    expect(passwordProblem('ｘ７＃ｋＱ２ｍＺ')).toBeNull();
  });
});

describe('S11 argon2id hasher', () => {
  it('hashes with m=19 MiB, t=2, p=1 and verifies only the right password', async () => {
    const hashed = await argon2Hasher.hash('correct horse battery staple 42');
    expect(hashed).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await argon2Hasher.verify(hashed, 'correct horse battery staple 42')).toBe(true);
    expect(await argon2Hasher.verify(hashed, 'correct horse battery staple 43')).toBe(false);
    expect(argon2Hasher.needsRehash(hashed)).toBe(false);
  });

  it('treats NFKC-equivalent spellings as the same password', async () => {
    const hashed = await argon2Hasher.hash('ｐａｓｓｐｈｒａｓｅ 1');
    expect(await argon2Hasher.verify(hashed, 'passphrase 1')).toBe(true);
  });

  it('asks for a rehash when the parameters were weaker', async () => {
    expect(argon2Hasher.needsRehash('$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2g')).toBe(
      true,
    );
    expect(argon2Hasher.needsRehash('$2b$10$abcdefghijklmnopqrstuv')).toBe(true);
  });

  it('fails a malformed stored hash instead of throwing', async () => {
    expect(await argon2Hasher.verify('not a hash', 'whatever')).toBe(false);
  });
});

/** Nice values of this process's threads, from /proc (field 19 of each thread's stat). */
function threadNiceValues(): number[] {
  return readdirSync('/proc/self/task').map((thread) => {
    const stat = readFileSync(`/proc/self/task/${thread}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

describe('hashing pool', () => {
  it('answers many concurrent jobs from at most `size` low-priority worker threads', async () => {
    const before = threadNiceValues().filter((nice) => nice === HASHING_NICE).length;
    const pool = createHashingPool(2);
    const hashes = await Promise.all(
      Array.from({ length: 6 }, (_unused, index) =>
        pool.run({ op: 'hash', password: `pw ${index}` }),
      ),
    );
    expect(new Set(hashes).size).toBe(6);
    const verified = await pool.run({ op: 'verify', hash: hashes[3] as string, password: 'pw 3' });
    expect(verified).toBe(true);
    // Each worker lowers its own thread (threads it starts inherit that); the event loop stays at 0.
    const lowered = threadNiceValues().filter((nice) => nice === HASHING_NICE).length - before;
    expect(lowered).toBeGreaterThanOrEqual(2);
    const ownStat = readFileSync('/proc/thread-self/stat', 'utf8');
    expect(Number(ownStat.slice(ownStat.lastIndexOf(')') + 2).split(' ')[16])).toBe(0);
  });
});
