// S29: only Let's Encrypt's staging ACME server may appear in the deploy
// files. Every file under deploy/ is scanned, whatever its kind, so a
// production directory cannot slip in through a comment, an override file
// or a command-line flag.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Any production ACME host of Let's Encrypt: acme-v01/acme-v02, not the staging ones. */
const PRODUCTION_ACME = /acme-v0\d\.api\.letsencrypt\.org/i;

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

function productionAcmeMentions(folder: string): string[] {
  return filesUnder(folder).filter((file) => PRODUCTION_ACME.test(readFileSync(file, 'latin1')));
}

describe('S29 ACME directory', () => {
  it('no file under deploy/ names a production Let’s Encrypt directory', () => {
    expect(filesUnder('deploy').length).toBeGreaterThan(5);
    expect(productionAcmeMentions('deploy')).toEqual([]);
  });

  it('the pattern tells production from staging', () => {
    expect(PRODUCTION_ACME.test('https://acme-v02.api.letsencrypt.org/directory')).toBe(true);
    expect(PRODUCTION_ACME.test('https://acme-staging-v02.api.letsencrypt.org/directory')).toBe(
      false,
    );
  });
});
