import { readFileSync } from 'node:fs';
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
