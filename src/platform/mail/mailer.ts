// Outgoing mail through nodemailer. With SMTP_URL set, messages go to that
// server with bounded timeouts, so a hung server fails a delivery instead of
// holding it forever. Without it, the embedded default writes each message
// as an .eml file into DATA_DIR/outbox, where `tracera mail` shows it: a
// local user can finish sign-up without any mail server.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../../config.js';

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  /** Resolves once the SMTP server accepted the message, or the file is written. */
  send(message: MailMessage): Promise<void>;
  close(): Promise<void>;
}

const SMTP_CONNECTION_TIMEOUT_MS = 10_000;
const SMTP_GREETING_TIMEOUT_MS = 10_000;
const SMTP_SOCKET_TIMEOUT_MS = 30_000;

/** nodemailer's errors can quote the connection URL; the password must not reach a log. */
function withoutCredentials(error: unknown, smtpUrl: URL): Error {
  let text = error instanceof Error ? error.message : String(error);
  for (const secret of [smtpUrl.password, decodeURIComponent(smtpUrl.password)]) {
    if (secret) text = text.split(secret).join('[redacted]');
  }
  return new Error(`SMTP delivery failed: ${text}`);
}

function smtpMailer(smtpUrl: string, from: string): Mailer {
  const url = new URL(smtpUrl);
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    secure: url.protocol === 'smtps:',
    auth: url.username
      ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
      : undefined,
    connectionTimeout: SMTP_CONNECTION_TIMEOUT_MS,
    greetingTimeout: SMTP_GREETING_TIMEOUT_MS,
    socketTimeout: SMTP_SOCKET_TIMEOUT_MS,
  });
  return {
    kind: 'smtp',
    async send(message) {
      try {
        await transport.sendMail({ from, ...message });
      } catch (error) {
        throw withoutCredentials(error, url);
      }
    },
    async close() {
      transport.close();
    },
  };
}

/** Sortable by name: UTC time first, then a random suffix against collisions. */
function outboxFileName(): string {
  const time = new Date().toISOString().replace(/[-:]/g, '').replace('.', '');
  return `${time}-${randomBytes(4).toString('hex')}.eml`;
}

function outboxMailer(outboxDir: string, from: string): Mailer {
  const transport = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'unix',
  });
  return {
    kind: 'outbox',
    async send(message) {
      const built = await transport.sendMail({ from, ...message });
      await mkdir(outboxDir, { recursive: true, mode: 0o700 });
      const file = join(outboxDir, outboxFileName());
      // Written under a temporary name and renamed, so a reader never sees half a message.
      const partial = `${file}.tmp`;
      await writeFile(partial, built.message as Buffer, { mode: 0o600 });
      await rename(partial, file);
    },
    async close() {
      transport.close();
    },
  };
}

export function createMailer(mail: Config['mail']): Mailer {
  return mail.smtpUrl
    ? smtpMailer(mail.smtpUrl, mail.from)
    : outboxMailer(mail.outboxDir, mail.from);
}
