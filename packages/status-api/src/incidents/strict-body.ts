/**
 * Validation without type coercion for request bodies: Fastify's default Ajv coerces
 * (`"impact": 1` would pass as the string "1"); routes that take a body use this compiler so a
 * wrong type answers 400 naming the field.
 */
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

const ajv = new Ajv({
  coerceTypes: false,
  useDefaults: true,
  removeAdditional: false,
  allErrors: false,
  strict: false,
});
addFormats.default(ajv);

export const strictValidator: FastifySchemaCompiler<unknown> = ({ schema }) => ajv.compile(schema as object);
