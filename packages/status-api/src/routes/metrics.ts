/** Prometheus text of the SDK's registry, and the business, security and performance KPIs. */

import { acceptsOpenMetrics, OPENMETRICS_CONTENT_TYPE } from '@authlens/sdk/internal';
import type { FastifyPluginAsync } from 'fastify';
import { MetricsSourceError } from '../errors.ts';
import { businessReport, performanceReport, securityReport } from '../metrics/reports.ts';
import type { Period } from '../metrics/source.ts';
import {
  businessSchema,
  paths,
  performanceSchema,
  periodQuery,
  problemSchema,
  protectedErrors,
  securitySchema,
} from './schemas.ts';

const kpiErrors = { 502: problemSchema, 503: problemSchema, ...protectedErrors };

export const metricsRoutes: FastifyPluginAsync = async (app) => {
  const { authorize, kpis, options, metricsSource } = app.monitoring;

  for (const { url, hide } of paths('/metrics/')) {
    app.get(
      url,
      {
        onRequest: authorize.read,
        schema: {
          hide,
          tags: ['metrics'],
          summary: "Prometheus text exposition of the SDK's metrics (OpenMetrics with exemplars when asked)",
          security: [{ bearerAuth: [] }],
          response: {
            200: {
              description:
                'text/plain; version=0.0.4, or application/openmetrics-text; version=1.0.0 when the Accept header asks for it',
              content: {
                'text/plain': { schema: { type: 'string' } },
                'application/openmetrics-text': { schema: { type: 'string' } },
              },
            },
            503: problemSchema,
            ...protectedErrors,
          },
        },
      },
      async (request, reply) => {
        const source = metricsSource();
        if (!source?.prometheusText) {
          throw new MetricsSourceError('no in-process metrics registry: start @authlens/sdk', {
            unavailable: true,
          });
        }
        // Prometheus asks for OpenMetrics first: that format carries the exemplars.
        if (source.openMetricsText && acceptsOpenMetrics(request.headers.accept)) {
          return reply.type(OPENMETRICS_CONTENT_TYPE).send(await source.openMetricsText());
        }
        return reply.type('text/plain; version=0.0.4; charset=utf-8').send(await source.prometheusText());
      },
    );
  }

  const kpi = (
    path: string,
    summary: string,
    schema: typeof businessSchema | typeof securitySchema | typeof performanceSchema,
    build: (period: Period) => Promise<Record<string, unknown>>,
  ): void => {
    for (const { url, hide } of paths(path)) {
      app.get<{ Querystring: { period: Period } }>(
        url,
        {
          onRequest: authorize.read,
          schema: {
            hide,
            tags: ['metrics'],
            summary,
            security: [{ bearerAuth: [] }],
            querystring: periodQuery,
            response: { 200: schema, ...kpiErrors },
          },
        },
        async (request) => build(request.query.period),
      );
    }
  };

  kpi(
    '/metrics/business/',
    'Business KPIs: registrations, active users, logins, MFA adoption, funnels',
    businessSchema,
    (p) => businessReport(kpis, p),
  );
  kpi(
    '/metrics/security/',
    'Security metrics: auth failures, security events, lockouts, risk scores',
    securitySchema,
    (p) => securityReport(kpis, p),
  );
  kpi(
    '/metrics/performance/',
    'Performance and SLA: p50/p95/p99 per route, error rate, availability, error budget',
    performanceSchema,
    (p) => performanceReport(kpis, p, options.sloTarget),
  );
};
