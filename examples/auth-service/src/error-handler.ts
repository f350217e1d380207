/**
 * The service's Fastify error handler: every error leaves as `application/problem+json`.
 * `HttpProblem`s keep their code; validation errors name the first offending field; other
 * client errors keep their status; anything else is logged and audited, and answered as
 * `internal` without echoing the error.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HttpProblem, sendProblem } from './errors.ts';
import type { AuthTelemetry } from './telemetry.ts';

/** The first offending field of an Ajv validation error, as a dotted path. */
function validationField(error: FastifyError): string | undefined {
  const first = error.validation?.[0];
  if (!first) return undefined;
  const params = first.params as { missingProperty?: string; additionalProperty?: string } | undefined;
  const missing = params?.missingProperty ?? params?.additionalProperty;
  const path = first.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const name = [path, missing].filter(Boolean).join('.');
  return name || error.validationContext;
}

export function problemErrorHandler(telemetry: AuthTelemetry) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof HttpProblem) return sendProblem(reply, error.code, error.extras, error.headers);
    if (error.validation) {
      const field = validationField(error);
      return sendProblem(reply, 'invalid_field', {
        detail: `${field ?? 'request'} ${error.validation[0]?.message ?? 'is invalid'}`,
        field,
      });
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply
        .code(error.statusCode)
        .type('application/problem+json')
        .send({ type: 'about:blank', status: error.statusCode, title: error.message, code: error.code });
    }
    telemetry.log.error('unhandled error', {
      'error.type': error.name,
      'http.route': request.routeOptions.url,
    });
    telemetry.audit({
      category: 'other',
      action: 'request.failed',
      outcome: 'failure',
      actor: request.auth?.userId ?? 'anonymous',
      target: request.routeOptions.url ?? 'unmatched',
    });
    return sendProblem(reply, 'internal');
  };
}
