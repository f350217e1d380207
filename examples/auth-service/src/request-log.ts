/**
 * The request log: one line per completed request, plus the request metrics. Route pattern only:
 * query strings can carry OAuth codes and states. Slow requests also get a line from the authlens
 * performance logger.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthTelemetry } from './telemetry.ts';

export function requestLog(telemetry: AuthTelemetry) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    telemetry.log.info('request completed', {
      'http.request.method': request.method,
      'http.route': route,
      'http.response.status_code': reply.statusCode,
      'http.server.duration_ms': Math.round(reply.elapsedTime * 10) / 10,
    });
    telemetry.request({
      method: request.method,
      route,
      statusCode: reply.statusCode,
      durationMs: reply.elapsedTime,
    });
  };
}
