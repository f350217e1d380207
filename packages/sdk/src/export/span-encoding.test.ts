import { context, type Span, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, type ReadableSpan, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { encodeEnvelope } from './log-encoding.ts';
import { encodeSpan, encodeTraceRequest } from './span-encoding.ts';

const under = (span: Span) => trace.setSpan(context.active(), span);

describe('span encoding', () => {
  it('writes byte for byte what the stock OTLP trace serializer writes', async () => {
    const resource = resourceFromAttributes({ 'service.name': 'svc', 'service.instance.id': 'i-1' });
    const ended: ReadableSpan[] = [];
    const provider = new TracerProvider({
      resource,
      sampler: new AlwaysOnSampler(),
      spanProcessors: [
        {
          onStart() {},
          onEnd: (s) => void ended.push(s),
          forceFlush: async () => {},
          shutdown: async () => {},
        },
      ],
    });
    const a = provider.getTracer('@authlens/sdk/http-server');
    const b = provider.getTracer('@opentelemetry/instrumentation-pg', '0.77.0');
    const remote = {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
      traceState: new TraceState('vendor=abc,other=x'),
    };
    for (let i = 0; i < 30; i++) {
      // Every fifth request continues a remote trace (remote parent flag, trace state).
      const parent = i % 5 === 0 ? trace.setSpanContext(context.active(), remote) : context.active();
      const server = a.startSpan(
        `POST /login ${'x'.repeat(i * 10)}`,
        {
          kind: SpanKind.SERVER,
          attributes: { 'http.request.method': 'POST', 'http.response.status_code': 200 + i, ratio: i / 7 },
          links: i % 3 === 0 ? [{ context: remote, attributes: { 'link.n': i } }] : [],
        },
        parent,
      );
      server.addEvent('exception', { 'exception.message': 'é漢😀'.repeat(i), 'exception.type': 'Error' });
      if (i % 2) server.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
      const child = b.startSpan(
        'pg.query',
        { kind: SpanKind.CLIENT, attributes: { 'db.system': 'postgresql', tags: ['a', 'b'] } },
        under(server),
      );
      child.end();
      server.end();
    }
    const resourceBytes = encodeEnvelope(resource.attributes, 'unused', undefined).resource;
    const expected = Buffer.from(ProtobufTraceSerializer.serializeRequest(ended) as Uint8Array);
    const got = Buffer.from(
      encodeTraceRequest(
        resourceBytes,
        ended.map((s) => encodeSpan(s)),
      ),
    );
    expect(got.toString('hex')).toBe(expected.toString('hex'));
    await provider.shutdown();
  });
});
