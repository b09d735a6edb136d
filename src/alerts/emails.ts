// The alert emails: one alert, or a digest of several that fired in the
// same pass. Links are built from BASE_URL (S13), and every text the market
// or the user supplied is escaped in the HTML part.
import { escapeHtml, type MailMessage } from '../platform/mail/index.js';

export interface EmailedFiring {
  readonly title: string;
  readonly message: string;
  readonly fired_at: Date;
}

function compose(
  to: string,
  subject: string,
  firings: readonly EmailedFiring[],
  historyUrl: string,
): MailMessage {
  const lines = firings.map((firing) => `${firing.fired_at.toISOString()}  ${firing.message}`);
  const text = [
    ...lines,
    '',
    `Your alerts and their history: ${historyUrl}`,
    'Pause or change a rule there to get fewer of these.',
    '',
    '-- Tracera',
  ].join('\n');
  const html = [
    '<ul>',
    ...firings.map(
      (firing) =>
        `<li><strong>${escapeHtml(firing.title)}</strong><br>${escapeHtml(firing.message)}</li>`,
    ),
    '</ul>',
    `<p><a href="${escapeHtml(historyUrl)}">Your alerts and their history</a>. Pause or change a rule there to get fewer of these.</p>`,
    '<p>-- Tracera</p>',
  ].join('\n');
  return { to, subject, text, html };
}

export function alertEmail(baseUrl: string, to: string, firing: EmailedFiring): MailMessage {
  return compose(to, `Tracera alert: ${firing.title}`, [firing], `${baseUrl}/alerts`);
}

export function alertDigestEmail(
  baseUrl: string,
  to: string,
  firings: readonly EmailedFiring[],
): MailMessage {
  return compose(to, `Tracera: ${firings.length} alerts fired`, firings, `${baseUrl}/alerts`);
}
