import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { sessionSecretProblem } from '../../src/config/secret-strength.js';

it('accepts what the usual generators print, every time', () => {
  for (let i = 0; i < 200; i += 1) {
    const bytes = randomBytes(32);
    expect(sessionSecretProblem(bytes.toString('hex'))).toBeNull();
    expect(sessionSecretProblem(bytes.toString('base64'))).toBeNull();
    expect(sessionSecretProblem(bytes.toString('base64url'))).toBeNull();
    expect(sessionSecretProblem(randomBytes(48).toString('base64'))).toBeNull();
  }
});

it('refuses fewer than 32 random bytes', () => {
  expect(sessionSecretProblem(randomBytes(31).toString('hex'))).toMatch(/too short/);
  expect(sessionSecretProblem(randomBytes(24).toString('base64url'))).toMatch(/too short/);
});

it('refuses repeated, uneven and placeholder values of sufficient length', () => {
  expect(sessionSecretProblem('0123456789abcdef'.repeat(4))).toMatch(/repeated/);
  expect(sessionSecretProblem(`${'x'.repeat(40)}${randomBytes(8).toString('hex')}`)).not.toBeNull();
  expect(sessionSecretProblem('your-session-secret-goes-here-make-it-long-enough')).toMatch(
    /placeholder/,
  );
  expect(
    sessionSecretProblem('abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz'),
  ).not.toBeNull();
});
