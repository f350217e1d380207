/**
 * The server side checked against stock: the same Fastify app serves the same requests (2xx,
 * 4xx, 5xx, a thrown error, a route with a parameter) once through authlens's server and Fastify
 * instrumentation and once through stock `@opentelemetry/instrumentation-http` (server side,
 * with the route given to it the way framework instrumentations do, through the RPC metadata),
 * each into the SDK's in-memory span exporter and a metric reader. The server span's attribute
 * keys, name, kind and status and the duration metric's attribute keys must match, except for
 * the differences listed in EXPECTED_DIFFERENCES (also in docs/sdk.md) with their reasons.
 */
import { createRequire } from 'node:module';
import { type Attributes, context, SpanKind, type SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { getRPCMetadata } from '@opentelemetry/core';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { type HistogramMetricData, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  AlwaysOnSampler,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FASTIFY_SCOPE, instrumentFastify } from './fastify.ts';
import { instrumentHttpServers } from './http-server.ts';
import { HTTP_DURATION_BUCKETS } from './pipelines/metrics.ts';
import { createRedactor } from './redaction.ts';
import { RequestDurationHistogram } from './request-duration.ts';
import type { ServerSpan } from './server-span.ts';

class Reader extends MetricReader {
  protected override async onForceFlush() {}
  protected override async onShutdown() {}
}

/** The requests, by what they exercise. */
const REQUESTS = {
  ok: '/ok',
  param: '/users/42',
  notFound: '/users/404',
  serverError: '/fail',
  thrown: '/throw',
} as const;
type Case = keyof typeof REQUESTS;

/**
 * Attribute keys one side has and the other lacks, with the reason. Anything else that differs
 * fails the test.
 */
const EXPECTED_DIFFERENCES = {
  span: {
    authlensOnly: {
      correlation_id:
        'the request correlation ID (X-Correlation-ID or the trace ID), also on log lines and Sentry events',
    },
    stockOnly: {
      'network.peer.address':
        'the socket peer; authlens records client.address (the same value without a proxy)',
      'network.peer.port': 'an ephemeral per-connection port, of no use to an auth service',
      'server.port': 'the listening port; authlens records server.address from the Host header only',
    },
  },
  metric: {
    authlensOnly: {},
    stockOnly: {
      'network.protocol.version':
        'kept on the span; off the metric to bound its series (opt-in in the conventions)',
    },
  },
} as const;

interface Observed {
  spans: Record<Case, { keys: string[]; name: string; kind: SpanKind; status: SpanStatusCode }>;
  metricKeys: Record<Case, string[]>;
}

function buildApp() {
  const app = Fastify();
  app.get('/ok', async () => ({ ok: true }));
  app.get('/users/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    if (id === '404') return reply.code(404).send({ error: 'no such user' });
    return { id };
  });
  app.get('/fail', async (_request, reply) => reply.code(503).send({ error: 'down' }));
  app.get('/throw', async () => {
    throw new Error('boom');
  });
  return app;
}

async function serve(app: ReturnType<typeof buildApp>): Promise<void> {
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    for (const path of Object.values(REQUESTS)) await (await fetch(`${base}${path}`)).text();
  } finally {
    await app.close();
  }
}

function observe(
  spans: ReadonlyArray<Pick<ReadableSpan, 'kind' | 'attributes' | 'name' | 'status'>>,
  metric: HistogramMetricData | undefined,
): Observed {
  const server = spans.filter((s) => s.kind === SpanKind.SERVER);
  const byPath = (attrs: Attributes, path: string) =>
    attrs['url.path'] === path || attrs['http.target'] === path;
  const out = { spans: {}, metricKeys: {} } as Observed;
  const routeOf = (c: Case) => (c === 'param' || c === 'notFound' ? '/users/:id' : REQUESTS[c]);
  for (const c of Object.keys(REQUESTS) as Case[]) {
    const span = server.find((s) => byPath(s.attributes, REQUESTS[c]));
    if (!span) throw new Error(`no server span for ${REQUESTS[c]}`);
    out.spans[c] = {
      keys: Object.keys(span.attributes).sort(),
      name: span.name,
      kind: span.kind,
      status: span.status.code,
    };
    const status = span.attributes['http.response.status_code'];
    const point = metric?.dataPoints.find(
      (p) =>
        p.attributes['http.route'] === routeOf(c) && p.attributes['http.response.status_code'] === status,
    );
    if (!point) throw new Error(`no duration point for ${REQUESTS[c]}`);
    out.metricKeys[c] = Object.keys(point.attributes).sort();
  }
  return out;
}

