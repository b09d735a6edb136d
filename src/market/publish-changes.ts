// How the pipeline announces changes on its channels (PRICES_CHANNEL,
// VOLATILITY_CHANNEL): JSON arrays of at most CHANGES_PER_MESSAGE changes,
// published together, so Redis keeps their order and a subscriber reads a
// tick in a few messages.
import { inBatches } from '../platform/batches.js';
import type { Store } from '../platform/store/index.js';
import { CHANGES_PER_MESSAGE } from './types.js';

export async function publishChanges(
  store: Store,
  channel: string,
  changes: readonly object[],
): Promise<void> {
  await Promise.all(
    [...inBatches(changes, CHANGES_PER_MESSAGE)].map((batch) =>
      store.publish(channel, JSON.stringify(batch)),
    ),
  );
}
