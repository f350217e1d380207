/**
 * The server span's sampling without the SDK tracer: an unsampled request gets its IDs in the
 * API's non-recording span (no `ServerSpan`, nothing ended into the pipeline); a sampled one a
 * `ServerSpan` that continues the incoming trace and is handed over once when the response closes.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AlwaysOffSampler, ParentBasedSampler } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRequestState } from './context.ts';
import { instrumentHttpServers } from './http-server.ts';
import { createRedactor } from './redaction.ts';
import { ServerSpan } from './server-span.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';
const contextManager = new AsyncLocalStorageContextManager();
const ended: ServerSpan[] = [];
const seen: Span[] = [];
let undo: () => void;
let server: http.Server;
let base: string;

beforeAll(async () => {
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  undo = instrumentHttpServers({
    // Unsampled unless the caller's trace is sampled.
    sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }),
    onSpanEnd: (span) => ended.push(span),
    recordDuration: () => {},
    redactor: createRedactor(),
  });
  server = http
    .createServer((_req, res) => {
      const span = getRequestState()?.span;
      if (span) seen.push(span);
      res.end('ok');
    })
    .listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  undo();
  server.close();
  await once(server, 'close');
  propagation.disable();
  context.disable();
});

describe('server span sampling', () => {
  it('an unsampled request: IDs and the correlation ID, no ServerSpan, nothing ended', async () => {
    const res = await fetch(`${base}/a`);
    await res.text();
    const span = seen.splice(0)[0] as Span;
    expect(span).toBeDefined();
    expect(span).not.toBeInstanceOf(ServerSpan);
    expect(span.isRecording()).toBe(false);
    const ctx = span.spanContext();
    expect(ctx.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(ctx.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(ctx.traceFlags).toBe(0);
    expect(res.headers.get('x-correlation-id')).toBe(ctx.traceId);
    expect(ended).toEqual([]);
  });

  it('a sampled parent: a ServerSpan in its trace, ended once with the request attributes', async () => {
    const res = await fetch(`${base}/b?x=1`, { headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` } });
    await res.text();
    const span = seen.splice(0)[0];
    expect(span).toBeInstanceOf(ServerSpan);
    expect(ended).toEqual([span]);
    const own = ended[0] as ServerSpan;
    expect(own.spanContext()).toMatchObject({ traceId: TRACE_ID, traceFlags: 1 });
    expect(own.parentSpanContext).toMatchObject({ spanId: PARENT_ID, isRemote: true });
    expect(own.isRecording()).toBe(false);
    expect(own.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.path': '/b',
      'url.query': 'x=1',
      'http.response.status_code': 200,
      correlation_id: TRACE_ID,
    });
    expect(own.endMs).toBeGreaterThanOrEqual(own.startMs);
  });
});
