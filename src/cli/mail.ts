// `tracera mail`: the latest messages in the outbox, newest first, with their
// links on lines of their own, so a local user without a mail server can
// finish sign-up or sign-in by opening a link. With SMTP_URL set, mail leaves
// through the server and the outbox is not used; saying so (and exiting 0)
// beats listing stale files as if they were current.
import { InvalidArgumentError } from 'commander';
import { readOutbox } from '../platform/mail/index.js';
import { configOrExit } from './startup.js';

export const MAIL_LIMIT_DEFAULT = 10;
export const MAIL_LIMIT_MAX = 1000;

/** commander argument parser for --limit: a whole number from 1 to MAIL_LIMIT_MAX. */
export function parseMailLimit(value: string): number {
  const limit = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(limit >= 1 && limit <= MAIL_LIMIT_MAX)) {
    throw new InvalidArgumentError(`Must be a whole number from 1 to ${MAIL_LIMIT_MAX}.`);
  }
  return limit;
}

export async function runMail(options: { readonly limit: number }): Promise<void> {
  const { mail } = configOrExit();
  if (mail.smtpUrl !== null) {
    // The host only: the URL may carry credentials.
    process.stdout.write(
      `SMTP_URL is set: mail goes to the SMTP server ${new URL(mail.smtpUrl).host}; the outbox is not used.\n`,
    );
    return;
  }
  const messages = await readOutbox(mail.outboxDir, options.limit);
  if (messages.length === 0) {
    process.stdout.write(`No messages in ${mail.outboxDir}\n`);
    return;
  }
  const lines = [`Newest first, from ${mail.outboxDir}:`];
  for (const message of messages) {
    lines.push(
      '',
      message.date.toISOString(),
      `  To:      ${message.to}`,
      `  Subject: ${message.subject}`,
      ...message.links.map((link) => `  Link:    ${link}`),
      `  File:    ${message.file}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
