/** RFC 9457 problem details (`application/problem+json`) for every error answer. */
import type { FastifyReply } from 'fastify';

export interface Problem {
  status: number;
  title: string;
  detail?: string;
  /** Stable machine-readable reason, e.g. `missing_api_key`, `invalid_field`. */
  code?: string;
  /** For validation errors: the offending field (JSON pointer or dotted path). */
  field?: string;
  [extension: string]: unknown;
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply
    .code(problem.status)
    .type('application/problem+json')
    .send({ type: 'about:blank', ...problem });
}

/** The part of an Ajv error that locates it. */
export interface ValidationIssue {
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
  /** Set by Ajv on errors of a `propertyNames` schema: the offending key. */
  propertyName?: string;
}

/** A key or path segment we repeat in an answer: a plain name, else a placeholder (echo no input). */
const SAFE_SEGMENT = /^[A-Za-z0-9 _.:-]{1,100}$/;
export const safeSegment = (segment: string) => (SAFE_SEGMENT.test(segment) ? segment : '<key>');

/**
 * The field a validation error is about, as a dotted path (`period`, `labels.env`, `checks.0`):
 * the missing, additional or unknown key when Ajv names one, else the instance path, else the
 * request part (`body`, `querystring`). A client-chosen key that is not a plain name (too long,
 * odd characters) is shown as `<key>`, so the answer never repeats arbitrary input.
 */
export function validationField(issue: ValidationIssue | undefined, context: string | undefined): string {
  if (!issue) return context ?? 'body';
  const key =
    issue.params.missingProperty ??
    issue.params.additionalProperty ??
    issue.propertyName ??
    issue.params.propertyName;
  const segments = issue.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (typeof key === 'string') segments.push(key);
  const path = segments.map(safeSegment).join('.');
  return path || (context ?? 'body');
}
