// S45 at save time: what a user may enter as a webhook URL (syntax only).
import { describe, expect, it } from 'vitest';
import {
  checkWebhookUrl,
  MAX_WEBHOOK_URL_LENGTH,
} from '../../../src/alerts/webhook/webhook-url.js';

describe('S45: checkWebhookUrl', () => {
  it.each([
    ['https://discord.com/api/webhooks/123/abc', 'https://discord.com/api/webhooks/123/abc'],
    ['  https://hooks.example.com:8443/x?y=1  ', 'https://hooks.example.com:8443/x?y=1'],
    ['https://hooks.example.com:443/x', 'https://hooks.example.com/x'],
    ['HTTPS://Hooks.Example.COM/x', 'https://hooks.example.com/x'],
  ])('accepts %s as %s', (text, href) => {
    const checked = checkWebhookUrl(text);
    expect(checked.ok && checked.url.href).toBe(href);
  });

  it.each([
    ['http://hooks.example.com/x', 'not_https'],
    ['ws://hooks.example.com/x', 'not_https'],
    ['javascript:alert(1)', 'not_https'],
    ['file:///etc/passwd', 'not_https'],
    ['https://user:secret@hooks.example.com/x', 'credentials_in_url'],
    ['https://user@hooks.example.com/x', 'credentials_in_url'],
    ['https://:secret@hooks.example.com/x', 'credentials_in_url'],
    ['hooks.example.com/x', 'invalid_url'],
    ['https://', 'invalid_url'],
    ['https://hooks.example.com:0/x', 'invalid_url'],
    ['https://hooks.example.com:70000/x', 'invalid_url'],
    ['', 'invalid_url'],
  ] as const)('refuses %s as %s, with a message', (text, reason) => {
    const checked = checkWebhookUrl(text);
    expect(checked).toMatchObject({ ok: false, reason });
    expect(checked.ok || checked.message.length > 0).toBe(true);
  });

  it(`accepts ${MAX_WEBHOOK_URL_LENGTH} characters and refuses one more as too_long`, () => {
    const prefix = 'https://hooks.example.com/';
    const longest = prefix + 'a'.repeat(MAX_WEBHOOK_URL_LENGTH - prefix.length);
    expect(checkWebhookUrl(longest).ok).toBe(true);
    expect(checkWebhookUrl(`${longest}a`)).toMatchObject({ ok: false, reason: 'too_long' });
  });

  it('does not resolve the host: a private address passes here and is refused at delivery', () => {
    expect(checkWebhookUrl('https://10.0.0.1/hook').ok).toBe(true);
  });
});
