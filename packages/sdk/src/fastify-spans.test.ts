/**
 * One span per request: by default a sampled Fastify request is the server span alone (route
 * on it, 5xx exceptions recorded on it, child spans under it); `spans: true`
 * (`AUTHLENS_FASTIFY_SPANS`) adds the Fastify child span between them.
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
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
import { createRedactor } from './redaction.ts';
import type { ServerSpan } from './server-span.ts';

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});

/** Serves `GET /users/:id` (with a child span) and `GET /throw` (a 5xx error) once each. */
type SpanLike = Pick<
  ReadableSpan,
  'name' | 'attributes' | 'status' | 'events' | 'instrumentationScope' | 'parentSpanContext' | 'spanContext'
>;

async function spansOf(fastifySpans: boolean | undefined): Promise<SpanLike[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    sampler: new AlwaysOnSampler(),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const redactor = createRedactor();
  const serverSpans: ServerSpan[] = [];
  const undoServer = instrumentHttpServers({
    sampler: new AlwaysOnSampler(),
    onSpanEnd: (span) => serverSpans.push(span),
    recordDuration: () => {},
    redactor,
  });
  const undoFastify = instrumentFastify({
    tracer: provider.getTracer(FASTIFY_SCOPE),
    redactor,
    ...(fastifySpans === undefined ? {} : { spans: fastifySpans }),
  });
  const app = Fastify();
  app.get('/users/:id', async () => {
    provider.getTracer('child').startSpan('lookup').end();
    return { ok: true };
  });
  app.get('/throw', async () => {
    throw new Error('database on fire');
  });
  try {
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    expect((await fetch(`${base}/users/42`)).status).toBe(200);
    expect((await fetch(`${base}/throw`)).status).toBe(500);
  } finally {
    await app.close();
    undoFastify();
    undoServer();
  }
  await provider.forceFlush();
  return [...serverSpans, ...exporter.getFinishedSpans()];
}

const byScope = (spans: SpanLike[], scope: string) =>
  spans.filter((s) => s.instrumentationScope.name === scope);

describe('Fastify spans', () => {
  it('by default: one server span per request, named by route, the parent of child spans', async () => {
    const spans = await spansOf(undefined);
    expect(byScope(spans, FASTIFY_SCOPE)).toEqual([]);
    const servers = byScope(spans, '@authlens/sdk/http-server');
    expect(servers.map((s) => s.name).sort()).toEqual(['GET /throw', 'GET /users/:id']);
    const ok = servers.find((s) => s.name === 'GET /users/:id') as SpanLike;
    expect(ok.attributes['http.route']).toBe('/users/:id');
    const child = byScope(spans, 'child')[0];
    expect(child?.parentSpanContext?.spanId).toBe(ok.spanContext().spanId);
    // The 5xx exception is on the server span, with its message kept on the status.
    const failed = servers.find((s) => s.name === 'GET /throw') as SpanLike;
    expect(failed.status).toEqual({ code: 2, message: 'database on fire' });
    expect(failed.events.map((e) => e.name)).toEqual(['exception']);
    expect(failed.events[0]?.attributes?.['exception.message']).toBe('database on fire');
    expect(failed.attributes['http.response.status_code']).toBe(500);
  });

  it('with spans: true, a Fastify span between the server span and child spans', async () => {
    const spans = await spansOf(true);
    const servers = byScope(spans, '@authlens/sdk/http-server');
    const fastify = byScope(spans, FASTIFY_SCOPE);
    expect(fastify.map((s) => s.name).sort()).toEqual(['fastify GET /throw', 'fastify GET /users/:id']);
    const ok = servers.find((s) => s.name === 'GET /users/:id') as SpanLike;
    const fOk = fastify.find((s) => s.name === 'fastify GET /users/:id') as SpanLike;
    expect(fOk.parentSpanContext?.spanId).toBe(ok.spanContext().spanId);
    expect(byScope(spans, 'child')[0]?.parentSpanContext?.spanId).toBe(fOk.spanContext().spanId);
    const fFailed = fastify.find((s) => s.name === 'fastify GET /throw') as SpanLike;
    expect(fFailed.status).toEqual({ code: 2, message: 'database on fire' });
    expect(fFailed.events.map((e) => e.name)).toEqual(['exception']);
    // The server span is marked as an error without the exception event.
    const failed = servers.find((s) => s.name === 'GET /throw') as SpanLike;
    expect(failed.status.code).toBe(2);
    expect(failed.events).toEqual([]);
  });
});
