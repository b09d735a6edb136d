// The configuration table in docs/configuration.md and `.env.example`,
// written from the settings list so they always say what the code does.
import { type Setting, settings } from './settings.js';

/** The page that holds the generated table, from the repository root. */
export const CONFIG_DOC_PATH = 'docs/configuration.md';

function entries(): [string, Setting<unknown>][] {
  return Object.entries(settings) as [string, Setting<unknown>][];
}

function defaultText(setting: Setting<unknown>): string {
  if (setting.defaultDoc) return setting.defaultDoc;
  if (typeof setting.default === 'string') return setting.default;
  return '';
}

export const CONFIG_TABLE_START = '<!-- config-table:start (npm run docs:config) -->';
export const CONFIG_TABLE_END = '<!-- config-table:end -->';

export function configTable(): string {
  const rows = entries().map(([name, setting]) => {
    const fallback = defaultText(setting);
    const shown = fallback === '' ? '(unset)' : `\`${fallback}\``;
    return `| \`${name}\` | ${shown} | ${setting.doc} Must be ${setting.rule}. |`;
  });
  return ['| Variable | Default | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

export function envExample(): string {
  const blocks = entries().map(([name, setting]) => {
    const fallback = defaultText(setting);
    return [`# ${setting.doc}`, `# Must be ${setting.rule}.`, `# ${name}=${fallback}`].join('\n');
  });
  return [
    '# Tracera reads these from the environment, over a .env file in its working directory.',
    '# Every line is commented out: the value shown is the default, or empty when unset.',
    '',
    blocks.join('\n\n'),
    '',
  ].join('\n');
}

/** Replaces the table between the markers in a Markdown page. */
export function withConfigTable(page: string): string {
  const start = page.indexOf(CONFIG_TABLE_START);
  const end = page.indexOf(CONFIG_TABLE_END);
  if (start === -1 || end < start) throw new Error('no configuration table markers in the page');
  return `${page.slice(0, start + CONFIG_TABLE_START.length)}\n${configTable()}\n${page.slice(end)}`;
}
