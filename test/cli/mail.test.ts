// `tracera mail` as a local user runs it: a real process reading the outbox
// that the app's mailer wrote into DATA_DIR.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMailer } from '../../src/platform/mail/index.js';
import { CHILD_TEST_TIMEOUT_MS, tracera } from '../support/cli.js';

function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'tracera-data-'));
}

async function sendToOutbox(dataDir: string, subject: string, link: string): Promise<void> {
  const mailer = createMailer({
    smtpUrl: null,
    from: 'Tracera <no-reply@tracera.test>',
    outboxDir: join(dataDir, 'outbox'),
  });
  await mailer.send({
    to: 'alice@example.com',
    subject,
    text: `Confirm your email: ${link}\n\n-- Tracera`,
    html: `<p><a href="${link}">Confirm your email</a></p>`,
  });
  await mailer.close();
}

describe('tracera mail', { timeout: CHILD_TEST_TIMEOUT_MS }, () => {
  it('shows the newest outbox messages first with To, Subject, the link and the file', async () => {
    const dataDir = tempDataDir();
    const link = `http://tracera.test/verify-email?token=${randomBytes(32).toString('base64url')}`;
    await sendToOutbox(dataDir, 'Older message', 'http://tracera.test/sign-in');
    await sendToOutbox(dataDir, 'Confirm your email for Tracera', link);

    const run = tracera(['mail'], { DATA_DIR: dataDir });
    expect(await run.exited).toBe(0);
    const output = run.output();
    expect(output).toContain('To:      alice@example.com');
    expect(output).toContain('Subject: Confirm your email for Tracera');
    expect(output).toMatch(new RegExp(`^  Link: +${link.replace(/[.?]/g, '\\$&')}$`, 'm'));
    expect(output).toMatch(/^ {2}File: +.*outbox\/\d{8}T\d{9}Z-[0-9a-f]{8}\.eml$/m);
    expect(output).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/m);
    expect(output.indexOf('Confirm your email for Tracera')).toBeLessThan(
      output.indexOf('Older message'),
    );
  });

  it('shows at most --limit messages', async () => {
    const dataDir = tempDataDir();
    await sendToOutbox(dataDir, 'Older message', 'http://tracera.test/sign-in');
    await sendToOutbox(dataDir, 'Newer message', 'http://tracera.test/sign-in');

    const run = tracera(['mail', '--limit', '1'], { DATA_DIR: dataDir });
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('Newer message');
    expect(run.output()).not.toContain('Older message');
  });

  it('says the outbox is empty when nothing was sent', async () => {
    const dataDir = tempDataDir();
    const run = tracera(['mail'], { DATA_DIR: dataDir });
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain(`No messages in ${join(dataDir, 'outbox')}`);
  });

  it('refuses --limit 0 with the allowed range', async () => {
    const run = tracera(['mail', '--limit', '0'], {});
    expect(await run.exited).not.toBe(0);
    expect(run.output()).toMatch(/--limit.*'0' is invalid\. Must be a whole number from 1 to 1000/);
  });

  it('says mail goes to the SMTP server when SMTP_URL is set, without its credentials', async () => {
    const run = tracera(['mail'], { SMTP_URL: 'smtp://mailbot:s3cretpass@smtp.example:587' });
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('mail goes to the SMTP server smtp.example:587');
    expect(run.output()).toContain('the outbox is not used');
    expect(run.output()).not.toContain('s3cretpass');
  });
});
