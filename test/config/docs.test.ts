import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import { CONFIG_DOC_PATH, envExample, withConfigTable } from '../../src/config/docs.js';
import { settings } from '../../src/config/settings.js';

it('the configuration table in docs/configuration.md matches the settings (run `npm run docs:config`)', () => {
  const page = readFileSync(CONFIG_DOC_PATH, 'utf8');
  expect(page).toBe(withConfigTable(page));
  for (const name of Object.keys(settings)) expect(page).toContain(`| \`${name}\` |`);
});

it('.env.example documents every setting (run `npm run docs:config`)', () => {
  expect(readFileSync('.env.example', 'utf8')).toBe(envExample());
});

/** The anchors GitHub gives a page's headings. */
function headingAnchors(page: string): Set<string> {
  const anchors = new Set<string>();
  for (const [, heading] of readFileSync(page, 'utf8').matchAll(/^#{1,6} (.+)$/gm)) {
    anchors.add(
      (heading ?? '')
        .toLowerCase()
        .replace(/[^a-z0-9 _-]/g, '')
        .replace(/ /g, '-'),
    );
  }
  return anchors;
}

it('README.md and docs/ link only to files and headings in the repository', () => {
  // Pages only: docs/ also holds the README's screenshot.
  const pages = [
    'README.md',
    ...readdirSync('docs')
      .filter((name) => name.endsWith('.md'))
      .map((name) => join('docs', name)),
  ];
  const missing: string[] = [];
  for (const page of pages) {
    for (const [, target, anchor] of readFileSync(page, 'utf8').matchAll(
      /\]\(([^)\s#]*)(?:#([^)\s]*))?\)/g,
    )) {
      if (/^[a-z]+:/.test(target ?? '')) continue;
      const file = target ? join(dirname(page), target) : page;
      if (!existsSync(file)) missing.push(`${page} -> ${target}`);
      else if (anchor && file.endsWith('.md') && !headingAnchors(file).has(anchor)) {
        missing.push(`${page} -> ${target}#${anchor}`);
      }
    }
  }
  expect(missing).toEqual([]);
});
