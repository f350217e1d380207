/**
 * The one strict-body rule of the monitoring API, and how its routes read requests. Set once per
 * encapsulated context (the plugin's, and the alert and incident routes' own, so they hold when
 * mounted on their own); the host application's parsers and validators are left alone:
 * - bodies are validated without type coercion: `["high"]` or `5` where a string belongs is a
 *   400 naming the field, not silently turned into `"high"` / `"5"`. Query strings and path
 *   parameters arrive as text, so they keep Fastify's coercion (`?limit=10` is the number 10);
 * - unknown keys in a body are refused, never stripped: a body schema closes its objects with
 *   `additionalProperties: false`, and a key it does not list is a 400 naming that key
 *   (`field: "titel"`, detail "is not a field of this body"), its value never repeated. Fastify's
 *   default (`removeAdditional`) would drop it silently: a typo such as `label` for `labels`
 *   would be accepted and lost. A schema that must take what its producer adds (the Alertmanager
 *   webhook payload) says `additionalProperties: true` explicitly;
 * - the only body accepted is `application/json` (anything else: 415 `unsupported_media_type`);
 * - a JSON body with a `__proto__` key, or a `constructor` key holding `prototype`, is refused
 *   with a 400 naming that key (`labels.__proto__`), rather than as "not valid JSON".
 */
import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { RequestProblem } from './errors.ts';
import { safeSegment } from './problem.ts';

const validators = AjvCompiler();
/** Fastify's own Ajv settings (coercion, defaults) for querystring, params and headers. */
const coercing = validators({}, { customOptions: {} });
/** For bodies: no coercion, and an unknown key is an error rather than removed. */
const strict = validators({}, { customOptions: { coerceTypes: false, removeAdditional: false } });

/** What Ajv reports for a key a closed object does not list (its own words are about the object). */
const UNKNOWN_KEY = 'is not a field of this body';

type BodyValidator = ((data: unknown, context?: unknown) => unknown) & {
  errors?: Array<{ keyword: string; message?: string }> | null;
};

/**
 * A body validator whose unknown-key errors read as such: the problem says "body field 'titel'
 * is not a field of this body" rather than Ajv's "must NOT have additional properties".
 */
function namingUnknownKeys(validate: BodyValidator): BodyValidator {
  const wrapped: BodyValidator = Object.assign(
    (data: unknown, context?: unknown) => {
      const result = validate(data, context);
      wrapped.errors = validate.errors;
      for (const e of validate.errors ?? [])
        if (e.keyword === 'additionalProperties') e.message = UNKNOWN_KEY;
      return result;
    },
    // Fastify passes the parent object to a validator that has Ajv's `schemaEnv` (defaults at the root).
    { schemaEnv: (validate as { schemaEnv?: unknown }).schemaEnv },
  );
  return wrapped;
}

export const validatorCompiler: FastifySchemaCompiler<unknown> = (route) => {
  const schema = route as Parameters<typeof strict>[0];
  if (route.httpPart !== 'body') return coercing(schema);
  return namingUnknownKeys(strict(schema) as BodyValidator) as ReturnType<typeof strict>;
};

/** The path of the first `__proto__` key, or `constructor` key holding `prototype`, in `value`. */
export function forbiddenKey(value: unknown): string | undefined {
  const stack: Array<{ node: unknown; path: string }> = [{ node: value, path: '' }];
  while (stack.length > 0) {
    const { node, path } = stack.pop() as { node: unknown; path: string };
    if (typeof node !== 'object' || node === null) continue;
    const isArray = Array.isArray(node);
    for (const [key, child] of Object.entries(node)) {
      const at = path ? `${path}.${safeSegment(key)}` : safeSegment(key);
      if (!isArray && key === '__proto__') return at;
      if (
        !isArray &&
        key === 'constructor' &&
        typeof child === 'object' &&
        child !== null &&
        Object.hasOwn(child, 'prototype')
      ) {
        return `${at}.prototype`;
      }
      stack.push({ node: child, path: at });
    }
  }
  return undefined;
}

/**
 * Parses a JSON body; bad JSON and prototype keys become problems naming the body or the key.
 * An empty body is no body (a `DELETE` sent with `Content-Type: application/json`); a route that
 * needs one says so through its schema.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RequestProblem('invalid_field', 'the body is not valid JSON', 'body');
  }
  // Only bodies that mention one of the keys are walked.
  if (text.includes('__proto__') || text.includes('constructor')) {
    const key = forbiddenKey(value);
    if (key !== undefined) {
      throw new RequestProblem(
        'invalid_field',
        `body field '${key}' is a key that is never accepted (prototype pollution)`,
        key,
      );
    }
  }
  return value;
}

/** Applies the rules above to `app`'s context (call before its routes are added). */
export function strictInput(app: FastifyInstance): void {
  app.setValidatorCompiler(validatorCompiler);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
