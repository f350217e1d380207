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
