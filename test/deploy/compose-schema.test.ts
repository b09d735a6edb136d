// deploy/compose.yaml against the Compose Specification's published JSON
// schema (vendored: see test/deploy/fixtures/README.md), so a misspelt or
// misplaced key fails here rather than on the first `docker compose up`.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

type SchemaNode = { [key: string]: unknown };

/** Ajv reads `$id`; this copy still names its schemas with draft-04's `id`. */
function withoutDraft4Ids(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  const schema = node as SchemaNode;
  if (typeof schema.id === 'string') delete schema.id;
  delete schema.$schema;
  for (const child of Object.values(schema)) withoutDraft4Ids(child);
}

function composeValidator() {
  const schema = JSON.parse(readFileSync('test/deploy/fixtures/compose-spec.json', 'utf8'));
  withoutDraft4Ids(schema);
  // The project name, a top-level key since 2022, after this copy was taken.
  schema.properties.name = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' };
  return new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
}

const composeFile = () => parse(readFileSync('deploy/compose.yaml', 'utf8'), { strict: true });

describe('deploy/compose.yaml against the Compose Specification schema', () => {
  const validate = composeValidator();

  it('is valid', () => {
    const valid = validate(composeFile());
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the check would catch a misspelt key and a wrong type', () => {
    const broken = composeFile();
    broken.services.app.readonly = true;
    broken.services.redis.read_only = 'yes';
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.map((error) => error.instancePath)).toEqual(
      expect.arrayContaining(['/services/app', '/services/redis/read_only']),
    );
  });
});
