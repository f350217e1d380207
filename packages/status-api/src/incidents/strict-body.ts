/**
 * Validation for incident bodies: no type coercion (`"impact": 1` is not the string "1") and no
 * silent removal of unknown keys (an unknown key is a 400 naming it). Built on Fastify's own Ajv
 * compiler, like `strict-input.ts`, with `removeAdditional` off as well.
 */
import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifySchemaCompiler } from 'fastify';

const compile = AjvCompiler()({}, { customOptions: { coerceTypes: false, removeAdditional: false } });

export const strictValidator: FastifySchemaCompiler<unknown> = (route) =>
  compile(route as Parameters<typeof compile>[0]);
