// Vitest's global setup: the tests serve the built web app (web/dist), so it
// is built once before any of them when it is missing or older than its
// sources, never by several test files at once.
import { ensureWebBuild } from '../../src/cli/web-build.js';

export default async function setup(): Promise<void> {
  await ensureWebBuild();
}
