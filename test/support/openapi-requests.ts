// Requests drawn with fast-check from the app's own OpenAPI document, for the
// S23/S38 property run: every operation the document lists, with its path
// parameters, query string and JSON body each drawn from that operation's
// JSON schema, so most requests look valid and reach the handlers, and each
// field sometimes replaced by something hostile: U+0000, unpaired
// surrogates, overlong text, huge or negative zero or fractional numbers,
// arrays for scalars, objects for strings, wrong types and unknown fields.
// Nothing here names a route: a route added to the app is in the next run.
import fc from 'fast-check';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const METHODS: readonly Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** The part of JSON Schema that @fastify/swagger writes into the document and the generators read. */
export interface JsonSchema {
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  /** OpenAPI 3.0's spelling of a union with null. */
  readonly nullable?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly format?: string;
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
}

interface Parameter {
  readonly name: string;
  readonly in: string;
  readonly required?: boolean;
  readonly schema?: JsonSchema;
}

interface OpenApiOperation {
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: {
    readonly content?: Readonly<Record<string, { readonly schema?: JsonSchema }>>;
  };
}

export interface OpenApiDocument {
  readonly paths: Readonly<Record<string, Readonly<Record<string, OpenApiOperation>>>>;
}

export interface Operation {
  readonly method: Method;
  /** As the document writes it: `/api/v1/items/{id}`. */
  readonly path: string;
  readonly pathParameters: readonly Parameter[];
  readonly queryParameters: readonly Parameter[];
  /** The JSON body's schema; null when the operation takes no body. */
  readonly body: JsonSchema | null;
}

export function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, byMethod]) =>
    METHODS.flatMap((method) => {
      const operation = byMethod[method.toLowerCase()];
      if (!operation) return [];
      const parameters = operation.parameters ?? [];
      return [
        {
          method,
          path,
          pathParameters: parameters.filter((parameter) => parameter.in === 'path'),
          queryParameters: parameters.filter((parameter) => parameter.in === 'query'),
          body: operation.requestBody?.content?.['application/json']?.schema ?? null,
        },
      ];
    }),
  );
}

export interface GeneratedRequest {
  readonly operation: Operation;
  readonly pathValues: Readonly<Record<string, unknown>>;
  /** Fields of the query string; an array is a repeated field, an object `field[key]=`. */
  readonly query: Readonly<Record<string, unknown>>;
  /** The JSON body; undefined sends none. */
  readonly body: unknown;
}

// Hostile values ------------------------------------------------------------

const shortText = fc.string({ unit: 'grapheme-ascii', maxLength: 8 });
const withNul = fc.tuple(shortText, shortText).map(([before, after]) => `${before}\0${after}`);
/** Between ASCII characters, so the surrogate stays unpaired. */
const withLoneSurrogate = fc
  .tuple(shortText, fc.integer({ min: 0xd800, max: 0xdfff }), shortText)
  .map(([before, unit, after]) => `${before}${String.fromCharCode(unit)}${after}`);
const refusedText = fc.oneof(withNul, withLoneSurrogate);

/** Past every maxLength the schemas set, and past the 1 KiB and 64 KiB body limits. */
const overlongText = fc
  .tuple(
    fc.constantFrom(65, 101, 129, 201, 257, 321, 1025, 2049, 70_000),
    fc.constantFrom('x', 'é', '😀'),
  )
  .map(([count, character]) => character.repeat(count));

const extremeNumber = fc.constantFrom(
  1e308,
  -1e308,
  2 ** 63,
  -(2 ** 63),
  2 ** 53 + 2,
  2 ** 31,
  2 ** 31 - 1,
  -1,
  -0,
  0,
  0.5,
  1.5,
  Number.MIN_VALUE,
);

/** Numbers as a query string or a path can spell them. */
const numericText = fc.constantFrom(
  '1e308',
  '9223372036854775808',
  '-9223372036854775809',
  '2147483648',
  '-0',
  '0x10',
  '1.0',
  '1.5',
  ' 1',
  'NaN',
  'Infinity',
  '',
);

const fieldName = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 }) },
  { weight: 1, arbitrary: refusedText },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'role', 'id', 'email') },
);

const scalar = fc.oneof(
  refusedText,
  fc.string({ unit: 'binary', maxLength: 20 }),
  extremeNumber,
  fc.boolean(),
  fc.constant(null),
);

