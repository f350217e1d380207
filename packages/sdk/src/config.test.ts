import { describe, expect, it } from 'vitest';
import { normalizeOptions } from './config.ts';
import { AuthlensConfigError } from './errors.ts';

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
];

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

  it('turns off with MONITORING_ENABLED=false or OTEL_SDK_DISABLED=true', () => {
    expect(normalizeOptions({ env: { MONITORING_ENABLED: 'false' } }).enabled).toBe(false);
    expect(normalizeOptions({ env: { OTEL_SDK_DISABLED: 'true' } }).enabled).toBe(false);
  });
});
