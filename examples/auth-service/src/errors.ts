/**
 * Every error the auth service answers with, in one table, sent as RFC 9457 problem details
 * (`application/problem+json`). `code` is stable and machine-readable; `field` names the
 * offending input on validation errors.
 */
import type { FastifyReply } from 'fastify';

export const ERRORS = {
  invalid_field: { status: 400, title: 'Invalid request field' },
  invalid_state: { status: 400, title: 'Invalid or expired OAuth state' },
  mfa_not_pending: { status: 400, title: 'No MFA enrolment in progress' },
  unauthenticated: { status: 401, title: 'Missing or invalid access token' },
  invalid_credentials: { status: 401, title: 'Invalid e-mail or password' },
  invalid_mfa_code: { status: 401, title: 'Invalid MFA code' },
  invalid_mfa_token: { status: 401, title: 'Invalid or expired MFA token' },
  invalid_refresh_token: { status: 401, title: 'Invalid or expired refresh token' },
  not_found: { status: 404, title: 'Not found' },
  email_taken: { status: 409, title: 'E-mail already registered' },
  account_locked: { status: 423, title: 'Account temporarily locked' },
  oauth_failed: { status: 502, title: 'OAuth provider exchange failed' },
  internal: { status: 500, title: 'Internal server error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERRORS;

export interface ProblemExtras {
  detail?: string;
  field?: string;
  [extension: string]: unknown;
}

/** Thrown by route handlers; the error handler turns it into a problem+json answer. */
export class HttpProblem extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly extras: ProblemExtras;
  readonly headers: Record<string, string>;
  constructor(code: ErrorCode, extras: ProblemExtras = {}, headers: Record<string, string> = {}) {
    super(extras.detail ?? ERRORS[code].title);
    this.name = 'HttpProblem';
    this.code = code;
    this.status = ERRORS[code].status;
    this.extras = extras;
    this.headers = headers;
  }
}

export function sendProblem(
  reply: FastifyReply,
  code: ErrorCode,
  extras: ProblemExtras = {},
  headers: Record<string, string> = {},
): FastifyReply {
  const { status, title } = ERRORS[code];
  return reply
    .code(status)
    .headers(headers)
    .type('application/problem+json')
    .send({ type: 'about:blank', status, title, code, ...extras });
}

/** The problem+json schema every error response shares (for the route schemas). */
export const problemSchema = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    status: { type: 'integer' },
    title: { type: 'string' },
    detail: { type: 'string' },
    code: { type: 'string' },
    field: { type: 'string' },
    retryAfterSeconds: { type: 'integer' },
  },
  required: ['type', 'status', 'title', 'code'],
} as const;
