import { afterEach, expect, it } from 'vitest';
import { publishChanges } from '../../src/market/publish-changes.js';
import { CHANGES_PER_MESSAGE } from '../../src/market/types.js';
import { openTestStore, type TestStore } from '../support/backends.js';

let harness: TestStore | null = null;

afterEach(async () => {
  await harness?.store.close();
  harness = null;
});

it('publishes changes as JSON arrays of at most CHANGES_PER_MESSAGE, in order', async () => {
  harness = await openTestStore();
  const { store } = harness;
  const received: string[] = [];
  await store.subscribe('changes', (message) => received.push(message));
  const changes = Array.from({ length: 2 * CHANGES_PER_MESSAGE + 1 }, (_, index) => ({ index }));

  await publishChanges(store, 'changes', changes);
  await publishChanges(store, 'changes', []);
  await store.publish('changes', 'marker');

  await expect.poll(() => received.at(-1)).toBe('marker');
  const messages = received.slice(0, -1).map((text) => JSON.parse(text) as { index: number }[]);
  expect(messages.map((message) => message.length)).toEqual([
    CHANGES_PER_MESSAGE,
    CHANGES_PER_MESSAGE,
    1,
  ]);
  expect(messages.flat()).toEqual(changes);
});
