// The messages accounts send. Every link is built from BASE_URL, never from
// the request's Host header, so a forged Host cannot send a user's token to
// someone else's server (S13).
import { API_PREFIX } from '../http/api-prefix.js';
import { escapeHtml, type MailMessage } from '../platform/mail/index.js';

function message(
  to: string,
  subject: string,
  paragraphs: readonly string[],
  link: { readonly url: string; readonly label: string },
): MailMessage {
  const text = [...paragraphs, '', `${link.label}: ${link.url}`, '', '-- Tracera'].join('\n');
  const html = [
    ...paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    `<p><a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a></p>`,
    `<p>Or paste this address into your browser:<br>${escapeHtml(link.url)}</p>`,
    '<p>-- Tracera</p>',
  ].join('\n');
  return { to, subject, text, html };
}

export function accountEmails(baseUrl: string) {
  const link = (path: string, token?: string) =>
    token === undefined ? `${baseUrl}${path}` : `${baseUrl}${path}?token=${token}`;
  return {
    verifyEmail: (to: string, token: string) =>
      message(
        to,
        'Confirm your email for Tracera',
        [
          'Welcome to Tracera. Confirm this address to finish creating your account: the page asks for the password you chose when you signed up.',
          'The link works once, for 24 hours. If you did not sign up, ignore this message: no account is made without the password.',
        ],
        { url: link('/verify-email', token), label: 'Confirm your email' },
      ),
    accountExists: (to: string) =>
      message(
        to,
        'Sign-up attempt for your Tracera account',
        [
          'Someone tried to create a Tracera account with this address, which already has one.',
          'If it was you, sign in, or reset your password if you have forgotten it or never confirmed the account. If not, you can ignore this message.',
        ],
        { url: link('/sign-in'), label: 'Sign in to Tracera' },
      ),
    passwordReset: (to: string, token: string) =>
      message(
        to,
        'Reset your Tracera password',
        [
          'Someone asked to reset the password of this Tracera account.',
          'The link works once, for one hour. If it was not you, ignore this message; your password stays as it is.',
        ],
        { url: link('/reset-password', token), label: 'Choose a new password' },
      ),
    magicLink: (to: string, token: string, expiryMinutes: number) =>
      message(
        to,
        'Your Tracera sign-in link',
        [
          `Use this link to sign in to Tracera. It works once, for ${expiryMinutes} minutes.`,
          'If you did not ask for it, ignore this message.',
        ],
        { url: link(`${API_PREFIX}/auth/magic/verify`, token), label: 'Sign in to Tracera' },
      ),
  };
}

export type AccountEmails = ReturnType<typeof accountEmails>;
