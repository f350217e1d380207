/**
 * Health endpoints: basic (public), liveness (never touches dependencies), readiness
 * (critical checks), detailed `application/health+json` (read key) and an on-demand run (write key).
 */
import type { FastifyPluginAsync } from 'fastify';
import { replyProblem } from '../errors.ts';
import type { HealthCheckResult, HealthReport, HealthStatus } from '../health/types.ts';
import { openObject, paths, problemSchema, protectedErrors, publicErrors } from './schemas.ts';

const BASIC: Record<HealthStatus, 'healthy' | 'degraded' | 'unhealthy'> = {
  pass: 'healthy',
  warn: 'degraded',
  fail: 'unhealthy',
};

const basicSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['healthy', 'degraded', 'unhealthy'] },
    timestamp: { type: 'string', format: 'date-time' },
  },
  required: ['status', 'timestamp'],
} as const;

const probeSchema = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['pass', 'fail'] } },
  required: ['status'],
} as const;

const healthJsonSchema = {
  type: 'object',
  description: 'application/health+json (draft-inadarei-api-health-check) with an overall score',
  properties: {
    status: { type: 'string', enum: ['pass', 'warn', 'fail'] },
    serviceId: { type: 'string' },
    description: { type: 'string' },
    score: { type: 'integer', minimum: 0, maximum: 100 },
    time: { type: 'string', format: 'date-time' },
    checks: {
      type: 'object',
      additionalProperties: { type: 'array', items: openObject },
    },
  },
  required: ['status', 'score', 'checks'],
} as const;

/** `checks` of health+json: key `<check>:<measurement>`, one entry per component measurement. */
export function healthJson(serviceName: string, report: HealthReport) {
  const checks: Record<string, Array<Record<string, unknown>>> = {};
  const entry = (r: HealthCheckResult) => ({
    componentId: r.name,
    componentType: r.componentType,
    status: r.status,
    time: r.time,
    affectsReadiness: r.critical,
    durationMs: r.durationMs,
    ...(r.message !== undefined && { output: r.error ? `${r.message}: ${r.error}` : r.message }),
    ...(r.details !== undefined && { details: r.details }),
  });
  for (const r of report.checks) {
    const base = entry(r);
    if (!r.observations || r.observations.length === 0) {
      checks[`${r.name}:status`] = [base];
      continue;
    }
    for (const o of r.observations) {
      checks[`${r.name}:${o.measurement}`] = [
        {
          ...base,
          status: o.status ?? r.status,
          observedValue: o.observedValue,
          ...(o.observedUnit !== undefined && { observedUnit: o.observedUnit }),
        },
      ];
    }
  }
  return {
    status: report.status,
    serviceId: serviceName,
    description: `health of ${serviceName}`,
    score: report.score,
    time: new Date().toISOString(),
    checks,
  };
}

export const healthRoutes: FastifyPluginAsync = async (app) => {
  const { health, authorize, options } = app.monitoring;

  for (const { url, hide } of paths('/health/')) {
    app.get(
      url,
      {
        schema: {
          hide,
          tags: ['health'],
          summary: 'Basic health: overall status from the cached checks (public, no detail)',
          response: { 200: basicSchema, 503: basicSchema, ...publicErrors },
        },
      },
      async (_request, reply) => {
        const report = await health.run();
        return reply
          .code(report.status === 'fail' ? 503 : 200)
          .send({ status: BASIC[report.status], timestamp: new Date().toISOString() });
      },
    );
  }

  for (const { url, hide } of paths('/health/live/')) {
    app.get(
      url,
      {
        schema: {
          hide,
          tags: ['health'],
          summary: 'Liveness: the process answers; never touches dependencies',
          response: { 200: probeSchema, ...publicErrors },
        },
      },
      async () => ({ status: 'pass' as const }),
    );
  }

  for (const { url, hide } of paths('/health/ready/')) {
    app.get(
      url,
      {
        schema: {
          hide,
          tags: ['health'],
          summary: 'Readiness: every critical check passes or warns',
          response: { 200: probeSchema, 503: probeSchema, ...publicErrors },
        },
      },
      async (_request, reply) => {
        const report = await health.run({ criticalOnly: true });
        const ok = report.checks.every((c) => c.status !== 'fail');
        return reply.code(ok ? 200 : 503).send({ status: ok ? 'pass' : 'fail' });
      },
    );
  }

  for (const { url, hide } of paths('/health/detailed/')) {
    app.get<{ Querystring: { fresh?: boolean } }>(
      url,
      {
        onRequest: authorize.read,
        schema: {
          hide,
          tags: ['health'],
          summary: 'Detailed component health (application/health+json) with the health score',
          security: [{ bearerAuth: [] }],
          querystring: {
            type: 'object',
            properties: {
              fresh: { type: 'boolean', description: 'Bypass the cache and run every check now' },
            },
          },
          response: { 200: healthJsonSchema, 503: healthJsonSchema, ...protectedErrors },
        },
      },
      async (request, reply) => {
        const report = await health.run({ fresh: request.query.fresh === true });
        return reply
          .code(report.status === 'fail' ? 503 : 200)
          .type('application/health+json')
          .send(healthJson(options.serviceName, report));
      },
    );
  }

  for (const { url, hide } of paths('/health/run/')) {
    app.post<{ Body: { checks?: string[] } }>(
      url,
      {
        onRequest: authorize.write,
        schema: {
          hide,
          tags: ['health'],
          summary: 'Run checks now, bypassing the cache (write key)',
          security: [{ bearerAuth: [] }],
          body: {
            type: 'object',
            properties: {
              checks: {
                type: 'array',
                items: { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]{0,63}$' },
                maxItems: 64,
                description: 'Names of the checks to run; all when omitted',
              },
            },
            additionalProperties: false,
          },
          response: { 200: healthJsonSchema, 503: healthJsonSchema, 404: problemSchema, ...protectedErrors },
        },
      },
      async (request, reply) => {
        const names = request.body?.checks;
        const known = new Set(health.names());
        const unknown = names?.findIndex((n) => !known.has(n)) ?? -1;
        if (unknown >= 0) {
          // Named by its position: the answer does not repeat the client's input.
          return replyProblem(reply, 'not_found', {
            detail: `checks.${unknown} is not a registered check; known: ${[...known].join(', ')}`,
            field: `checks.${unknown}`,
          });
        }
        const report = await health.run({ fresh: true, ...(names && { names }) });
        return reply
          .code(report.status === 'fail' ? 503 : 200)
          .type('application/health+json')
          .send(healthJson(options.serviceName, report));
      },
    );
  }
};
