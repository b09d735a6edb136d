import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { envExample, withConfigTable } from '../../src/config/docs.js';
import { settings } from '../../src/config/settings.js';

it('the README configuration table matches the settings (run `npm run docs:config`)', () => {
  const readme = readFileSync('README.md', 'utf8');
  expect(readme).toBe(withConfigTable(readme));
  for (const name of Object.keys(settings)) expect(readme).toContain(`| \`${name}\` |`);
});

it('.env.example documents every setting (run `npm run docs:config`)', () => {
  expect(readFileSync('.env.example', 'utf8')).toBe(envExample());
});
