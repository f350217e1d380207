/**
 * Every error the monitoring API answers with, in one table. Each becomes an
 * `application/problem+json` body `{ type, status, title, detail, code, field? }`.
 * `docs/status-api.md` lists the same codes; a test keeps them in step.
 */
import type { FastifyReply } from 'fastify';
import { sendProblem } from './problem.ts';

export const problemTypes = {
  missing_api_key: { status: 401, title: 'API key required' },
  invalid_api_key: { status: 401, title: 'API key not recognised' },
  insufficient_role: { status: 403, title: 'API key lacks the required role' },
  invalid_field: { status: 400, title: 'Invalid request field' },
  not_found: { status: 404, title: 'Not found' },
  unknown_dashboard: { status: 404, title: 'Unknown dashboard' },
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
