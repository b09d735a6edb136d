// What a webhook POSTs: the alert event as JSON in one of two formats. It
// guarantees the body is valid JSON text and, for "discord", within Discord's
// limits (content 2000 characters, embed title 256, description 4096), cut at a character boundary (never inside a surrogate pair) and
// marked with an ellipsis, and that it can mention nobody: item names and
// messages are user-influenced text, and `allowed_mentions` with no parse
// types stops an "@everyone" in them from pinging a whole server.

/** The alert that fired, as the rest of alerts hands it to delivery. */
export interface AlertEvent {
  readonly ruleId: string;
  /** The rule's kind, e.g. `price_above`; `test` for the test button. */
  readonly kind: string;
  /** The item the rule watches, or null for a rule about no one item. */
  readonly item: { readonly id: number; readonly name: string } | null;
  /** One human sentence saying what happened. */
  readonly message: string;
  /** The observed value that fired the rule (a price in cents, a percentage), or null. */
  readonly value: number | null;
  /** When the rule fired, ISO 8601. */
  readonly firedAt: string;
  /** Where the value came from, e.g. a market provider's name. */
  readonly source: string;
}

export type WebhookFormat = 'discord' | 'json';

/** Discord's documented limits, in characters. */
export const DISCORD_LIMITS = {
  content: 2000,
  embedTitle: 256,
  embedDescription: 4096,
} as const;

const ELLIPSIS = '…';

/**
 * `text` cut to at most `max` characters (UTF-16 code units, as Discord and
 * JavaScript count them), ending in an ellipsis when cut, never splitting a
 * surrogate pair.
 */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - ELLIPSIS.length;
  const last = text.charCodeAt(end - 1);
  // A high surrogate as the last kept unit would be half a character.
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end) + ELLIPSIS;
}

/** The event for a format, as the body's text. */
export function webhookBody(format: WebhookFormat, event: AlertEvent, eventId: string): string {
  return JSON.stringify(format === 'discord' ? discordMessage(event) : jsonMessage(event, eventId));
}

function jsonMessage(event: AlertEvent, eventId: string) {
  return {
    event_id: eventId,
    rule_id: event.ruleId,
    kind: event.kind,
    item: event.item,
    message: event.message,
    value: event.value,
    fired_at: event.firedAt,
    source: event.source,
  };
}

function discordMessage(event: AlertEvent) {
  const details = [
    `Rule: ${event.ruleId} (${event.kind})`,
    ...(event.value === null ? [] : [`Value: ${event.value}`]),
    `Source: ${event.source}`,
  ].join('\n');
  return {
    content: truncateText(event.message, DISCORD_LIMITS.content),
    embeds: [
      {
        title: truncateText(event.item?.name ?? 'Tracera alert', DISCORD_LIMITS.embedTitle),
        description: truncateText(details, DISCORD_LIMITS.embedDescription),
        timestamp: event.firedAt,
        footer: { text: 'Tracera' },
      },
    ],
    allowed_mentions: { parse: [] },
  };
}
