/**
 * End to end: a real Fastify service started with the one-line import, real PostgreSQL and
 * Redis, a local OTLP receiver and a local Sentry receiver. One request's spans share a
 * trace, its log lines carry the trace ID, the metrics endpoint shows it, a thrown error
 * reaches Sentry with the trace ID, and no secret appears anywhere.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, requireRedis, services } from '../../../test/support/services.ts';
import { type FixtureProcess, startFixture, waitFor } from './support/fixture-process.ts';
import { type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver.ts';
import { freePort } from './support/ports.ts';
import { type SentryReceiver, startSentryReceiver } from './support/sentry-receiver.ts';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJlLXNlY3JldC14eXo';
const SECRETS = ['hunter2-Secret!', '918273', JWT, 'sessid-abc123XYZ', 'bearer-token-value-777'];

let otlp: OtlpReceiver;
let sentry: SentryReceiver;
let app: FixtureProcess;
let promPort: number;
/** The upstream the fixture's `/fetch` route calls; records the `traceparent` it receives. */
let upstream: http.Server;
const upstreamTraceparents: string[] = [];

beforeAll(async () => {
  await requirePostgres();
  await requireRedis();
  otlp = await startOtlpReceiver();
  sentry = await startSentryReceiver();
  promPort = await freePort();
  upstream = http.createServer((req, res) => {
    upstreamTraceparents.push(String(req.headers.traceparent ?? ''));
    res.end('upstream ok');
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  app = await startFixture({
    OTEL_SERVICE_NAME: 'fixture-auth',
    ENVIRONMENT: 'test',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_BLRP_SCHEDULE_DELAY: '100',
    OTEL_METRIC_EXPORT_INTERVAL: '500',
    OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort),
    OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
    SENTRY_DSN: sentry.dsn,
    SENTRY_RELEASE: 'fixture@1.2.3',
    FIXTURE_PG_URL: services.postgresUrl,
    FIXTURE_REDIS_URL: services.redisUrl,
    FIXTURE_SECRET: JWT,
    FIXTURE_UPSTREAM: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/resource`,
  });
});

afterAll(async () => {
  await app?.stop();
  await otlp?.close();
  await sentry?.close();
  await new Promise((resolve) => upstream?.close(resolve));
});

async function login(correlationId?: string) {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    authorization: 'Bearer bearer-token-value-777',
    cookie: 'sid=sessid-abc123XYZ; theme=dark',
  };
  if (correlationId) headers['x-correlation-id'] = correlationId;
  return fetch(`${app.base}/login`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ username: 'alice', password: SECRETS[0], otp: SECRETS[1] }),
  });
}

/** The Sentry events recorded for one trace (earlier requests' events never match). */
function eventsOfTrace(traceId: string | null) {
  return sentry.items.filter(
    (i) =>
      i.type === 'event' &&
      (i.payload.contexts as { trace?: { trace_id?: string } } | undefined)?.trace?.trace_id === traceId,
  );
}

describe('one-line start, end to end', () => {
  it('correlates the HTTP server, pg and Redis spans, logs and metrics of one request', async () => {
    const res = await login();
    expect(res.status).toBe(200);
    const correlationId = res.headers.get('x-correlation-id');
    expect(correlationId).toMatch(/^[0-9a-f]{32}$/);
    const traceId = correlationId as string;

    const spans = await waitFor(
      () => {
        const mine = otlp.spans.filter((s) => s.traceId === traceId);
        const scopes = new Set(mine.map((s) => s.scope));
        const ok =
          scopes.has('@authlens/sdk/http-server') &&
          mine.some((s) => s.scope.includes('pg')) &&
          mine.some((s) => s.scope.includes('ioredis'));
        return ok ? mine : undefined;
      },
      10_000,
      'HTTP server, pg and Redis spans of one trace',
    );

    const server = spans.find((s) => s.scope === '@authlens/sdk/http-server');
    expect(server?.name).toBe('POST /login');
    expect(server?.kind).toBe(2);
    expect(server?.attributes).toMatchObject({
      'http.route': '/login',
      'http.response.status_code': 200,
      'enduser.id': 'user-42',
      correlation_id: traceId,
    });
    expect(server?.resource).toMatchObject({
      'service.name': 'fixture-auth',
      'deployment.environment.name': 'test',
    });
    expect(typeof server?.resource['service.instance.id']).toBe('string');
    // One span per request (no Fastify span by default): every other span descends from the
    // server span, pg and Redis directly or through a pg pool span.
    expect(spans.some((s) => s.scope === '@authlens/sdk/fastify')).toBe(false);
    for (const s of spans) if (s !== server) expect(s.parentSpanId).not.toBe('');
    for (const s of spans.filter((x) => /pg|ioredis/.test(x.scope))) {
      const parent = spans.find((p) => p.spanId === s.parentSpanId);
      expect(parent === server || parent?.parentSpanId === server?.spanId).toBe(true);
    }
    // Redis spans name the command only: keys (session IDs, token hashes) never leave the process.
    const redisSpans = spans.filter((s) => s.scope.includes('ioredis'));
    for (const s of redisSpans) {
      const text = String(s.attributes['db.query.text'] ?? s.attributes['db.statement'] ?? '');
      expect(text).toMatch(/^[a-z]+$/i);
      expect(JSON.stringify(s.attributes)).not.toContain('fixture:');
    }

    // stdout JSON log line carries the trace ID and request context.
    const line = await waitFor(
      () =>
        app
          .stdout()
          .split('\n')
          .find((l) => l.includes('"login attempt"') && l.includes(traceId)),
      5000,
      'log line with trace ID',
    );
    const record = JSON.parse(line) as Record<string, unknown>;
    expect(record).toMatchObject({
      level: 'info',
      message: 'login attempt',
      'service.name': 'fixture-auth',
      trace_id: traceId,
      correlation_id: traceId,
      'http.route': '/login',
      'enduser.id': 'user-42',
      password: '[REDACTED]',
      otp: '[REDACTED]',
    });
    expect(record.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(record.trace_flags).toBe('01');
    expect(record.timestamp).toMatch(/^\d{4}-\d\d-\d\dT/);

    // The same record over OTLP.
    const otlpLog = await waitFor(
      () => otlp.logs.find((l) => l.body === 'login attempt' && l.traceId === traceId),
      5000,
      'OTLP log record',
    );
    expect(otlpLog.attributes.password).toBe('[REDACTED]');
    // Once: getLogger() sends its own records, the winston instrumentation's transport is not
    // added to it (a second, late copy would arrive with the next batch).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(otlp.logs.filter((l) => l.body === 'login attempt' && l.traceId === traceId)).toHaveLength(1);

    // The Prometheus scrape endpoint shows the request.
    const text = await (await fetch(`http://127.0.0.1:${promPort}/metrics`)).text();
    expect(text).toMatch(
      /http_server_request_duration_seconds_count\{[^}]*http_request_method="POST"[^}]*http_route="\/login"[^}]*http_response_status_code="200"[^}]*\} [1-9]/,
    );
    expect(text).toContain('http_server_request_duration_seconds_bucket');
    // Runtime metrics are on.
    expect(text).toMatch(/nodejs_eventloop_delay|v8js_memory_heap/);
    // And metrics reach OTLP too.
    await waitFor(
      () => otlp.metricNames.has('http.server.request.duration') || undefined,
      5000,
      'OTLP metrics',
    );
  });

  it('keeps a valid incoming X-Correlation-ID and replaces an invalid one', async () => {
    const good = await login('req-0123456789abcdef');
    expect(good.headers.get('x-correlation-id')).toBe('req-0123456789abcdef');
    const bad = await login('bad id with spaces <script>');
    expect(bad.headers.get('x-correlation-id')).toMatch(/^[0-9a-f]{32}$/);
    await waitFor(
      () =>
        app
          .stdout()
          .split('\n')
          .find((l) => l.includes('"correlation_id":"req-0123456789abcdef"')),
      5000,
      'log line with the incoming correlation ID',
    );
  });

  it('sends a thrown 5xx error to Sentry with the trace ID, but not a 401', async () => {
    const denied = await fetch(`${app.base}/denied`);
    expect(denied.status).toBe(401);
    const deniedTrace = denied.headers.get('x-correlation-id');
    expect(deniedTrace).toMatch(/^[0-9a-f]{32}$/);
    const res = await fetch(`${app.base}/boom`);
    expect(res.status).toBe(500);
    const traceId = res.headers.get('x-correlation-id');
    const event = await waitFor(
      () =>
        sentry.items.find(
          (i) => i.type === 'event' && JSON.stringify(i.payload).includes('database refused'),
        ),
      10_000,
      'Sentry event',
    );
    const payload = event.payload as {
      contexts?: { trace?: { trace_id?: string } };
      release?: string;
      environment?: string;
      request?: Record<string, unknown>;
      user?: Record<string, unknown>;
      tags?: Record<string, string>;
    };
    expect(payload.contexts?.trace?.trace_id).toBe(traceId);
    expect(payload.release).toBe('fixture@1.2.3');
    expect(payload.environment).toBe('test');
    expect(payload.tags?.['http.route']).toBe('/boom');
    expect(JSON.stringify(payload)).not.toContain(JWT);
    expect(JSON.stringify(payload)).toContain('[REDACTED]');
    // Only the 5xx produced an event: one for its trace, none for the 401's (events other tests
    // left in the receiver do not count).
    expect(eventsOfTrace(traceId)).toHaveLength(1);
    expect(eventsOfTrace(deniedTrace)).toEqual([]);
  });

  it('sends captureError() to Sentry with the request trace', async () => {
    const res = await fetch(`${app.base}/capture`);
    expect(res.status).toBe(200);
    const traceId = res.headers.get('x-correlation-id');
    const event = await waitFor(
      () =>
        sentry.items.find((i) => i.type === 'event' && JSON.stringify(i.payload).includes('manual capture')),
      10_000,
      'captured Sentry event',
    );
    const payload = event.payload as {
      contexts?: { trace?: { trace_id?: string } };
      tags?: Record<string, string>;
    };
    expect(payload.contexts?.trace?.trace_id).toBe(traceId);
    expect(payload.tags?.['http.route']).toBe('/capture');
  });

  it('does not send a thrown 4xx (an Unauthorized error) to Sentry', async () => {
    const res = await fetch(`${app.base}/unauthorized`);
    expect(res.status).toBe(401);
    const unauthorizedTrace = res.headers.get('x-correlation-id');
    expect(unauthorizedTrace).toMatch(/^[0-9a-f]{32}$/);
    // A later 5xx arrives; the 401 thrown before it must not have. Sentry's dedupe drops an event
    // identical to the one before it, so a captureError() event goes first: whatever earlier
    // tests sent last, the 5xx then differs from its predecessor.
    expect((await fetch(`${app.base}/capture`)).status).toBe(200);
    const boom = await fetch(`${app.base}/boom`);
    expect(boom.status).toBe(500);
    const boomTrace = boom.headers.get('x-correlation-id');
    await waitFor(() => eventsOfTrace(boomTrace)[0], 10_000, 'the 5xx Sentry event');
    expect(eventsOfTrace(unauthorizedTrace)).toEqual([]);
    expect(JSON.stringify(sentry.items)).not.toContain('invalid credentials');
  });

  it('traces an outgoing fetch as an undici client span in the request trace, and propagates it', async () => {
    const res = await fetch(`${app.base}/fetch`);
    expect(await res.json()).toEqual({ status: 200 });
    const traceId = res.headers.get('x-correlation-id') as string;
    const spans = await waitFor(
      () => {
        const mine = otlp.spans.filter((s) => s.traceId === traceId);
        return mine.some((s) => s.scope.includes('undici')) ? mine : undefined;
      },
      10_000,
      'undici client span',
    );
    const client = spans.find((s) => s.scope.includes('undici'));
    expect(client?.kind).toBe(3);
    expect(client?.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.response.status_code': 200,
    });
    const server = spans.find((s) => s.scope === '@authlens/sdk/http-server');
    expect(client?.parentSpanId).toBe(server?.spanId);
    // The upstream received the client span's context.
    expect(upstreamTraceparents).toContain(`00-${traceId}-${client?.spanId}-01`);
  });

  it('carries the W3C random flag of the incoming parent to the outgoing fetch', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await fetch(`${app.base}/fetch`, {
      headers: {
        traceparent: `00-${traceId}-00f067aa0ba902b7-03`,
        tracestate: 'rojo=00f067aa0ba902b7,Bad Key=1',
      },
    });
    expect(await res.json()).toEqual({ status: 200 });
    const sent = await waitFor(
      () => upstreamTraceparents.find((t) => t.includes(traceId)),
      5000,
      'the traceparent the fetch sent',
    );
    expect(sent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-03$`));
    // The exported spans of the request carry it too (OTLP span flags, bits 0–7), at any depth.
    const spans = await waitFor(
      () => {
        const mine = otlp.spans.filter((s) => s.traceId === traceId);
        return mine.some((s) => s.scope.includes('undici')) &&
          mine.some((s) => s.scope.includes('http-server'))
          ? mine
          : undefined;
      },
      10_000,
      'the spans of the random-flagged request',
    );
    for (const span of spans) expect((otlp.spanFlags.get(span.spanId) ?? 0) & 0xff, span.scope).toBe(3);
  });

  it("gives the app's own winston.createLogger trace_id and span_id inside a Fastify request", async () => {
    const res = await fetch(`${app.base}/own-logger`);
    expect(res.status).toBe(200);
    const traceId = res.headers.get('x-correlation-id') as string;
    const line = await waitFor(
      () =>
        app
          .stdout()
          .split('\n')
          .filter((l) => l.includes('own logger line'))
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .find((l) => l.trace_id === traceId),
      5000,
      'own logger line with the trace ID on stdout',
    );
    expect(line.span_id).toMatch(/^[0-9a-f]{16}$/);
    // Its OTLP transport (instrumentation-winston's) sends it in the same trace, once.
    await waitFor(
      () => otlp.logs.find((l) => l.body === 'own logger line' && l.traceId === traceId),
      10_000,
      'own logger record over OTLP',
    );
    expect(otlp.logs.filter((l) => l.body === 'own logger line' && l.traceId === traceId)).toHaveLength(1);
  });

  it('lets no password, token, OTP or cookie reach any output', async () => {
    await waitFor(() => otlp.logs.length > 0 || undefined, 5000, 'logs');
    const outputs = [app.stdout(), app.stderr(), ...otlp.raw, ...sentry.raw].join('\n');
    expect(outputs.length).toBeGreaterThan(1000);
    for (const secret of SECRETS) expect(outputs).not.toContain(secret);
  });
});
