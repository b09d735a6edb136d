// The two body formats, and Discord's limits held at their exact boundary.
import { describe, expect, it } from 'vitest';
import {
  type AlertEvent,
  DISCORD_LIMITS,
  truncateText,
  webhookBody,
} from '../../../src/alerts/webhook/payload.js';

const event: AlertEvent = {
  ruleId: 'rule-1',
  kind: 'price_above',
  item: { id: 7, name: 'AK-47 | Redline (Field-Tested)' },
  message: 'AK-47 | Redline is above $20.00',
  value: 2050,
  firedAt: '2026-12-05T12:00:00.000Z',
  source: 'demo',
};

function discord(overrides: Partial<AlertEvent>) {
  return JSON.parse(webhookBody('discord', { ...event, ...overrides }, 'evt-1'));
}

describe('webhook payloads', () => {
  it('truncateText keeps text at the limit and cuts one more with an ellipsis', () => {
    expect(truncateText('abcde', 5)).toBe('abcde');
    expect(truncateText('abcdef', 5)).toBe('abcd…');
  });

  it('truncateText never leaves half a surrogate pair', () => {
    // Cutting at 4 would keep "ab" and the first half of an emoji.
    const odd = truncateText(`ab${'😀'.repeat(3)}`, 4);
    expect(odd).toBe('ab…');
    expect(odd.isWellFormed()).toBe(true);
    const even = truncateText(`abc${'😀'.repeat(3)}`, 6);
    expect(even).toBe('abc😀…');
  });

  it('Discord content, title and description stay within Discord’s limits', () => {
    const long = discord({
      message: 'm'.repeat(10_000),
      item: { id: 1, name: 'n'.repeat(1000) },
      ruleId: 'r'.repeat(9000),
    });
    expect(long.content).toHaveLength(DISCORD_LIMITS.content);
    expect(long.content.endsWith('…')).toBe(true);
    expect(long.embeds[0].title).toHaveLength(DISCORD_LIMITS.embedTitle);
    expect(long.embeds[0].description).toHaveLength(DISCORD_LIMITS.embedDescription);
  });

  it('Discord content of exactly 2000 characters is sent whole', () => {
    expect(discord({ message: 'm'.repeat(2000) }).content).toBe('m'.repeat(2000));
  });

  it('Discord messages mention nobody, whatever the text says', () => {
    expect(discord({ message: '@everyone @here <@123>' }).allowed_mentions).toEqual({ parse: [] });
  });

  it('an alert about no item is titled "Tracera alert" and omits a missing value', () => {
    const body = discord({ item: null, value: null });
    expect(body.embeds[0].title).toBe('Tracera alert');
    expect(body.embeds[0].description).toBe('Rule: rule-1 (price_above)\nSource: demo');
  });

  it('the json format is the event in snake_case with its event id', () => {
    expect(JSON.parse(webhookBody('json', event, 'evt-9'))).toEqual({
      event_id: 'evt-9',
      rule_id: 'rule-1',
      kind: 'price_above',
      item: { id: 7, name: 'AK-47 | Redline (Field-Tested)' },
      message: event.message,
      value: 2050,
      fired_at: event.firedAt,
      source: 'demo',
    });
  });
});