async function durationMetric(reader: MetricReader): Promise<HistogramMetricData | undefined> {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics
    .flatMap((s) => s.metrics)
    .find((m) => m.descriptor.name === 'http.server.request.duration') as HistogramMetricData | undefined;
}

const contextManager = new AsyncLocalStorageContextManager();
const resource = resourceFromAttributes({ 'service.name': 'semconv' });
let authlens: Observed;
let stock: Observed;

beforeAll(async () => {
  context.setGlobalContextManager(contextManager.enable());

  // authlens
  {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({
      sampler: new AlwaysOnSampler(),
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    const histogram = new RequestDurationHistogram({
      name: 'http.server.request.duration',
      unit: 's',
      description: 'd',
      boundaries: HTTP_DURATION_BUCKETS,
      resource,
      scope: { name: '@authlens/sdk', version: undefined, schemaUrl: undefined },
    });
    const reader = new Reader({ metricProducers: [histogram] });
    const meterProvider = new MeterProvider({ resource, readers: [reader] });
    const redactor = createRedactor();
    const serverSpans: ServerSpan[] = [];
    const undoServer = instrumentHttpServers({
      sampler: new AlwaysOnSampler(),
      onSpanEnd: (span) => serverSpans.push(span),
      recordDuration: histogram.record,
      redactor,
    });
    const undoFastify = instrumentFastify({ tracer: provider.getTracer(FASTIFY_SCOPE), redactor });
    try {
      await serve(buildApp());
    } finally {
      undoFastify();
      undoServer();
    }
    authlens = observe([...serverSpans, ...exporter.getFinishedSpans()], await durationMetric(reader));
    await meterProvider.shutdown();
  }

  // stock instrumentation-http (server side); the route through the RPC metadata, as framework
  // instrumentations give it.
  {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({
      sampler: new AlwaysOnSampler(),
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    const reader = new Reader();
    const meterProvider = new MeterProvider({ resource, readers: [reader] });
    const instrumentation = new HttpInstrumentation();
    instrumentation.setTracerProvider(provider);
    instrumentation.setMeterProvider(meterProvider);
    instrumentation.enable();
    // The instrumentation patches `http` when it is required after enable().
    createRequire(import.meta.url)('node:http');
    const app = buildApp();
    app.addHook('onRequest', (request, _reply, done) => {
      const meta = getRPCMetadata(context.active());
      if (meta && request.routeOptions.url) meta.route = request.routeOptions.url;
      done();
    });
    try {
      await serve(app);
    } finally {
      instrumentation.disable();
    }
    stock = observe(exporter.getFinishedSpans(), await durationMetric(reader));
    await meterProvider.shutdown();
  }
}, 60_000);

afterAll(() => {
  context.disable();
});

const diff = (a: string[], b: string[]) => a.filter((k) => !b.includes(k)).sort();

describe('authlens against stock instrumentation-http', () => {
  it.each(Object.keys(REQUESTS) as Case[])(
    '%s: the server span has the same name, kind, status and keys',
    (c) => {
      const a = authlens.spans[c];
      const s = stock.spans[c];
      expect(a.name).toBe(s.name);
      expect(a.kind).toBe(s.kind);
      expect(a.status).toBe(s.status);
      expect(diff(a.keys, s.keys)).toEqual(Object.keys(EXPECTED_DIFFERENCES.span.authlensOnly).sort());
      expect(diff(s.keys, a.keys)).toEqual(Object.keys(EXPECTED_DIFFERENCES.span.stockOnly).sort());
    },
  );

  it.each(Object.keys(REQUESTS) as Case[])('%s: the duration point has the same keys', (c) => {
    const a = authlens.metricKeys[c];
    const s = stock.metricKeys[c];
    expect(diff(a, s)).toEqual(Object.keys(EXPECTED_DIFFERENCES.metric.authlensOnly).sort());
    expect(diff(s, a)).toEqual(Object.keys(EXPECTED_DIFFERENCES.metric.stockOnly).sort());
  });

  it('carries url.scheme everywhere and error.type exactly on the 5xx cases, like stock', () => {
    for (const c of Object.keys(REQUESTS) as Case[]) {
      const is5xx = c === 'serverError' || c === 'thrown';
      for (const keys of [authlens.spans[c].keys, authlens.metricKeys[c], stock.metricKeys[c]]) {
        expect(keys).toContain('url.scheme');
        expect(keys.includes('error.type'), c).toBe(is5xx);
      }
    }
  });
});
