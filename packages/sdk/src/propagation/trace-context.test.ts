/**
 * W3C Trace Context Level 2: the spec's examples and the edge cases of the W3C test suite
 * (github.com/w3c/trace-context, test/test.py and tracecontext/tracestate.py), and the random
 * flag carried from an incoming request through the server span to a request sent on.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  ROOT_CONTEXT,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AlwaysOnSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRequestState } from '../context.ts';
import { instrumentHttpServers } from '../http-server.ts';
import { createRedactor } from '../redaction.ts';
import { parseTraceParent, parseTraceState, W3CTraceContextLevel2Propagator } from './trace-context.ts';

const TRACE_ID = '12345678901234567890123456789012';
const SPAN_ID = '1234567890123456';
const propagator = new W3CTraceContextLevel2Propagator();

function extract(headers: Record<string, string | string[]>) {
  const ctx = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  return trace.getSpanContext(ctx);
}
function roundTrip(headers: Record<string, string | string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  propagator.inject(
    propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter),
    out,
    defaultTextMapSetter,
  );
  return out;
}

describe('traceparent (Level 2)', () => {
  it("takes the spec's example", () => {
    expect(parseTraceParent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toEqual({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
      isRemote: true,
    });
  });

  it.each([
    ['trailing characters on version 00', `00-${TRACE_ID}-${SPAN_ID}-01.`],
    ['extra fields on version 00', `00-${TRACE_ID}-${SPAN_ID}-01-what-the-future-will-be-like`],
    ['version ff', `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ['illegal version characters', `.0-${TRACE_ID}-${SPAN_ID}-01`],
    ['version too long', `000-${TRACE_ID}-${SPAN_ID}-01`],
    ['version too short', `0-${TRACE_ID}-${SPAN_ID}-01`],
    ['all-zero trace ID', `00-00000000000000000000000000000000-${SPAN_ID}-01`],
    ['illegal trace ID characters', `00-.2345678901234567890123456789012-${SPAN_ID}-01`],
    ['trace ID too long', `00-123456789012345678901234567890123-${SPAN_ID}-01`],
    ['trace ID too short', `00-1234567890123456789012345678901-${SPAN_ID}-01`],
    ['all-zero parent ID', `00-${TRACE_ID}-0000000000000000-01`],
    ['illegal parent ID characters', `00-${TRACE_ID}-.234567890123456-01`],
    ['parent ID too long', `00-${TRACE_ID}-12345678901234567-01`],
    ['parent ID too short', `00-${TRACE_ID}-123456789012345-01`],
    ['illegal flag characters', `00-${TRACE_ID}-${SPAN_ID}-.0`],
    ['flags too long', `00-${TRACE_ID}-${SPAN_ID}-001`],
    ['flags too short', `00-${TRACE_ID}-${SPAN_ID}-1`],
    ['uppercase hex', `00-${TRACE_ID.toUpperCase().replace('1', 'A')}-${SPAN_ID}-01`],
    [
      'a future version followed by something other than "-"',
      `cc-${TRACE_ID}-${SPAN_ID}-01.what-the-future-will-be-like`,
    ],
  ])('discards %s (a new trace starts)', (_what, value) => {
    expect(parseTraceParent(value)).toBeUndefined();
    expect(extract({ traceparent: value })).toBeUndefined();
  });

  it('reads a future version (cc) as version 00, with or without extra fields', () => {
    expect(parseTraceParent(`cc-${TRACE_ID}-${SPAN_ID}-01`)?.traceId).toBe(TRACE_ID);
    expect(parseTraceParent(`cc-${TRACE_ID}-${SPAN_ID}-01-what-the-future-will-be-like`)?.traceId).toBe(
      TRACE_ID,
    );
    // Sent on as version 00.
    expect(roundTrip({ traceparent: `cc-${TRACE_ID}-${SPAN_ID}-01-future` }).traceparent).toBe(
      `00-${TRACE_ID}-${SPAN_ID}-01`,
    );
  });

  it('discards two traceparent headers', () => {
    expect(
      extract({
        traceparent: [`00-${TRACE_ID}-${SPAN_ID}-01`, `00-${TRACE_ID.replace('2', '3')}-${SPAN_ID}-01`],
      }),
    ).toBeUndefined();
  });

  it('keeps the sampled and random flags and sends no unknown flag on', () => {
    expect(parseTraceParent(`00-${TRACE_ID}-${SPAN_ID}-03`)?.traceFlags).toBe(3);
    expect(parseTraceParent(`00-${TRACE_ID}-${SPAN_ID}-02`)?.traceFlags).toBe(2);
    expect(parseTraceParent(`00-${TRACE_ID}-${SPAN_ID}-ff`)?.traceFlags).toBe(3);
    expect(parseTraceParent(`00-${TRACE_ID}-${SPAN_ID}-08`)?.traceFlags).toBe(0);
    expect(roundTrip({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-03` }).traceparent).toBe(
      `00-${TRACE_ID}-${SPAN_ID}-03`,
    );
    expect(roundTrip({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-09` }).traceparent).toBe(
      `00-${TRACE_ID}-${SPAN_ID}-01`,
    );
  });
});

describe('tracestate (Level 2)', () => {
  const parent = `00-${TRACE_ID}-${SPAN_ID}-01`;
  const forwarded = (tracestate: string | string[]) =>
    roundTrip({ traceparent: parent, tracestate }).tracestate;

  it("takes the spec's examples and keeps the order", () => {
    expect(forwarded('congo=t61rcWkgMzE')).toBe('congo=t61rcWkgMzE');
    expect(forwarded('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')).toBe(
      'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
    );
  });

  it('joins several header lines and ignores empty members and optional whitespace', () => {
    expect(forwarded(['foo=1', 'bar=2'])).toBe('foo=1,bar=2');
    expect(forwarded('foo=1 ,\t, bar=2,')).toBe('foo=1,bar=2');
  });

  it('accepts the current key grammar, multi-tenant keys with @ included', () => {
    const keys = [
      'a',
      `a${'z'.repeat(255)}`,
      'foo_bar-baz*qux/1',
      '1tenant@sys',
      'tenant@s',
      `${'t'.repeat(241)}@${'s'.repeat(14)}`,
      'fw529a3039@dt',
    ];
    for (const key of keys) expect(forwarded(`${key}=v`), key).toBe(`${key}=v`);
  });

  it.each([
    ['a key starting with a digit (no tenant)', 'foo=1,1abc=2'],
    ['an uppercase key', 'foo=1,Bar=2'],
    ['a simple key longer than 256', `foo=1,a${'b'.repeat(256)}=2`],
    ['a tenant ID longer than 241', `foo=1,${'t'.repeat(242)}@s=2`],
    ['a system ID longer than 14', `foo=1,t@${'s'.repeat(15)}=2`],
    ['a system ID starting with a digit', 'foo=1,t@1s=2'],
    ['two @ in a key', 'foo=1,a@b@c=2'],
    ['a member without =', 'foo=1,bar'],
    ['an empty value', 'foo=1,bar='],
    ['a value with =', 'foo=1,bar=a=b'],
    ['a value ending in a space', 'foo=1,bar=a ,baz=2'.replace(' ,', '\u00a0,')],
    ['a value longer than 256', `foo=1,bar=${'v'.repeat(257)}`],
    ['a value with a control character', 'foo=1,bar=a\u0001b'],
    ['a duplicated key', 'foo=1,bar=2,foo=3'],
  ])('discards the whole header on %s', (_what, value) => {
    expect(parseTraceState(value)).toBeUndefined();
    expect(forwarded(value)).toBeUndefined();
    // The span context still comes through, without a trace state.
    expect(extract({ traceparent: parent, tracestate: value })?.traceId).toBe(TRACE_ID);
  });

  it('takes 32 members and discards the whole header at 33', () => {
    const members = (n: number) => Array.from({ length: n }, (_, i) => `k${i}=v${i}`).join(',');
    expect(forwarded(members(32))).toBe(members(32));
    expect(forwarded(members(33))).toBeUndefined();
  });

  it('never sends an empty tracestate on', () => {
    expect(forwarded('')).toBeUndefined();
    expect(forwarded(' , ,')).toBeUndefined();
    const out = roundTrip({ traceparent: parent, tracestate: 'BAD KEY=1' });
    expect(Object.keys(out)).toEqual(['traceparent']);
  });

  it('ignores tracestate when traceparent is invalid', () => {
    expect(roundTrip({ traceparent: `ff-${TRACE_ID}-${SPAN_ID}-01`, tracestate: 'foo=1' })).toEqual({});
  });
});

describe('the random flag through the server span', () => {
  const contextManager = new AsyncLocalStorageContextManager();
  const provider = new TracerProvider({ sampler: new AlwaysOnSampler() });
  let undo: () => void;
  let server: http.Server;
  let base: string;
  const seen: Array<{ serverFlags: number; outgoing: Record<string, string> }> = [];

  beforeAll(async () => {
    context.setGlobalContextManager(contextManager.enable());
    propagation.setGlobalPropagator(propagator);
    undo = instrumentHttpServers({
      sampler: new AlwaysOnSampler(),
      onSpanEnd: () => {},
      recordDuration: () => {},
      redactor: createRedactor(),
    });
    server = http.createServer((_req, res) => {
      // What the http/undici client instrumentations do for a request sent on: a client span
      // in the active context, injected into the outgoing headers.
      const client = provider.getTracer('client').startSpan('GET');
      const outgoing: Record<string, string> = {};
      propagation.inject(trace.setSpan(context.active(), client), outgoing);
      client.end();
      seen.push({ serverFlags: getRequestState()?.span.spanContext().traceFlags ?? -1, outgoing });
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    undo?.();
    await new Promise((resolve) => server.close(resolve));
    propagation.disable();
    context.disable();
  });

  it('is kept on the server span and sent on with outgoing requests', async () => {
    await (await fetch(base, { headers: { traceparent: `00-${TRACE_ID}-${SPAN_ID}-03` } })).text();
    const [random] = seen.splice(0);
    expect(random?.serverFlags).toBe(3);
    expect(random?.outgoing.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-03$`));
  });

  it('is not invented for a parent without it', async () => {
    await (await fetch(base, { headers: { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` } })).text();
    const [plain] = seen.splice(0);
    expect(plain?.serverFlags).toBe(1);
    expect(plain?.outgoing.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
  });
});
