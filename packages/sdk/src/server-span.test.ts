/**
 * `ServerSpan` (the compact record of a recorded server span) against the SDK's own span: the
 * same calls on both — attributes past the count and length limits, invalid values, events past
 * their limit, an exception, links, status rules, a rename, calls after `end()` — must encode to
 * the same OTLP bytes.
 */
import { type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { AlwaysOnSampler, type ReadableSpan, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { encodeSpan } from './export/span-encoding.ts';
import { SERVER_SPAN_LIMITS, ServerSpan } from './server-span.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const START = 1_780_000_000_123;
// One error object for both spans: the same stack trace.
const ERROR = new Error('boom');

function exercise(span: Span): void {
  span.setAttribute('http.request.method', 'POST');
  span.setAttribute('long', 'x'.repeat(5000));
  span.setAttribute('list', ['a', 'b'.repeat(5000)]);
  span.setAttribute('bad', { nested: true } as never);
  span.setAttribute('', 'empty key');
  span.setAttributes({ n: 1, ok: true, ratio: 0.5 });
  for (let i = 0; i < 70; i++) span.setAttribute(`k${i}`, i);
  span.setAttribute('k3', 'overwritten');
  for (let i = 0; i < 40; i++) span.addEvent(`e${i}`, { i }, START + i);
  span.addEvent('timed', START + 50);
  span.recordException(ERROR, START + 60);
  span.addLink({
    context: { traceId: TRACE_ID, spanId: 'b7ad6b7169203331', traceFlags: 1 },
    attributes: { l: 1 },
  });
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
  span.setStatus({ code: SpanStatusCode.UNSET });
  span.updateName('POST /login');
  span.end(START + 100);
  span.setAttribute('after', 'end');
  span.addEvent('after');
  span.updateName('renamed after end');
}

describe('ServerSpan', () => {
  it('records and encodes exactly what the SDK span does', async () => {
    let sdkSpan: ReadableSpan | undefined;
    const provider = new TracerProvider({
      sampler: new AlwaysOnSampler(),
      idGenerator: { generateTraceId: () => TRACE_ID, generateSpanId: () => SPAN_ID },
      spanLimits: {
        attributeValueLengthLimit: SERVER_SPAN_LIMITS.attributeValueLengthLimit,
        attributeCountLimit: SERVER_SPAN_LIMITS.attributeCountLimit,
        eventCountLimit: SERVER_SPAN_LIMITS.eventCountLimit,
      },
      spanProcessors: [
        {
          onStart() {},
          onEnd: (s) => {
            sdkSpan = s;
          },
          forceFlush: async () => {},
          shutdown: async () => {},
        },
      ],
    });
    exercise(provider.getTracer('t').startSpan('POST', { kind: SpanKind.SERVER, startTime: START }));
    const ended: ServerSpan[] = [];
    exercise(
      new ServerSpan('POST', { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 }, undefined, START, (s) =>
        ended.push(s),
      ),
    );
    expect(ended).toHaveLength(1);
    const own = ended[0] as ServerSpan;
    expect(sdkSpan).toBeDefined();
    // The limits were reached (so the comparison covers them).
    expect(own.droppedAttributesCount).toBeGreaterThan(0);
    expect(own.droppedEventsCount).toBeGreaterThan(0);
    expect(own.isRecording()).toBe(false);
    expect(own.name).toBe('POST /login');
    const got = Buffer.from(encodeSpan(own).bytes);
    const expected = Buffer.from(encodeSpan(sdkSpan as ReadableSpan).bytes);
    // Compared as buffers (a failure prints the first differing bytes, not 40 KB of hex).
    expect(got.length).toBe(expected.length);
    expect(got.equals(expected)).toBe(true);
    await provider.shutdown();
  });

  it('keeps an OK status against later errors, as the SDK does', () => {
    const span = new ServerSpan(
      'GET',
      { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 },
      undefined,
      START,
      () => {},
    );
    span.setStatus({ code: SpanStatusCode.OK });
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'late' });
    expect(span.status).toEqual({ code: SpanStatusCode.OK });
  });
});
