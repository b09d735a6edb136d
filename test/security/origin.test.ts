// S10: which origins count as our own.
import { describe, expect, it } from 'vitest';
import { allowedOrigins } from '../../src/security/origin.js';

describe('allowedOrigins', () => {
  it('is BASE_URL alone in production and tests', () => {
    expect([...allowedOrigins({ baseUrl: 'http://localhost:3000', env: 'production' })]).toEqual([
      'http://localhost:3000',
    ]);
    expect([...allowedOrigins({ baseUrl: 'http://localhost:3000', env: 'test' })]).toEqual([
      'http://localhost:3000',
    ]);
  });

  it('adds the loopback spellings of a loopback BASE_URL, same port, in development', () => {
    expect(
      [...allowedOrigins({ baseUrl: 'http://localhost:3000', env: 'development' })].sort(),
    ).toEqual(['http://127.0.0.1:3000', 'http://[::1]:3000', 'http://localhost:3000']);
  });

  it('adds nothing for a public BASE_URL, even in development', () => {
    expect([...allowedOrigins({ baseUrl: 'https://tracera.example', env: 'development' })]).toEqual(
      ['https://tracera.example'],
    );
  });
});
