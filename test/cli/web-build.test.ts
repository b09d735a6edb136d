// When `npm start` and `npm install` build the web app: when its build is
// missing, or older than any file under its sources (src/cli/web-build.ts).
import { mkdir, mkdtemp, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBuildCurrent, isWebBuildCurrent, WEB_BUILD_SOURCES } from '../../src/cli/web-build.js';

async function touch(path: string, at: number): Promise<void> {
  await writeFile(path, 'x');
  await utimes(path, at / 1000, at / 1000);
}

describe('the web build is rebuilt', () => {
  it('when it is missing, or a source anywhere under the sources is newer', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tracera-web-build-'));
    const sources = join(root, 'src');
    await mkdir(join(sources, 'pages'), { recursive: true });
    const built = join(root, 'index.html');
    const now = Date.now();
    await touch(join(sources, 'pages', 'page.tsx'), now - 60_000);
    // A folder changes when a file is added or removed: that counts too.
    for (const folder of [join(sources, 'pages'), sources]) {
      await utimes(folder, (now - 60_000) / 1000, (now - 60_000) / 1000);
    }
    expect(await isBuildCurrent(built, [sources])).toBe(false);

    await touch(built, now - 30_000);
    expect(await isBuildCurrent(built, [sources, join(root, 'no-such-folder')])).toBe(true);

    await touch(join(sources, 'pages', 'page.tsx'), now);
    expect(await isBuildCurrent(built, [sources])).toBe(false);
  });

  it('when the packages it bundles change: an install updates package.json or its lock', () => {
    const repository = join(import.meta.dirname, '..', '..');
    expect(WEB_BUILD_SOURCES).toEqual(
      expect.arrayContaining([
        join(repository, 'package.json'),
        join(repository, 'package-lock.json'),
      ]),
    );
  });

  it('not when the tests start: their global setup has just built it', async () => {
    expect(await isWebBuildCurrent()).toBe(true);
  });
});
