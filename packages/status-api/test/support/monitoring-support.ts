/** Shared helpers for the status-api tests: keys, an app builder and a real OTel metrics pipeline. */
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import Fastify, { type FastifyInstance } from 'fastify';
import { withUnitSuffixes } from '../../../sdk/src/pipelines/metrics.ts';
import monitoring, { type MetricsSource, type MonitoringOptions } from '../../src/index.ts';

export const readKey = 'read-key-0123456789abcdef';
export const writeKey = 'write-key-0123456789abcdef';
export const apiKeys = `ops:${readKey}:read,admin:${writeKey}:write`;
export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** Alert routes on an in-memory store without background workers. */
export const testAlerts = { managerOptions: { storeUrl: 'sqlite::memory:', workers: false, env: {} } };

/** A plugin app under `/monitoring` with test keys, no rate limit and an empty environment. */
export async function buildApp(options: MonitoringOptions = {}): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(monitoring, {
    prefix: '/monitoring',
    apiKeys,
    rateLimitPerMinute: false,
    env: {},
    alerts: testAlerts,
    ...options,
  });
  await app.ready();
  return app;
}

/** A real MeterProvider with a pull reader, exposed as the plugin's `metricsSource`. */
export function createMetrics() {
  const reader = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({ readers: [reader] });
  const serializer = new PrometheusSerializer();
  const source: MetricsSource = {
    collect: () => reader.collect(),
    // Serialise as the SDK's scrape endpoint does (unit suffixes: `_seconds`, `_ratio`).
    prometheusText: async () =>
      serializer.serialize(withUnitSuffixes((await reader.collect()).resourceMetrics)),
  };
  return { provider, reader, meter: provider.getMeter('authlens-test'), source };
}
