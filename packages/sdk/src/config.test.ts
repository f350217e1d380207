import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, normalizeOptions } from './config.ts';
import { AuthlensConfigError } from './errors.ts';
import { createRedactor } from './redaction.ts';
import { buildPropagator, buildResource } from './resource.ts';

const bad: Array<[string, string, RegExp]> = [
  ['MONITORING_ENABLED', 'maybe', /true, false/],
  ['OTEL_TRACES_SAMPLER', 'sometimes', /parentbased_always_on/],
  ['OTEL_TRACES_SAMPLER_ARG', '1.5', /0 to 1/],
  ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318', /http/],
  ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc', /http\/protobuf/],
  ['OTEL_EXPORTER_PROMETHEUS_PORT', '70000', /0 to 65535/],
  ['OTEL_NODE_ENABLED_INSTRUMENTATIONS', 'http,mongodb', /undici/],
  ['OTEL_NODE_DISABLED_INSTRUMENTATIONS', 'express', /fastify/],
  ['LOG_LEVEL', 'loud', /debug/],
  ['AUTHLENS_LOGS_EXPORT_LEVEL', 'important', /warn/],
  ['OTEL_BSP_MAX_QUEUE_SIZE', '-1', /integer/],
  ['AUTHLENS_SHUTDOWN_TIMEOUT_MS', 'soon', /integer/],
  ['SENTRY_DSN', 'not a dsn', /Sentry DSN/],
  ['SENTRY_TRACES_SAMPLE_RATE', 'lots', /0 to 1/],
  ['ENVIRONMENT', 'prod env!', /A-Z/],
  ['OTEL_METRICS_EXPORTER', 'statsd', /prometheus/],
  ['OTEL_EXPORTER_PROMETHEUS_HOST', 'not a host!', /IP address .* or a host name/],
  ['OTEL_EXPORTER_PROMETHEUS_HOST', '-bad.example', /host name/],
  ['OTEL_EXPORTER_OTLP_HEADERS', 'authorization', /name=value/],
  ['OTEL_EXPORTER_OTLP_TRACES_HEADERS', 'x-tenant=%zz', /%XX escapes/],
  ['OTEL_EXPORTER_OTLP_COMPRESSION', 'brotli', /gzip, none/],
  ['OTEL_EXPORTER_OTLP_LOGS_COMPRESSION', 'zstd', /gzip, none/],
  ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'soon', /integer from 1 to 600000/],
  ['OTEL_EXPORTER_OTLP_METRICS_TIMEOUT', '0', /integer from 1/],
  ['OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE', 'sometimes', /cumulative, delta, lowmemory/],
  ['OTEL_PROPAGATORS', 'b3', /tracecontext, baggage .* or none; b3/],
  ['OTEL_PROPAGATORS', 'none,baggage', /or none/],
  ['OTEL_RESOURCE_ATTRIBUTES', 'team=%E0%A4%A', /key=value.*%XX escapes/],
  ['OTEL_RESOURCE_ATTRIBUTES', 'team', /key=value/],
  ['OTEL_NODE_RESOURCE_DETECTORS', 'env,kubernetes', /env, host, os, process/],
  ['AUTHLENS_EXCLUDED_PATHS', 'health,/x', /paths starting with '\/'/],
  ['AUTHLENS_EXCLUDED_PATHS', '/static/*/x', /optionally ending in '\/\*'/],
];

describe('DEFAULTS', () => {
  it('is what an empty environment resolves to, and cannot be changed', () => {
    const c = normalizeOptions({ env: {}, serviceName: 's', serviceVersion: '1' });
    expect(c).toMatchObject({
      environment: DEFAULTS.environment,
      sampler: DEFAULTS.sampler,
      samplerRatio: DEFAULTS.samplerRatio,
      otlpTimeouts: {
        traces: DEFAULTS.otlpTimeoutMs,
        metrics: DEFAULTS.otlpTimeoutMs,
        logs: DEFAULTS.otlpTimeoutMs,
      },
      metricExportIntervalMs: DEFAULTS.metricExportIntervalMs,
      prometheusPort: DEFAULTS.prometheusPort,
      prometheusHost: DEFAULTS.prometheusHost,
      propagators: [...DEFAULTS.propagators],
      logLevel: DEFAULTS.logLevel,
      bsp: DEFAULTS.bsp,
      blrp: DEFAULTS.blrp,
      shutdownTimeoutMs: DEFAULTS.shutdownTimeoutMs,
    });
    expect(c.excludedPaths.exact.has('/favicon.ico')).toBe(true);
    for (const value of [
      DEFAULTS,
      DEFAULTS.bsp,
      DEFAULTS.blrp,
      DEFAULTS.excludedPaths,
      DEFAULTS.propagators,
    ]) {
      expect(Object.isFrozen(value)).toBe(true);
    }
  });
});

