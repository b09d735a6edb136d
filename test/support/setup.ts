// Runs before every test file (vitest `setupFiles`): the clean-up the support
// modules need, registered once per file. Hooks registered at a support
// module's top level would run only in the first file that imports it when
// modules are shared between files.
import { afterAll, afterEach, beforeEach } from 'vitest';
import { backendsLoadedFor, closeFileDatabase, deleteTestKeys, startTest } from './backends.js';
import { killChildren } from './cli.js';

// Modules shared between files must have been loaded for this file's project.
if (backendsLoadedFor !== process.env.TRACERA_TEST_BACKENDS) {
  throw new Error(
    `test/support/backends.ts was loaded for ${backendsLoadedFor} backends, this file runs on ${process.env.TRACERA_TEST_BACKENDS}`,
  );
}

beforeEach(startTest);
afterEach(killChildren);
afterAll(async () => {
  await closeFileDatabase();
  await deleteTestKeys();
});
