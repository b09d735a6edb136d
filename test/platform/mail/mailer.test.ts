// The mailer against real peers: an SMTP server on 127.0.0.1 for SMTP_URL,
// and a real folder for the outbox, read back as `tracera mail` reads it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createMailer, type MailMessage, readOutbox } from '../../../src/platform/mail/index.js';
import { freePort } from '../../support/ports.js';

const FROM = 'Tracera <no-reply@tracera.test>';
const FILE_MODE_BITS = 0o777;

const servers: SMTPServer[] = [];

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(resolve))),
  );
});

/** An SMTP server on 127.0.0.1 without TLS; returns its smtp:// URL. */
async function startSmtpServer(options: SMTPServerOptions): Promise<string> {
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    logger: false,
    ...options,
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return `smtp://127.0.0.1:${port}`;
}

function message(overrides: Partial<MailMessage> = {}): MailMessage {
  return {
    to: 'alice@example.com',
    subject: 'Confirm your email for Tracera',
    text: 'Welcome to Tracera.\n\nConfirm your email: http://tracera.test/verify-email?token=abc',
    html: '<p>Welcome to Tracera.</p>\n<p><a href="http://tracera.test/verify-email?token=abc">Confirm</a></p>',
    ...overrides,
  };
}

/** A sign-in style link: a 256-bit token as 43 base64url characters. */
function tokenLink(): string {
  return `http://tracera.test/verify-email?token=${randomBytes(32).toString('base64url')}`;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tracera-mail-'));
}

describe('SMTP mailer', () => {
  it('delivers From MAIL_FROM, To, Subject, text and HTML to the SMTP server', async () => {
    const received: ParsedMail[] = [];
    const url = await startSmtpServer({
      authOptional: true,
      onData(stream, _session, done) {
        simpleParser(stream).then(
          (parsed) => {
            received.push(parsed);
            done();
          },
          (error: Error) => done(error),
        );
      },
    });
    const mailer = createMailer({ smtpUrl: url, from: FROM, outboxDir: '' });
    expect(mailer.kind).toBe('smtp');

    await mailer.send(message());
    await mailer.close();

    expect(received).toHaveLength(1);
    const [parsed] = received;
    expect(parsed?.from?.value).toEqual([{ name: 'Tracera', address: 'no-reply@tracera.test' }]);
    expect(parsed?.to).toMatchObject({ value: [{ address: 'alice@example.com' }] });
    expect(parsed?.subject).toBe('Confirm your email for Tracera');
    expect(parsed?.text?.trim()).toBe(message().text);
    expect(parsed?.html).toBe(message().html);
  });

  it('rejects when the server refuses the recipient with 550', async () => {
    const url = await startSmtpServer({
      authOptional: true,
      onRcptTo(_address, _session, done) {
        done(Object.assign(new Error('no such mailbox'), { responseCode: 550 }));
      },
    });
    const mailer = createMailer({ smtpUrl: url, from: FROM, outboxDir: '' });

    await expect(mailer.send(message())).rejects.toThrow(/550/);
    await mailer.close();
  });

  it('keeps the password of SMTP_URL out of a connection failure', async () => {
    const closedPort = await freePort();
    const mailer = createMailer({
      smtpUrl: `smtp://user:s3cretpass@127.0.0.1:${closedPort}`,
      from: FROM,
      outboxDir: '',
    });

    const failure = await mailer.send(message()).then(
      () => new Error('send resolved'),
      (error: Error) => error,
    );
    expect(failure.message).toMatch(/SMTP delivery failed/);
    expect(failure.message).not.toContain('s3cretpass');
    await mailer.close();
  });

  it('never logs in over a plain connection: without STARTTLS the credentials are not sent', async () => {
    let authAttempts = 0;
    const url = await startSmtpServer({
      allowInsecureAuth: true,
      onAuth(_auth, _session, done) {
        authAttempts += 1;
        done(null, { user: 'mailbot' });
      },
    });
    const mailer = createMailer({
      smtpUrl: url.replace('smtp://', 'smtp://mailbot:s3cretpass@'),
      from: FROM,
      outboxDir: '',
    });

    const failure = await mailer.send(message()).then(
      () => new Error('send resolved'),
      (error: Error) => error,
    );
    expect(failure.message).toMatch(/SMTP delivery failed: .*TLS/i);
    expect(failure.message).not.toContain('s3cretpass');
    expect(authAttempts).toBe(0);
    await mailer.close();
  });
});

