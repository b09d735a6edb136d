export { escapeHtml } from './html.js';
export { createMailer, type Mailer, type MailMessage } from './mailer.js';
export { type OutboxMessage, readOutbox } from './outbox.js';
