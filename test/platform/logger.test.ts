// S36: what the logger must never write.
import { describe, expect, it } from 'vitest';
import { createLogger, maskSecretQuery, REDACTED } from '../../src/platform/logger.js';
import { buildTestApp, LogCapture } from '../support/app.js';

describe('maskSecretQuery', () => {
  it('masks credential parameters and keeps the rest', () => {
    expect(maskSecretQuery('/api/v1/auth/magic/verify?token=abc123&next=%2Fitems')).toBe(
      `/api/v1/auth/magic/verify?token=${encodeURIComponent(REDACTED)}&next=%2Fitems`,
    );
    expect(maskSecretQuery('/cb?code=c0de&state=s7a7e&openid.sig=x')).not.toMatch(/c0de|s7a7e|=x/);
    expect(maskSecretQuery('/api/v1/items?q=redline&limit=20')).toBe(
      '/api/v1/items?q=redline&limit=20',
    );
    expect(maskSecretQuery('/api/v1/health')).toBe('/api/v1/health');
  });
});

describe('logger redaction', () => {
  it('redacts credentials wherever a log line carries them', () => {
    const capture = new LogCapture();
    const logger = createLogger('info', capture);
    logger.info(
      {
        headers: {
          authorization: 'Basic c2VjcmV0',
          cookie: 'session=tok-1',
          'x-csrf-token': 'csrf-1',
        },
        body: { email: 'a@example.com', password: 'pw-1', token: 'tok-2' },
        password: 'pw-2',
        code: 'oauth-code',
      },
      'event',
    );
    const line = capture.raw.join('\n');
    for (const secret of [
      'c2VjcmV0',
      'tok-1',
      'csrf-1',
      'pw-1',
      'tok-2',
      'pw-2',
      'pw-3',
      'oauth-code',
    ]) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('a@example.com');
  });

  it('leaves the logged object itself unchanged', () => {
    const capture = new LogCapture();
    const body = { email: 'a@example.com', password: 'pw-1' };
    createLogger('info', capture).info({ body }, 'event');
    expect(body.password).toBe('pw-1');
    expect(capture.raw.join('\n')).not.toContain('pw-1');
  });

  it('keeps tokens in request URLs out of the access log', async () => {
    const harness = await buildTestApp();
    try {
      await harness.app.inject({
        url: '/api/v1/health?token=very-secret-token',
        headers: { cookie: 'sid=cookie-secret' },
      });
      const log = harness.logs.raw.join('\n');
      expect(log).toContain('/api/v1/health?token=');
      expect(log).not.toContain('very-secret-token');
      expect(log).not.toContain('cookie-secret');
    } finally {
      await harness.app.close();
    }
  });
});