describe('outbox mailer', () => {
  it('writes the message as a 0600 .eml file in a 0700 folder, leaving no temporary file', async () => {
    const outboxDir = join(tempDir(), 'outbox');
    const mailer = createMailer({ smtpUrl: null, from: FROM, outboxDir });
    expect(mailer.kind).toBe('outbox');

    await mailer.send(message());
    await mailer.close();

    const names = await readdir(outboxDir);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^\d{8}T\d{9}Z-[0-9a-f]{8}\.eml$/);
    expect((await stat(join(outboxDir, names[0] ?? ''))).mode & FILE_MODE_BITS).toBe(0o600);
    expect((await stat(outboxDir)).mode & FILE_MODE_BITS).toBe(0o700);
  });

  it('writes a message that parses back with From, To, Subject, text and HTML', async () => {
    const outboxDir = join(tempDir(), 'outbox');
    const mailer = createMailer({ smtpUrl: null, from: FROM, outboxDir });

    await mailer.send(message());

    const [name] = await readdir(outboxDir);
    const parsed = await simpleParser(await readFile(join(outboxDir, name ?? '')));
    expect(parsed.from?.value).toEqual([{ name: 'Tracera', address: 'no-reply@tracera.test' }]);
    expect(parsed.to).toMatchObject({ value: [{ address: 'alice@example.com' }] });
    expect(parsed.subject).toBe('Confirm your email for Tracera');
    expect(parsed.text?.trim()).toBe(message().text);
    expect(parsed.html).toBe(message().html);
  });

  it('reads back To, Subject and a long token link intact across quoted-printable line breaks', async () => {
    const outboxDir = join(tempDir(), 'outbox');
    const mailer = createMailer({ smtpUrl: null, from: FROM, outboxDir });
    const link = tokenLink();

    await mailer.send(
      message({ text: `Welcome to Tracera.\n\nConfirm your email: ${link}\n\n-- Tracera` }),
    );

    const [read] = await readOutbox(outboxDir, 10);
    // The raw file folds the line the link is on, so reading it must decode.
    expect(await readFile(read?.file ?? '', 'utf8')).not.toContain(link);
    expect(read).toMatchObject({
      to: 'alice@example.com',
      subject: 'Confirm your email for Tracera',
      links: [link],
    });
    expect(read?.date).toBeInstanceOf(Date);
  });

  it('lists links in order, each once, without the punctuation that follows them', async () => {
    const outboxDir = join(tempDir(), 'outbox');
    const mailer = createMailer({ smtpUrl: null, from: FROM, outboxDir });
    const first = tokenLink();
    const second = 'https://tracera.test/sign-in';

    await mailer.send(
      message({ text: `Open ${first}.\nOr sign in (${second}).\nAgain: ${first}\nmailto:x@y` }),
    );

    const [read] = await readOutbox(outboxDir, 10);
    expect(read?.links).toEqual([first, second]);
  });

  it('returns the newest messages first, at most `limit` of them', async () => {
    const outboxDir = join(tempDir(), 'outbox');
    const mailer = createMailer({ smtpUrl: null, from: FROM, outboxDir });

    for (const subject of ['first', 'second', 'third']) await mailer.send(message({ subject }));

    expect((await readOutbox(outboxDir, 10)).map((read) => read.subject)).toEqual([
      'third',
      'second',
      'first',
    ]);
    expect((await readOutbox(outboxDir, 2)).map((read) => read.subject)).toEqual([
      'third',
      'second',
    ]);
    const names = await readdir(outboxDir);
    expect(names.filter((name) => !name.endsWith('.eml'))).toEqual([]);
  });

  it('reads a missing outbox folder as empty', async () => {
    expect(await readOutbox(join(tempDir(), 'never-written'), 10)).toEqual([]);
  });
});
