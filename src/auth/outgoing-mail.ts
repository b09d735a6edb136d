// Account mail, sent from deferred work (deferred-work.ts) once the request
// has been answered, so its timing says nothing about an account (S12).
// S40: at most `perAddressPerHour` messages of each kind go to one address
// in any hour; past that nothing is sent. Requests answer the same either
// way, so the cap neither tells anything nor lets anyone flood a mailbox.
// A failed delivery is logged, not thrown: the requester was already told
// to check their inbox, and the job's other work (audit) still happens.
import type { FastifyBaseLogger } from 'fastify';
import type { Mailer, MailMessage } from '../platform/mail/index.js';
import type { Store } from '../platform/store/index.js';
import { HOUR_MS } from '../platform/time.js';
import { hashToken } from './tokens.js';

export type MailKind = 'verify-email' | 'account-exists' | 'password-reset' | 'magic-link';

export interface OutgoingMailOptions {
  readonly mailer: Mailer;
  readonly store: Store;
  readonly log: FastifyBaseLogger;
  readonly now: () => number;
  readonly perAddressPerHour: number;
}

export function createOutgoingMail(options: OutgoingMailOptions) {
  const { mailer, store, log, now } = options;
  const window = { limit: options.perAddressPerHour, windowMs: HOUR_MS };
  return {
    /** Sends unless the address had its hourly share of `kind`; the recipient and links are not logged. */
    async send(message: MailMessage, kind: MailKind): Promise<void> {
      const key = `mail-cap:${kind}:${hashToken(message.to.toLowerCase())}`;
      const { admitted } = await store.admit(key, window, now());
      if (!admitted) {
        log.info({ purpose: kind }, 'mail not sent: this address had its hourly share');
        return;
      }
      try {
        await mailer.send(message);
        log.info({ purpose: kind }, 'mail sent');
      } catch (error) {
        log.error({ purpose: kind, err: { message: (error as Error).message } }, 'mail failed');
      }
    },
  };
}

export type OutgoingMail = ReturnType<typeof createOutgoingMail>;
