// Run by `npm install` (postinstall): see src/platform/db/pglite-template.ts.
// A failure here only makes the first start slower, so it never fails the install.
import { writePGliteTemplate } from '../src/platform/db/pglite-template.js';

try {
  const started = Date.now();
  const file = await writePGliteTemplate();
  process.stdout.write(
    `Prepared the embedded database template in ${Date.now() - started} ms: ${file}\n`,
  );
} catch (error) {
  process.stderr.write(
    `Could not prepare the embedded database template (${(error as Error).message}); first start will be slower.\n`,
  );
}
