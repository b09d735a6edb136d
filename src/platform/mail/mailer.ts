// Outgoing mail through nodemailer, in one of two ways chosen by SMTP_URL.
//
// SMTP: one connection per message (no pool, so nothing lingers between
// messages or outlives close()), with every phase bounded, so a hung server
// fails a delivery in seconds instead of holding it forever. The transport is
// built from the URL's parts rather than handed the URL, because nodemailer
// lets query parameters in the URL (`?pool=true`, `?socketTimeout=0`)
// override the options set here. A failure's message may quote what the
// server said, and servers echo odd things: the URL's credentials are
// removed from it before it reaches a caller or a log.
//
// Outbox (the embedded default): each message is built by nodemailer exactly
// as it would go over SMTP and written as an .eml file into DATA_DIR/outbox,
// where `tracera mail` shows it, so a local user can follow a sign-up link
// without any mail server. Messages carry tokens, so files are private to
// their owner (0600 in a 0700 folder), and each is written under a temporary
// name then renamed, so a reader never sees half a message.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../../config.js';
import { REDACTED } from '../logger.js';

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  /** Resolves once the SMTP server accepted the message, or its outbox file is complete. */
  send(message: MailMessage): Promise<void>;
  close(): Promise<void>;
}

/** Connecting, DNS lookup included. */
const SMTP_CONNECTION_TIMEOUT_MS = 10_000;
/** From connected to the server's greeting. */
const SMTP_GREETING_TIMEOUT_MS = 10_000;
/** Longest silence from the server once the conversation has started. */
const SMTP_SOCKET_TIMEOUT_MS = 10_000;

const OUTBOX_DIR_MODE = 0o700;
const OUTBOX_FILE_MODE = 0o600;
const OUTBOX_SUFFIX_BYTES = 4;

/**
 * Only the fields of MailMessage reach nodemailer: an object that carries
 * more at run time (bcc, attachments) cannot widen what is sent.
 */
function mailOptions(from: string, message: MailMessage) {
  return {
    from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
  };
}

function redactedSmtpError(error: unknown, secrets: readonly string[]): Error {
  let text = error instanceof Error ? error.message : String(error);
  for (const secret of secrets) text = text.split(secret).join(REDACTED);
  return new Error(`SMTP delivery failed: ${text}`);
}

function smtpMailer(smtpUrl: string, from: string): Mailer {
  const url = new URL(smtpUrl);
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  // Longest first, so a password that contains the user name is removed whole.
  const secrets = [...new Set([url.password, pass, url.username, user])]
    .filter((secret) => secret !== '')
    .sort((a, b) => b.length - a.length);
  const transport = nodemailer.createTransport({
    // An IPv6 literal comes bracketed from URL; the socket wants it bare.
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? undefined : Number(url.port),
    secure: url.protocol === 'smtps:',
    auth: user === '' ? undefined : { user, pass },
    // Credentials never cross the network in clear: a plain smtp:// server
    // must offer STARTTLS before we log in.
    requireTLS: user !== '' && url.protocol === 'smtp:',
    pool: false,
    connectionTimeout: SMTP_CONNECTION_TIMEOUT_MS,
    greetingTimeout: SMTP_GREETING_TIMEOUT_MS,
    socketTimeout: SMTP_SOCKET_TIMEOUT_MS,
  });
  return {
    kind: 'smtp',
    async send(message) {
      try {
        await transport.sendMail(mailOptions(from, message));
      } catch (error) {
        throw redactedSmtpError(error, secrets);
      }
    },
    async close() {
      transport.close();
    },
  };
}

/** `20250102T030405678Z`: UTC, fixed width, so names sort by time. */
function sortableUtc(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/[-:.]/g, '');
}

function outboxMailer(outboxDir: string, from: string): Mailer {
  const transport = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'unix',
  });
  // Strictly increasing per mailer, so messages sent within one millisecond
  // still list in the order they were sent; the random suffix keeps names
  // apart across processes.
  let lastStampMs = 0;
  return {
    kind: 'outbox',
    async send(message) {
      const built = await transport.sendMail(mailOptions(from, message));
      lastStampMs = Math.max(Date.now(), lastStampMs + 1);
      const suffix = randomBytes(OUTBOX_SUFFIX_BYTES).toString('hex');
      const file = join(outboxDir, `${sortableUtc(lastStampMs)}-${suffix}.eml`);
      const partial = `${file}.tmp`;
      await mkdir(outboxDir, { recursive: true, mode: OUTBOX_DIR_MODE });
      // `buffer: true` makes the built message a Buffer rather than a stream.
      await writeFile(partial, built.message as Buffer, { mode: OUTBOX_FILE_MODE, flag: 'wx' });
      await rename(partial, file);
    },
    async close() {
      transport.close();
    },
  };
}

/** SMTP when `mail.smtpUrl` is set, the outbox folder otherwise; every message is From `mail.from`. */
export function createMailer(mail: Pick<Config['mail'], 'smtpUrl' | 'from' | 'outboxDir'>): Mailer {
  return mail.smtpUrl === null
    ? outboxMailer(mail.outboxDir, mail.from)
    : smtpMailer(mail.smtpUrl, mail.from);
}
