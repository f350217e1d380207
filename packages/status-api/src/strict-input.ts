/**
 * How the monitoring routes read requests, set once per encapsulated context (the plugin's, and
 * the alert routes' when they are mounted on their own); the host application's parsers and
 * validators are left alone:
 * - bodies are validated without type coercion: `["high"]` or `5` where a string belongs is a
 *   400 naming the field, not silently turned into `"high"` / `"5"`. Query strings and path
 *   parameters arrive as text, so they keep Fastify's coercion (`?limit=10` is the number 10);
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
/** The same settings without coercion, for bodies. */
const strict = validators({}, { customOptions: { coerceTypes: false } });

export const validatorCompiler: FastifySchemaCompiler<unknown> = (route) =>
  (route.httpPart === 'body' ? strict : coercing)(route as Parameters<typeof strict>[0]);

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
