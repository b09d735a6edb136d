// S23: request bodies are validated strictly (no type coercion, unknown fields
// refused where a schema says `additionalProperties: false`), so a mistyped
// body is a 400 and never reaches a handler as something it is not. Query
// strings and path parameters arrive as text and are coerced to the schema's
// types, which is the only way to read `?limit=20` as a number.
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

function compiler(options: Options): Ajv {
  const ajv = new Ajv({
    allErrors: false,
    removeAdditional: false,
    useDefaults: true,
    ...options,
  });
  addFormats.default(ajv);
  return ajv;
}

export function registerValidation(app: FastifyInstance): void {
  const body = compiler({ coerceTypes: false });
  const text = compiler({ coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? body : text).compile(schema),
  );
}
