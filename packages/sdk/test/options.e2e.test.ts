/**
 * Configuration seen from a real service started with the one-line import:
 * `OTEL_NODE_DISABLED_INSTRUMENTATIONS=pg` leaves pg untraced while the rest of the request is,
 * `OTEL_PROPAGATORS=none` ignores an incoming `traceparent`, and a resource detector whose
 * package is not installed turns telemetry off with one line while the service keeps serving,
 * and `OTEL_EXPORTER_OTLP_HEADERS`, gzip compression and delta temporality arrive on the wire
 * (a receiver that gunzips and decodes the protobuf).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type FixtureProcess, waitFor } from './support/fixture-process.ts';
import { fixtureSuite } from './support/fixture-suite.ts';
import { freePort } from './support/ports.ts';

const suite = fixtureSuite();
const launch = (env: Record<string, string>) =>
  suite.launch({
    OTEL_EXPORTER_OTLP_ENDPOINT: suite.otlp.url,
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
    ...env,
  });

function login(app: FixtureProcess, headers: Record<string, string> = {}) {
  return fetch(`${app.base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ username: 'dave' }),
  });
}

describe('configuration, end to end', () => {
  let app: FixtureProcess;
  beforeAll(async () => {
    app = await launch({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pg', OTEL_PROPAGATORS: 'none' });
  });

  it('OTEL_NODE_DISABLED_INSTRUMENTATIONS=pg: no pg spans, the rest of the request is traced', async () => {
    const res = await login(app);
    expect(res.status).toBe(200);
    const traceId = res.headers.get('x-correlation-id') as string;
    const spans = await waitFor(
      () => {
        const mine = suite.otlp.spans.filter((s) => s.traceId === traceId);
        return mine.some((s) => s.scope.includes('ioredis')) &&
          mine.some((s) => s.scope === '@authlens/sdk/http-server')
          ? mine
          : undefined;
      },
      10_000,
      'server and Redis spans',
    );
    // The server span ends after the handler, so the pg query (before the Redis call) is done.
    expect(spans.filter((s) => s.scope.includes('pg')).map((s) => s.name)).toEqual([]);
    // One span per request by default: no Fastify span (AUTHLENS_FASTIFY_SPANS unset).
    expect(spans.some((s) => s.scope === '@authlens/sdk/fastify')).toBe(false);
  });

  it('OTEL_PROPAGATORS=none: an incoming traceparent is not continued', async () => {
    const incoming = '0af7651916cd43dd8448eb211c80319c';
    const res = await login(app, { traceparent: `00-${incoming}-b7ad6b7169203331-01` });
    const traceId = res.headers.get('x-correlation-id') as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(traceId).not.toBe(incoming);
    const server = await waitFor(
      () => suite.otlp.spans.find((s) => s.traceId === traceId && s.scope === '@authlens/sdk/http-server'),
      10_000,
      'server span',
    );
    expect(server.parentSpanId).toBe('');
    expect(suite.otlp.spans.some((s) => s.traceId === incoming)).toBe(false);
  });

  it('a resource detector whose package is missing: one line naming it, telemetry off, service up', async () => {
    const off = await launch({ OTEL_NODE_RESOURCE_DETECTORS: 'env,aws' });
    const res = await fetch(`${off.base}/ping`);
    expect(res.status).toBe(200);
    // Telemetry is off: no correlation header.
    expect(res.headers.get('x-correlation-id')).toBeNull();
    const lines = off.stderr().split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'error', variable: 'OTEL_NODE_RESOURCE_DETECTORS' });
    expect(line.message).toMatch(/aws needs @opentelemetry\/resource-detector-aws \(npm install/);
    expect(line.message).toMatch(/telemetry is off, the service keeps running/);
  });
});

describe('AUTHLENS_EXCLUDED_PATHS, end to end', () => {
  it('serves excluded paths without a span, a correlation ID or a duration point; traces the rest', async () => {
    const promPort = await freePort();
    const app = await launch({
      AUTHLENS_EXCLUDED_PATHS: '/ping,/static/*',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort),
    });
    const ping = await fetch(`${app.base}/ping?probe=1`);
    expect(ping.status).toBe(200);
    expect(ping.headers.get('x-correlation-id')).toBeNull();
    const traced = await fetch(`${app.base}/log`);
    const traceId = traced.headers.get('x-correlation-id') as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    await waitFor(
      () => suite.otlp.spans.find((s) => s.traceId === traceId && s.scope === '@authlens/sdk/http-server'),
      10_000,
      'server span of /log',
    );
    const metrics = await (await fetch(`http://127.0.0.1:${promPort}/metrics`)).text();
    expect(metrics).toMatch(/http_server_request_duration_seconds_count\{[^}]*http_route="\/log"[^}]*\} 1/);
    expect(metrics).not.toMatch(/http_route="\/ping"/);
    expect(suite.otlp.spans.some((s) => s.name.includes('/ping'))).toBe(false);
  });
});

describe('OTLP options on the wire', () => {
  it('sends OTEL_EXPORTER_OTLP_HEADERS, gzip bodies and delta temporality as configured', async () => {
    const app = await launch({
      OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=acme,x-api-key=wire-test-key',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta',
      OTEL_BLRP_SCHEDULE_DELAY: '100',
      OTEL_METRIC_EXPORT_INTERVAL: '300',
    });
    try {
      const res = await login(app);
      expect(res.status).toBe(200);
      const traceId = res.headers.get('x-correlation-id') as string;
      // Decoded after gunzip: the receiver read real protobuf from the compressed bodies.
      await waitFor(() => suite.otlp.spans.some((s) => s.traceId === traceId) || undefined, 10_000, 'spans');
      await waitFor(() => suite.otlp.logs.some((l) => l.traceId === traceId) || undefined, 10_000, 'logs');
      await waitFor(
        () => suite.otlp.temporalities.has('http.server.request.duration') || undefined,
        10_000,
        'the duration histogram over OTLP',
      );
      for (const path of ['/v1/traces', '/v1/logs', '/v1/metrics']) {
        const arrivals = suite.otlp.arrivals.filter(
          (a) => a.path === path && a.headers['x-tenant'] === 'acme',
        );
        expect(arrivals.length, path).toBeGreaterThan(0);
        for (const a of arrivals) {
          expect(a.headers['x-api-key'], path).toBe('wire-test-key');
          expect(a.headers['content-encoding'], path).toBe('gzip');
          expect(a.headers['content-type'], path).toBe('application/x-protobuf');
        }
      }
      // AGGREGATION_TEMPORALITY_DELTA = 1 (cumulative is 2), for the histogram and a counter.
      expect(suite.otlp.temporalities.get('http.server.request.duration')).toBe(1);
      // The delta preference as the specification defines it: counters and histograms delta,
      // up-down counters cumulative.
      expect(suite.otlp.temporalities.get('db.client.operation.duration')).toBe(1);
      expect(suite.otlp.temporalities.get('nodejs.eventloop.time')).toBe(1);
      expect(suite.otlp.temporalities.get('db.client.connection.count')).toBe(2);
    } finally {
      await app.stop();
    }
  });
});
