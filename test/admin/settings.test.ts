// S28, S30: the admin settings are checked at startup like every other, and
// the credentials' value, a secret, is never echoed in the message.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { TEST_SESSION_SECRET } from '../support/app.js';

const base = { NODE_ENV: 'test', SESSION_SECRET: TEST_SESSION_SECRET };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...base, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('admin settings', () => {
  it('S28: defaults to loopback only, with admin off', () => {
    const { config } = loadConfig(base);
    expect(config.admin.basicAuth).toBeNull();
    expect(config.admin.allowlist).toEqual([
      { address: '127.0.0.1', prefix: 8, family: 4 },
      { address: '::1', prefix: 128, family: 6 },
    ]);
  });

  it('S30: refuses ADMIN_BASIC_AUTH without a user or an argon2id hash, without echoing it', () => {
    for (const value of [
      'just-a-password',
      ':$argon2id$v=19$x',
      'ops:$2b$10$bcrypt',
      'o ps:$argon2id$x',
    ]) {
      const found = problems({ ADMIN_BASIC_AUTH: value });
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(/^ADMIN_BASIC_AUTH: must be /);
      expect(found[0]).not.toContain(value);
    }
  });

  it('S30: refuses an allowlist entry that is not an address or block', () => {
    expect(problems({ ADMIN_IP_ALLOWLIST: '10.0.0.0/33' })[0]).toMatch(/^ADMIN_IP_ALLOWLIST: /);
    expect(problems({ ADMIN_IP_ALLOWLIST: 'localhost' })[0]).toMatch(/^ADMIN_IP_ALLOWLIST: /);
  });
});