describe('normalizeOptions', () => {
  it.each(bad)('rejects %s=%s naming the variable and the accepted values', (name, value, accepted) => {
    let error: unknown;
    try {
      normalizeOptions({ env: { [name]: value } });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AuthlensConfigError);
    expect((error as AuthlensConfigError).variable).toBe(name);
    expect((error as Error).message).toMatch(accepted);
    expect((error as Error).message.split('\n')).toHaveLength(1);
  });

  it('exports every written log line over OTLP unless AUTHLENS_LOGS_EXPORT_LEVEL raises the bar', () => {
    expect(normalizeOptions({ env: {} }).logsExportSeverity).toBe(1);
    expect(normalizeOptions({ env: { AUTHLENS_LOGS_EXPORT_LEVEL: 'warn' } }).logsExportSeverity).toBe(13);
    expect(normalizeOptions({ env: { AUTHLENS_LOGS_EXPORT_LEVEL: 'INFO' } }).logsExportSeverity).toBe(9);
  });

  it('excludes probes and scrape paths by default; AUTHLENS_EXCLUDED_PATHS replaces the list, none empties it', () => {
    const d = normalizeOptions({ env: {} }).excludedPaths;
    expect([...d.exact].sort()).toEqual([
      '/favicon.ico',
      '/favicon.ico/',
      '/metrics',
      '/metrics/',
      '/monitoring/health',
      '/monitoring/health/',
      '/monitoring/metrics',
      '/monitoring/metrics/',
    ]);
    expect(d.prefixes).toEqual(['/monitoring/health/']);
    const custom = normalizeOptions({
      env: { AUTHLENS_EXCLUDED_PATHS: '/healthz, /assets/*' },
    }).excludedPaths;
    expect([...custom.exact]).toEqual(['/healthz', '/healthz/', '/assets', '/assets/']);
    expect(custom.prefixes).toEqual(['/assets/']);
    const none = normalizeOptions({ env: { AUTHLENS_EXCLUDED_PATHS: 'none' } }).excludedPaths;
    expect(none.exact.size + none.prefixes.length).toBe(0);
    expect(normalizeOptions({ env: {}, excludedPaths: ['/x'] }).excludedPaths.prefixes).toEqual([]);
  });

  it('never prints the Sentry DSN key in its error', () => {
    expect(() => normalizeOptions({ env: { SENTRY_DSN: 'ftp://secretkey@host/x' } })).toThrow(/<hidden>/);
  });

  it('resolves defaults, then environment, then explicit options', () => {
    const d = normalizeOptions({ env: {} });
    expect(d).toMatchObject({
      enabled: true,
      environment: 'development',
      sampler: 'parentbased_always_on',
      prometheusPort: 9464,
      tracesEndpoint: undefined,
      shutdownTimeoutMs: 5000,
      logLevel: 'info',
    });
    expect([...d.instrumentations].sort()).toEqual([
      'fastify',
      'http',
      'ioredis',
      'pg',
      'runtime-node',
      'undici',
      'winston',
    ]);
    const e = normalizeOptions({
      env: {
        OTEL_SERVICE_NAME: 'auth',
        ENVIRONMENT: 'production',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
        OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://logs:4318/custom',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.1',
        OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pg, winston',
        SENTRY_DSN: 'https://k@o1.ingest.sentry.io/42',
      },
      serviceName: 'explicit',
    });
    expect(e).toMatchObject({
      serviceName: 'explicit',
      environment: 'production',
      tracesEndpoint: 'http://collector:4318/v1/traces',
      metricsEndpoint: 'http://collector:4318/v1/metrics',
      logsEndpoint: 'http://logs:4318/custom',
      samplerRatio: 0.1,
      sentry: { environment: 'production', sampleRate: 1 },
    });
    expect(e.instrumentations.has('pg')).toBe(false);
    expect(e.instrumentations.has('winston')).toBe(false);
    expect(e.instrumentations.has('http')).toBe(true);
  });

  it('maps SENTRY_TRACES_SAMPLE_RATE to a parent-based ratio sampler when OTEL_TRACES_SAMPLER is unset', () => {
    expect(normalizeOptions({ env: { SENTRY_TRACES_SAMPLE_RATE: '0.25' } })).toMatchObject({
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.25,
    });
  });

  it('accepts valid exporter, propagator and host settings', () => {
    const c = normalizeOptions({
      env: {
        OTEL_EXPORTER_PROMETHEUS_HOST: '::1',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=auth,api-key=a%3Db',
        OTEL_EXPORTER_OTLP_COMPRESSION: 'GZIP',
        OTEL_EXPORTER_OTLP_TIMEOUT: '2000',
        OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: '500',
        OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'Delta',
        OTEL_PROPAGATORS: 'tracecontext',
        OTEL_RESOURCE_ATTRIBUTES: 'team=identity,region=eu%2Cwest',
      },
    });
    expect(c).toMatchObject({
      prometheusHost: '::1',
      otlpTimeouts: { traces: 2000, metrics: 2000, logs: 500 },
      metricsTemporality: 'delta',
      propagators: ['tracecontext'],
      resourceAttributes: { team: 'identity', region: 'eu,west' },
      resourceDetectors: { local: [], cloud: [] },
    });
    expect(
      normalizeOptions({ env: { OTEL_EXPORTER_PROMETHEUS_HOST: 'metrics.internal' } }).prometheusHost,
    ).toBe('metrics.internal');
    expect(normalizeOptions({ env: {} })).toMatchObject({
      prometheusHost: '0.0.0.0',
      metricsTemporality: 'cumulative',
      propagators: ['tracecontext', 'baggage'],
    });
    const none = normalizeOptions({ env: { OTEL_PROPAGATORS: 'none' } });
    expect(none.propagators).toEqual([]);
    expect(buildPropagator(none).fields()).toEqual([]);
    expect(buildPropagator(normalizeOptions({ env: {} })).fields()).toEqual([
      'traceparent',
      'tracestate',
      'baggage',
    ]);
  });

  it('runs only the resource detectors asked for; service attributes win over detected ones', async () => {
    const redactor = createRedactor();
    const plain = await buildResource(normalizeOptions({ env: { OTEL_SERVICE_NAME: 'auth' } }), redactor);
    expect(plain.attributes['host.name']).toBeUndefined();
    expect(plain.attributes['process.pid']).toBeUndefined();
    const config = normalizeOptions({
      env: { OTEL_SERVICE_NAME: 'auth', OTEL_NODE_RESOURCE_DETECTORS: 'env,host,process' },
    });
    expect(config.resourceDetectors.local).toEqual(['host', 'process']);
    const detected = await buildResource(config, redactor);
    expect(detected.attributes).toMatchObject({
      'service.name': 'auth',
      'host.name': expect.any(String),
      'process.pid': process.pid,
    });
  });

  it('loads a cloud detector from the app when it is installed there', async () => {
    // The app (working directory) has @opentelemetry/resource-detector-container installed.
    const store = path.resolve(
      import.meta.dirname,
      '../../../node_modules/.pnpm/node_modules/@opentelemetry',
    );
    const app = mkdtempSync(path.join(tmpdir(), 'authlens-detectors-'));
    const cwd = process.cwd();
    try {
      mkdirSync(path.join(app, 'node_modules/@opentelemetry'), { recursive: true });
      symlinkSync(
        realpathSync(path.join(store, 'resource-detector-container')),
        path.join(app, 'node_modules/@opentelemetry/resource-detector-container'),
      );
      writeFileSync(path.join(app, 'package.json'), '{"name":"app","version":"1.0.0"}');
      process.chdir(app);
      const config = normalizeOptions({ env: { OTEL_NODE_RESOURCE_DETECTORS: 'container' } });
      expect(config.resourceDetectors.cloud).toEqual([
        { name: 'container', module: expect.stringContaining('resource-detector-container') },
      ]);
      const resource = await buildResource(config, createRedactor());
      expect(resource.attributes['service.name']).toBe('app');
    } finally {
      process.chdir(cwd);
      rmSync(app, { recursive: true, force: true });
    }
  });

  it('turns off with MONITORING_ENABLED=false or OTEL_SDK_DISABLED=true', () => {
    expect(normalizeOptions({ env: { MONITORING_ENABLED: 'false' } }).enabled).toBe(false);
    expect(normalizeOptions({ env: { OTEL_SDK_DISABLED: 'true' } }).enabled).toBe(false);
  });
});
