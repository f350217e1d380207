/**
 * The monitoring plugin: resolves options once, builds the health registry, KPI backend and
 * API-key guards, then registers security (helmet, rate limit, body limit, strict JSON bodies:
 * `strict-input.ts`), the OpenAPI document and one route plugin per concern. Every error answer
 * is `application/problem+json`.
 */
import { createRequire } from 'node:module';
import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsync } from 'fastify';
import helmet from 'helmet';
import { alertRoutes } from './alerts/index.ts';
import { createAuthorize } from './auth.ts';
import type { MonitoringContext } from './context.ts';
import { replyError, replyProblem } from './errors.ts';
import { processCheck } from './health/process-check.ts';
import { createHealthRegistry } from './health/registry.ts';
import { incidentRoutes } from './incidents/routes.ts';
import {
  createMetricsHistory,
  createPrometheusBackend,
  createSdkBackend,
  sdkMetricsSource,
} from './metrics/source.ts';
import { type MonitoringOptions, normalizeOptions } from './options.ts';
import { complianceRoutes } from './routes/compliance.ts';
import { dashboardRoutes } from './routes/dashboards.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { statusRoutes } from './routes/status.ts';
import { openStatusPage, publicMaintenanceWindows } from './status-page/service.ts';
import { strictInput } from './strict-input.ts';

const probeRoute = /\/health\/(live|ready)\/?$/;
const packageVersion = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

export const monitoringPlugin: FastifyPluginAsync<MonitoringOptions> = async (app, raw) => {
  const options = normalizeOptions(raw);
  const authorize = createAuthorize(options.apiKeys);
  const health =
    options.healthRegistry ??
    createHealthRegistry({
      timeoutMs: options.timeoutMs,
      cacheTtlMs: options.cacheTtlMs,
      checks: options.checks.some((c) => c.name === 'process')
        ? options.checks
        : [processCheck(), ...options.checks],
    });
  if (!options.healthRegistry) app.addHook('onClose', () => health.close());
  const metricsSource = () => options.metricsSource ?? sdkMetricsSource();
  const kpis = options.prometheusUrl
    ? createPrometheusBackend({
        url: options.prometheusUrl,
        timeoutMs: options.timeoutMs,
        ...(options.prometheusSelector && { selector: options.prometheusSelector }),
      })
    : options.kpisFromProcess
      ? createSdkBackend(metricsSource, { history: createMetricsHistory(metricsSource) })
      : createSdkBackend(() => undefined);
  if (kpis.history) {
    const { history } = kpis;
    app.addHook('onReady', async () => history.start());
    app.addHook('onClose', () => history.stop());
  }
  // History and incidents share the alert store's database (and the manager the plugin creates).
  const status = await openStatusPage(options.statusPage, options.alerts, options.env, () => health.names());
  app.addHook('onClose', () => status.close());
  if (status.context) {
    const { incidents } = status.context;
    const windows = publicMaintenanceWindows(options.alerts, options.env);
    app.addHook('onReady', async () => {
      await incidents.syncMaintenance(windows);
    });
  }
  const context: MonitoringContext = {
    options,
    health,
    kpis,
    authorize,
    metricsSource,
    statusPage: status.context,
  };
  app.decorate('monitoring', context);

  // Every route in this context (ours and the alert routes) gets the configured body limit,
  // except the Alertmanager webhook, which sets its own (`webhookBodyLimitBytes`).
  app.addHook('onRoute', (route) => {
    route.bodyLimit ??= options.bodyLimitBytes;
  });
  strictInput(app);

  // helmet's default security headers. Its middleware is built once here: `@fastify/helmet`
  // rebuilds it (parsing the CSP directives) on every request, 8 % of `serve`'s busy time at
  // ingest rates (docs/benchmarks.md, "Alert ingest").
  const securityHeaders = helmet();
  app.addHook('onRequest', (request, reply, done) => {
    // helmet 8 throws instead of passing errors on; it only ever calls `next()`.
    securityHeaders(request.raw, reply.raw, () => done());
  });
  if (options.rateLimitPerMinute !== false) {
    await app.register(rateLimit, {
      global: false,
      max: options.rateLimitPerMinute,
      timeWindow: 60_000,
      // One budget per API key name when a valid key is sent, else per client IP.
      keyGenerator: authorize.rateLimitKey,
      // Orchestrator probes are never throttled: a 429 on liveness would get the pod restarted.
      allowList: (request) => probeRoute.test(request.routeOptions.url ?? ''),
      errorResponseBuilder: (_request, ctx) => ({
        statusCode: ctx.statusCode,
        code: 'rate_limited',
        message: `more than ${ctx.max} requests per minute; retry in ${ctx.after}`,
      }),
    });
    // An instance hook, not the plugin's per-route one: route hooks (the key check) run after
    // instance hooks, so requests without a valid key are counted too and cannot guess keys freely.
    app.addHook('onRequest', app.rateLimit());
  }

  app.setErrorHandler(replyError);
  // The answer does not repeat the path (it is the client's input).
  app.setNotFoundHandler((_request, reply) =>
    replyProblem(reply, 'not_found', { detail: 'no endpoint with this method and path' }),
  );

  // The OpenAPI modules (and their YAML writer) load only when the docs are on.
  if (options.docs) {
    const { default: swagger } = await import('@fastify/swagger');
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'authlens monitoring API',
          version: packageVersion,
          description: 'Health, status, KPIs, compliance, dashboards and alert management.',
        },
        components: {
          securitySchemes: {
            bearerAuth: { type: 'http', scheme: 'bearer', description: 'MONITORING_API_KEYS key' },
          },
        },
      },
    });
  }

  await app.register(healthRoutes);
  await app.register(statusRoutes);
  await app.register(metricsRoutes);
  await app.register(complianceRoutes);
  await app.register(dashboardRoutes);
  await app.register(alertRoutes, {
    prefix: '/alerts',
    webhookBodyLimitBytes: options.webhookBodyLimitBytes,
    ...status.alerts,
    authorize,
  });
  if (status.context) {
    await app.register(incidentRoutes, {
      prefix: '/incidents',
      incidents: status.context.incidents,
      authorize,
    });
  }

  if (options.docs) {
    const { default: swaggerUi } = await import('@fastify/swagger-ui');
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      ...(options.docs !== 'public' && { uiHooks: { onRequest: authorize.read } }),
    });
  }
};
