// A real SMTP server on 127.0.0.1 standing in for the mail provider: the app
// sends through its real SMTP client, and tests read what arrived.

import { EventEmitter } from 'node:events';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { linksIn } from '../../src/platform/mail/outbox.js';
import { WAIT_BOUND_MS } from './backends.js';

export interface ReceivedMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly links: readonly string[];
}

function addressOf(parsed: ParsedMail): string {
  const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
  return to?.value[0]?.address ?? '';
}

export interface SmtpPeer {
  readonly url: string;
  readonly received: ReceivedMail[];
  /** The next message to `to` not yet taken, waiting for it to arrive (or failing past the bound). */
  nextMailTo(to: string, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

export async function startSmtpPeer(): Promise<SmtpPeer> {
  const received: ReceivedMail[] = [];
  const taken = new Set<ReceivedMail>();
  const arrivals = new EventEmitter();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, done) {
      simpleParser(stream).then(
        (parsed) => {
          const text = parsed.text ?? '';
          received.push({
            to: addressOf(parsed),
            subject: parsed.subject ?? '',
            text,
            html: typeof parsed.html === 'string' ? parsed.html : '',
            links: linksIn(text),
          });
          arrivals.emit('mail');
          done();
        },
        (error: Error) => done(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    nextMailTo(to, timeoutMs = WAIT_BOUND_MS) {
      return new Promise((resolve, reject) => {
        const take = () => {
          const mail = received.find((candidate) => candidate.to === to && !taken.has(candidate));
          if (!mail) return;
          taken.add(mail);
          clearTimeout(timer);
          arrivals.off('mail', take);
          resolve(mail);
        };
        const timer = setTimeout(() => {
          arrivals.off('mail', take);
          reject(new Error(`no mail to ${to} within ${timeoutMs} ms`));
        }, timeoutMs);
        arrivals.on('mail', take);
        take();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
