/**
 * Every error the monitoring API answers with, in one table. Each becomes an
 * `application/problem+json` body `{ type, status, title, detail, code, field? }`.
 * `docs/status-api.md` lists the same codes; a test keeps them in step.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { AuthlensError } from '@authlens/sdk';
import { errorCode } from '@authlens/sdk/internal';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem, type ValidationIssue, validationField } from './problem.ts';

export const problemTypes = {
  missing_api_key: { status: 401, title: 'API key required' },
  invalid_api_key: { status: 401, title: 'API key not recognised' },
  insufficient_role: { status: 403, title: 'API key lacks the required role' },
  invalid_field: { status: 400, title: 'Invalid request field' },
  not_found: { status: 404, title: 'Not found' },
  unknown_dashboard: { status: 404, title: 'Unknown dashboard' },
  request_timeout: { status: 408, title: 'Request timeout' },
  conflict: { status: 409, title: 'Conflict' },
  body_too_large: { status: 413, title: 'Request body too large' },
  uri_too_long: { status: 414, title: 'URI too long' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  rate_limited: { status: 429, title: 'Too many requests' },
  headers_too_large: { status: 431, title: 'Request header fields too large' },
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
 * A request the API refuses before any handler runs (a body that is not JSON, a forbidden key),
 * thrown by our parsers and answered with its problem (`code` is the problem's code).
 */
export class RequestProblem extends Error {
  readonly code: ProblemCode;
  readonly field: string | undefined;
  readonly statusCode: number;
  constructor(code: ProblemCode, detail: string, field?: string) {
    super(detail);
    this.name = 'RequestProblem';
    this.code = code;
    this.field = field;
    this.statusCode = problemTypes[code].status;
  }
}

/** Problem codes a thrown error may answer with as they are: the client's own faults (4xx). */
const requestProblem = (code: string | undefined): code is ProblemCode =>
  code !== undefined && Object.hasOwn(problemTypes, code) && problemTypes[code as ProblemCode].status < 500;

/**
 * Answers an error thrown while serving a monitoring route (ours or the alert routes) with its
 * problem, chosen by the error's `code` (never its class, so a second copy of a package maps the
 * same): failed validation → `invalid_field` naming the field, a coded client error (`not_found`,
 * `conflict`, `invalid_field`, parser and limit errors) → that code, metrics failures → 502/503,
 * anything else (configuration errors included) → `internal_error` (logged; the answer carries no
 * detail). No answer repeats what the client sent beyond the name of the field at fault.
 */
export function replyError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const code = errorCode(error);
  if (error.validation && error.validation.length > 0) {
    const issue = error.validation[0] as ValidationIssue;
    const field = validationField(issue, error.validationContext);
    return replyProblem(reply, 'invalid_field', {
      detail: `${error.validationContext ?? 'request'} field '${field}' ${issue.message ?? 'is invalid'}`,
      field,
    });
  }
  if (requestProblem(code)) {
    const field = (error as { field?: unknown }).field;
    return replyProblem(reply, code, {
      detail: error.message,
      ...(typeof field === 'string' && field !== '' && { field }),
    });
  }
  if (code === 'metrics_unavailable' || code === 'metrics_source_failed') {
    request.log.warn({ err: error }, 'metrics source failed');
    return code === 'metrics_unavailable'
      ? replyProblem(reply, code, {
          detail:
            'no metrics source is configured or running: set PROMETHEUS_URL (or start @authlens/sdk in the service)',
        })
      : replyProblem(reply, code, { detail: 'the metrics backend did not answer' });
  }
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return replyProblem(reply, 'body_too_large', {
        detail: `the body exceeds ${request.routeOptions.bodyLimit} bytes`,
        field: 'body',
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return replyProblem(reply, 'unsupported_media_type', {
        detail: 'send the body as application/json',
        field: 'content-type',
      });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return replyProblem(reply, 'invalid_field', {
        detail: 'the body length does not match Content-Length',
        field: 'content-length',
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

/**
 * Fastify's `frameworkErrors` server option: errors its router raises before any route or plugin
 * sees the request (a URL that is not valid percent-encoding, a path parameter over
 * `maxParamLength`), answered as problems that do not repeat the URL. `authlens serve` sets it;
 * an application that mounts the plugin may pass it to `Fastify({ frameworkErrors })`.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    replyProblem(reply, 'uri_too_long', { detail: 'a path segment is too long', field: 'path' });
  } else if (error.code === 'FST_ERR_BAD_URL') {
    replyProblem(reply, 'invalid_field', { detail: 'the URL is not valid percent-encoding', field: 'path' });
  } else {
    replyError(error, request, reply);
  }
}

/**
 * Fastify's `clientErrorHandler` server option: what Node's HTTP parser refuses before Fastify
 * has a request (headers over Node's `maxHeaderSize`, a malformed request line, a client
 * timeout) is answered with a problem on the raw socket, then the socket is closed.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [code, detail]: [ProblemCode, string] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? ['headers_too_large', 'the request headers are too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? ['request_timeout', 'the request was not received in time']
        : ['invalid_field', 'the request is not valid HTTP'];
  const { status, title } = problemTypes[code];
  const body = JSON.stringify({ type: 'about:blank', status, title, code, detail });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * A bad option or environment variable, thrown at registration (`invalid_config`; a subclass
 * uses `missing_setting`): `setting` names it, and the message starts with it.
 */
export class MonitoringConfigError extends AuthlensError {
  declare readonly setting: string;
  constructor(
    setting: string,
    reason: string,
    code: 'invalid_config' | 'missing_setting' = 'invalid_config',
  ) {
    super(code, `${setting}: ${reason}`, { setting });
    this.name = 'MonitoringConfigError';
  }
}

/** A metrics backend (the SDK registry or Prometheus) could not answer: `metrics_unavailable` or `metrics_source_failed`. */
export class MetricsSourceError extends AuthlensError {
  declare readonly code: 'metrics_unavailable' | 'metrics_source_failed';
  readonly unavailable: boolean;
  constructor(message: string, options: { unavailable?: boolean; cause?: unknown } = {}) {
    super(options.unavailable ? 'metrics_unavailable' : 'metrics_source_failed', message, {
      cause: options.cause,
    });
    this.name = 'MetricsSourceError';
    this.unavailable = options.unavailable ?? false;
  }
}
