// Account mail is handed off, not awaited: a request that sends mail answers
// as fast as one that does not, so the time to answer says nothing about
// whether an account exists (S12), and a slow SMTP server cannot hold
// requests open. A failed delivery is logged, and the app waits for mail
// still in flight before it closes, so shutting down loses nothing.
import type { FastifyBaseLogger } from 'fastify';
import type { Mailer, MailMessage } from '../platform/mail/index.js';

export function createOutgoingMail(mailer: Mailer, log: FastifyBaseLogger) {
  const inFlight = new Set<Promise<void>>();
  return {
    /** `purpose` names the message in logs; the recipient and links are not logged. */
    send(message: MailMessage, purpose: string): void {
      const delivery = mailer.send(message).then(
        () => log.info({ purpose }, 'mail sent'),
        (error: Error) => log.error({ purpose, err: { message: error.message } }, 'mail failed'),
      );
      inFlight.add(delivery);
      void delivery.finally(() => inFlight.delete(delivery));
    },

    async drain(): Promise<void> {
      await Promise.allSettled([...inFlight]);
    },
  };
}

export type OutgoingMail = ReturnType<typeof createOutgoingMail>;
