/**
 * Every error the monitoring API answers with, in one table. Each becomes an
 * `application/problem+json` body `{ type, status, title, detail, code, field? }`.
 * `docs/status-api.md` lists the same codes; a test keeps them in step.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem, type ValidationIssue, validationField } from './problem.ts';

export const problemTypes = {
  missing_api_key: { status: 401, title: 'API key required' },
  invalid_api_key: { status: 401, title: 'API key not recognised' },
  insufficient_role: { status: 403, title: 'API key lacks the required role' },
  invalid_field: { status: 400, title: 'Invalid request field' },
  not_found: { status: 404, title: 'Not found' },
  unknown_dashboard: { status: 404, title: 'Unknown dashboard' },
  conflict: { status: 409, title: 'Conflict' },
  body_too_large: { status: 413, title: 'Request body too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal error' },
  metrics_source_failed: { status: 502, title: 'Metrics source failed' },
  metrics_unavailable: { status: 503, title: 'Metrics unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof problemTypes;

/** Sends the problem for `code`; `detail` and `field` say what exactly was wrong. */
export function replyProblem(
  reply: FastifyReply,
  code: ProblemCode,
  extra: { detail?: string; field?: string; [extension: string]: unknown } = {},
): FastifyReply {
  const { status, title } = problemTypes[code];
  return sendProblem(reply, { status, title, code, ...extra });
}

/**
 * Answers an error thrown while serving a monitoring route (ours or the alert routes) with its
 * problem: failed validation → `invalid_field` naming the field, parser and limit errors → their
 * code, anything unexpected → `internal_error` (logged; the answer carries no detail).
 */
export function replyError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error.validation && error.validation.length > 0) {
    const issue = error.validation[0] as ValidationIssue;
    const field = validationField(issue, error.validationContext);
    return replyProblem(reply, 'invalid_field', {
      detail: `${error.validationContext ?? 'request'} field '${field}' ${issue.message ?? 'is invalid'}`,
      field,
    });
  }
  if (error instanceof MetricsSourceError) {
    request.log.warn({ err: error }, 'metrics source failed');
    return error.unavailable
      ? replyProblem(reply, 'metrics_unavailable', {
          detail:
            'no metrics source is configured or running: set PROMETHEUS_URL (or start @authlens/sdk in the service)',
        })
      : replyProblem(reply, 'metrics_source_failed', { detail: 'the metrics backend did not answer' });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return replyProblem(reply, 'body_too_large', {
        detail: `the body exceeds ${request.routeOptions.bodyLimit} bytes`,
        field: 'body',
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return replyProblem(reply, 'unsupported_media_type', {
        detail: 'send application/json',
        field: 'content-type',
      });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return replyProblem(reply, 'invalid_field', { detail: 'the body is not valid JSON', field: 'body' });
  }
  if (error.statusCode === 429) return replyProblem(reply, 'rate_limited', { detail: error.message });
  if (error.statusCode === 404) return replyProblem(reply, 'not_found', { detail: 'no such resource' });
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return replyProblem(reply, 'invalid_field', { detail: 'the request is malformed', field: 'request' });
  }
  request.log.error({ err: error }, 'monitoring request failed');
  return replyProblem(reply, 'internal_error', { detail: 'an unexpected error occurred' });
}

/** A bad option or environment variable, thrown at registration: names the setting. */
export class MonitoringConfigError extends Error {
  readonly setting: string;
  constructor(setting: string, reason: string) {
    super(`${setting}: ${reason}`);
    this.name = 'MonitoringConfigError';
    this.setting = setting;
  }
}

/** A metrics backend (the SDK registry or Prometheus) could not answer. */
export class MetricsSourceError extends Error {
  readonly unavailable: boolean;
  constructor(message: string, options: { unavailable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'MetricsSourceError';
    this.unavailable = options.unavailable ?? false;
  }
}
