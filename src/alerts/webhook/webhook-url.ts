// What a user may save as a webhook URL (S45), checked when it is saved:
// syntax only. It guarantees an absolute https URL of at most
// MAX_WEBHOOK_URL_LENGTH characters, with a host name or IP literal, no
// user name or password, and a usable port. It does not resolve the host:
// which address a name points to can change after saving, so the address
// check happens at delivery time, on the address actually connected to
// (connection.ts).

/** Long enough for any real webhook (Discord's are about 120 characters). */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** Why a URL cannot be a webhook. */
export type WebhookUrlRefusal = 'invalid_url' | 'too_long' | 'not_https' | 'credentials_in_url';

export type WebhookUrlCheck =
  /** `url` is the parsed form, `url.href` the normalized text to store. */
  | { readonly ok: true; readonly url: URL }
  | { readonly ok: false; readonly reason: WebhookUrlRefusal; readonly message: string };

function refuse(reason: WebhookUrlRefusal, message: string): WebhookUrlCheck {
  return { ok: false, reason, message };
}

/** Whether `text` may be saved as a webhook URL, and why not. */
export function checkWebhookUrl(text: string): WebhookUrlCheck {
  const trimmed = text.trim();
  if (trimmed.length > MAX_WEBHOOK_URL_LENGTH) {
    return refuse('too_long', `A webhook URL has at most ${MAX_WEBHOOK_URL_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return refuse('invalid_url', 'Not a valid absolute URL');
  }
  if (url.protocol !== 'https:') {
    return refuse('not_https', 'A webhook URL must start with https://');
  }
  if (url.username !== '' || url.password !== '') {
    return refuse('credentials_in_url', 'A webhook URL must not contain a user name or password');
  }
  if (url.hostname === '') return refuse('invalid_url', 'A webhook URL needs a host name');
  if (url.port === '0') return refuse('invalid_url', 'Port 0 cannot be connected to');
  return { ok: true, url };
}