const hostile: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: refusedText },
  { weight: 1, arbitrary: overlongText },
  { weight: 2, arbitrary: extremeNumber },
  { weight: 1, arbitrary: numericText },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  { weight: 2, arbitrary: fc.dictionary(fieldName, scalar, { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

// Schema-valid values ---------------------------------------------------------

const TOKEN_CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Shaped like the app's 256-bit tokens, so they pass the format check and meet the lookup. */
const tokenLike = fc
  .array(fc.constantFrom(...TOKEN_CHARACTERS), { minLength: 43, maxLength: 43 })
  .map((characters) => characters.join(''));

const anyText = (minLength: number, maxLength: number) =>
  fc.oneof(
    fc.string({ unit: 'grapheme', minLength, maxLength }),
    fc.string({ unit: 'binary', minLength, maxLength }),
  );

/**
 * Text a field of this name would hold, where the name says more than the
 * schema does (an email, a password, a token, a cursor, a return path);
 * plain text of the schema's length otherwise.
 */
function textFor(name: string, schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = schema.maxLength ?? 64;
  if (schema.format === 'date-time') {
    return fc
      .date({ min: new Date(0), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((date) => date.toISOString());
  }
  if (schema.format === 'uri' || schema.pattern?.startsWith('^https')) {
    return fc.webUrl({ validSchemes: ['https'], withQueryParameters: true, withFragments: true });
  }
  if (/email/i.test(name)) {
    return fc.oneof(
      fc.emailAddress(),
      fc.emailAddress().map((email) => ` ${email.toUpperCase()} `),
      // Any text around one @ and a dot: Unicode, punctuation, what a mail library misreads.
      fc
        .tuple(anyText(1, 12), anyText(1, 12), anyText(1, 6))
        .map(([local, domain, top]) => `${local}@${domain}.${top}`),
      anyText(0, 40),
    );
  }
  if (/password/i.test(name)) {
    return fc.oneof(
      anyText(8, 40),
      fc.constantFrom('password', 'short', 'correct horse battery staple 42'),
      anyText(0, 200),
    );
  }
  if (/cursor/i.test(name)) {
    // A cursor is base64url text: encoded, NUL reaches the decoder.
    return fc
      .oneof(anyText(1, 40), withNul)
      .map((decoded) => Buffer.from(decoded, 'utf8').toString('base64url'));
  }
  if (/token|state|code/i.test(name)) return fc.oneof(tokenLike, anyText(0, 60));
  if (/return_to/i.test(name)) {
    return fc.oneof(
      fc.constantFrom('/account', '/', '//evil.example', '/a/..//evil.example', '/\\evil.example'),
      fc.webPath().map((path) => `/${path.replace(/^\/+/, '')}`),
      anyText(0, 80),
    );
  }
  if (name === 'q') {
    return fc
      .array(fc.constantFrom('ak', 'redline', 'fn', 'karambit', '★', '%', '_', '\\', 'AK-47'), {
        maxLength: 4,
      })
      .map((words) => words.join(' '));
  }
  return anyText(minLength, Math.min(maxLength, 64));
}

function integerFor(schema: JsonSchema): fc.Arbitrary<number> {
  const min = schema.minimum ?? -(2 ** 31);
  const max = schema.maximum ?? 2 ** 31 - 1;
  return fc.oneof(
    fc.integer({ min, max }),
    // Small values meet the rows a test seeds (items 1, 2, 3).
    fc.integer({ min: Math.max(min, 0), max: Math.min(max, Math.max(min, 0) + 5) }),
    fc.constantFrom(min, max),
  );
}

function validValue(schema: JsonSchema, name: string): fc.Arbitrary<unknown> {
  const variants = schema.anyOf ?? schema.oneOf;
  const base = variants
    ? fc.oneof(...variants.map((variant) => validValue(variant, name)))
    : schema.enum
      ? fc.constantFrom(...schema.enum)
      : typedValue(schema, name);
  return schema.nullable ? fc.oneof(base, fc.constant(null)) : base;
}

function typedValue(schema: JsonSchema, name: string): fc.Arbitrary<unknown> {
  switch (schema.type) {
    case 'string':
      return textFor(name, schema);
    case 'integer':
      return integerFor(schema);
    case 'number':
      return fc.double({
        noNaN: true,
        noDefaultInfinity: true,
        ...(schema.minimum === undefined ? {} : { min: schema.minimum }),
        ...(schema.maximum === undefined ? {} : { max: schema.maximum }),
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(fieldValue(schema.items ?? {}, name), { maxLength: 4 });
    case 'object':
      return objectFor(schema);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A valid text with U+0000 or a surrogate put in somewhere, so it reaches as far as a valid one would. */
function tainted(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc
    .tuple(valid, fc.nat(), fc.constantFrom('\0', '\uD800', '\uDBFF', '\uDC00', '\uDFFF'))
    .map(([value, at, refused]) => {
      if (typeof value !== 'string') return value;
      const position = at % (value.length + 1);
      return `${value.slice(0, position)}${refused}${value.slice(position)}`;
    });
}

/** Mostly what the schema asks for; now and then tainted, or something hostile instead. */
function fieldValue(schema: JsonSchema, name: string): fc.Arbitrary<unknown> {
  const valid = validValue(schema, name);
  return fc.oneof(
    { weight: 6, arbitrary: valid },
    { weight: 1, arbitrary: tainted(valid) },
    { weight: 1, arbitrary: hostile },
  );
}

/** Unknown fields, now and then. */
const extraFields: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: fc.dictionary(fieldName, hostile, { minKeys: 1, maxKeys: 2 }) },
);

/**
 * The properties of `properties`: required ones nearly always present,
 * optional ones half the time, each value from its schema or hostile, and
 * now and then an unknown field.
 */
function fieldsFor(
  properties: Readonly<Record<string, JsonSchema>>,
  required: ReadonlySet<string>,
): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.entries(properties).map(([name, schema]) =>
    fc
      .option(fieldValue(schema, name), { nil: undefined, freq: required.has(name) ? 20 : 2 })
      .map((value) => [name, value] as const),
  );
  return fc.tuple(fc.tuple(...fields), extraFields).map(([known, extra]) => ({
    ...extra,
    ...Object.fromEntries(known.filter(([, value]) => value !== undefined)),
  }));
}

function objectFor(schema: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  return fieldsFor(schema.properties ?? {}, new Set(schema.required ?? []));
}

function bodyFor(operation: Operation): fc.Arbitrary<unknown> {
  if (operation.method === 'GET') return fc.constant(undefined);
  if (operation.body === null) {
    // A body the route does not declare: it must be ignored or refused, never a 500.
    return fc.option(hostile, { nil: undefined, freq: 4 });
  }
  return fc.oneof(
    { weight: 8, arbitrary: validValue(operation.body, 'body') },
    { weight: 1, arbitrary: hostile },
  );
}

function parametersFor(parameters: readonly Parameter[]): fc.Arbitrary<Record<string, unknown>> {
  const properties = Object.fromEntries(
    parameters.map((parameter) => [parameter.name, parameter.schema ?? {}]),
  );
  const required = new Set(
    parameters.filter((parameter) => parameter.required).map((parameter) => parameter.name),
  );
  return fieldsFor(properties, required);
}

export function requestFor(operation: Operation): fc.Arbitrary<GeneratedRequest> {
  const pathValues = fc.tuple(
    ...operation.pathParameters.map((parameter) =>
      fieldValue(parameter.schema ?? {}, parameter.name).map(
        (value) => [parameter.name, value] as const,
      ),
    ),
  );
  return fc
    .record({
      pathValues,
      query: parametersFor(operation.queryParameters),
      body: bodyFor(operation),
    })
    .map(({ pathValues: values, query, body }) => ({
      operation,
      pathValues: Object.fromEntries(values),
      query,
      body,
    }));
}

// Rendering -------------------------------------------------------------------

/** Text as a client would put a value in a URL; -0 keeps its sign. */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A lone surrogate has no UTF-8 form; a client can still send its three bytes (WTF-8). */
export function percentEncode(text: string): string {
  if (!/\p{Cs}/u.test(text)) return encodeURIComponent(text);
  let encoded = '';
  for (const character of text) {
    const unit = character.charCodeAt(0);
    if (character.length === 1 && unit >= 0xd800 && unit <= 0xdfff) {
      encoded += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`)
        .join('');
    } else {
      encoded += encodeURIComponent(character);
    }
  }
  return encoded;
}

/** The query string's fields as sent, one pair per repeat. */
export function queryPairs(query: Readonly<Record<string, unknown>>): [string, string][] {
  return Object.entries(query).flatMap(([name, value]): [string, string][] => {
    if (Array.isArray(value)) return value.map((item) => [name, asText(item)]);
    if (typeof value === 'object' && value !== null) {
      return Object.entries(value).map(([key, item]) => [`${name}[${key}]`, asText(item)]);
    }
    return [[name, asText(value)]];
  });
}

/** A path parameter's text, before it is percent-encoded into the URL. */
export function pathText(value: unknown): string {
  return Array.isArray(value) ? value.map(asText).join(',') : asText(value);
}

export function urlOf(request: GeneratedRequest): string {
  const path = request.operation.path.replace(/\{([^}]+)\}/g, (_, name: string) =>
    percentEncode(pathText(request.pathValues[name])),
  );
  const query = queryPairs(request.query)
    .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
    .join('&');
  return query === '' ? path : `${path}?${query}`;
}

/** JSON as a client may write it: -0 is sent as `-0`, which JSON.stringify would write as `0`. */
export function bodyText(body: unknown): string {
  const NEGATIVE_ZERO = '\u{10FFFF}-0\u{10FFFF}';
  return JSON.stringify(body, (_key, value: unknown) =>
    Object.is(value, -0) ? NEGATIVE_ZERO : value,
  ).replaceAll(JSON.stringify(NEGATIVE_ZERO), '-0');
}
