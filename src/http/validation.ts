// S23: request bodies are validated strictly (no type coercion, unknown fields
// refused where a schema says `additionalProperties: false`), so a mistyped
// body is a 400 and never reaches a handler as something it is not. Query
// strings and path parameters arrive as text and are coerced to the schema's
// types, which is the only way to read `?limit=20` as a number.
//
// S38: before the schema is checked, every string in the request part (field
// names included, wherever they sit) must be text the database can store and
// that is well-formed Unicode (`isStorableText`). The check sits here, in
// the one compiler every route's schemas go through, so a route cannot forget
// it; a part a route reads must therefore have a schema.
//
// After the schema, the part must hold no number that is not finite: Ajv
// turns a query's "Infinity" or "1e400" into Infinity and lets it past the
// schema's maximum, and JSON reads 1e400 as Infinity too; such a value would
// fail the database or the response's serializer instead of the request.
//
// Each route's OpenAPI entry lists the refusals it can get here: a 400 when
// it validates a part or takes a body, and for a body also 413 (over the
// route's bodyLimit) and 415 (not JSON).
import { Ajv, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../platform/errors.js';
import { isStorableText } from '../platform/text.js';
import { documentResponses, ERRORS } from './openapi.js';

const REFUSED_TEXT = 'must not contain U+0000 or unpaired surrogates';
const REFUSED_FIELD_NAME = 'must not have a field name with U+0000 or unpaired surrogates';
const REFUSED_NUMBER = 'must be a finite number';

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

/** Why a value (not an array or object) at `path` is refused, or null when it is not. */
type LeafCheck = (value: unknown, path: string) => string | null;

const storableText: LeafCheck = (value, path) =>
  typeof value === 'string' && !isStorableText(value) ? `${path} ${REFUSED_TEXT}` : null;

const finiteNumber: LeafCheck = (value, path) =>
  typeof value === 'number' && !Number.isFinite(value) ? `${path} ${REFUSED_NUMBER}` : null;

/**
 * Why `data` (the request part `part`) is refused, naming the field as
 * Fastify's own messages do (`body/email ...`), or null when every value in
 * it passes `check` (and every field name is storable text). A loop over a
 * work list rather than recursion, so a deeply nested body cannot overflow
 * the stack.
 */
function refused(data: unknown, part: string, check: LeafCheck): string | null {
  const pending: [value: unknown, path: string][] = [[data, part]];
  for (let index = 0; index < pending.length; index += 1) {
    const [value, path] = pending[index] as [unknown, string];
    const leaf = check(value, path);
    if (leaf !== null) return leaf;
    if (Array.isArray(value)) {
      for (let position = 0; position < value.length; position += 1) {
        pending.push([value[position], `${path}/${position}`]);
      }
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (!isStorableText(key)) return `${path} ${REFUSED_FIELD_NAME}`;
        pending.push([item, `${path}/${key}`]);
      }
    }
  }
  return null;
}

/** Fastify's contract for a compiled validator: a boolean with `errors`, or `{ error }`. */
interface CheckedValidator {
  (data: unknown, context?: Parameters<ValidateFunction>[1]): boolean | { error: ApiError };
  errors: ValidateFunction['errors'];
  /** Present on Ajv's functions; Fastify passes the parent data when it is, so defaults reach the root. */
  schemaEnv: ValidateFunction['schemaEnv'];
}

/** Runs the S38 check on a request part, then the schema's own validator, then the number check. */
function checkingText(validate: ValidateFunction, part: string): CheckedValidator {
  const checked: CheckedValidator = Object.assign(
    (data: unknown, context?: Parameters<ValidateFunction>[1]) => {
      const refusal = refused(data, part, storableText);
      if (refusal !== null) return { error: new ApiError(400, refusal) };
      const valid = context === undefined ? validate(data) : validate(data, context);
      checked.errors = validate.errors;
      if (!valid) return false;
      // Ajv coerces a part's fields in place, and a part that is itself a value in its parent.
      const asCoerced = context
        ? (context.parentData as Record<string | number, unknown>)[context.parentDataProperty]
        : data;
      const coerced = refused(asCoerced, part, finiteNumber);
      return coerced === null ? true : { error: new ApiError(400, coerced) };
    },
    { errors: null, schemaEnv: validate.schemaEnv },
  );
  return checked;
}

/** Fastify reads a body on every method but these. */
const BODYLESS_METHODS = new Set(['GET', 'HEAD']);

export function registerValidation(app: FastifyInstance): void {
  const body = compiler({ coerceTypes: false });
  const text = compiler({ coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    checkingText((httpPart === 'body' ? body : text).compile(schema), httpPart ?? 'request'),
  );
  app.addHook('onRoute', (route) => {
    const takesBody = [route.method].flat().some((method) => !BODYLESS_METHODS.has(method));
    const { schema } = route;
    if (takesBody) {
      documentResponses(route, {
        400: ERRORS.badRequest,
        413: ERRORS.bodyTooLarge,
        415: ERRORS.notJson,
      });
    } else if (schema?.querystring || schema?.params || schema?.headers) {
      documentResponses(route, { 400: ERRORS.badRequest });
    }
  });
}
