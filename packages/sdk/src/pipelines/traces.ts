/**
 * The traces pipeline: a TracerProvider whose sampled spans are redacted and encoded at
 * `onEnd` and queued as bytes for the OTLP exporter. Without a traces endpoint nothing is
 * sampled (requests still get trace IDs for logs, Sentry and the correlation ID).
 * Registers no global: the wiring (`sdk.ts`) does.
 */
import type { Resource } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type ReadableSpan,
  type Sampler,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { SdkConfig } from '../config.ts';
import {
  type Batcher,
  createBatcher,
  createOutageTracker,
  lazyExporter,
  type Signal,
} from '../export/batcher.ts';
import { encodeEnvelope } from '../export/log-encoding.ts';
import { type EncodedSpan, encodeSpan, encodeTraceRequest } from '../export/span-encoding.ts';
import { RANDOM_TRACE, TRACE_FLAG_RANDOM } from '../propagation/trace-context.ts';
import type { Redactor } from '../redaction.ts';
import { SERVER_SPAN_LIMITS, type ServerSpan } from '../server-span.ts';

function buildSampler(config: SdkConfig): Sampler {
  const ratio = new TraceIdRatioBasedSampler(config.samplerRatio);
  switch (config.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Redacts span attributes, event attributes (exception messages) and the status message in place. */
export function redactSpans(
  spans: ReadonlyArray<Pick<ReadableSpan, 'attributes' | 'events' | 'status'>>,
  redactor: Redactor,
) {
  for (const span of spans) {
    const attrs = span.attributes as Mutable<ReadableSpan['attributes']>;
    for (const key of Object.keys(attrs)) {
      const v = attrs[key];
      if (redactor.isSensitiveKey(key)) attrs[key] = '[REDACTED]';
      else if (typeof v === 'string') attrs[key] = redactor.redactString(v);
      else if (Array.isArray(v))
        attrs[key] = v.map((x) => (typeof x === 'string' ? redactor.redactString(x) : x)) as typeof v;
    }
    for (const event of span.events) {
      const ea = event.attributes as Mutable<NonNullable<typeof event.attributes>> | undefined;
      if (!ea) continue;
      for (const key of Object.keys(ea)) {
        const v = ea[key];
        if (redactor.isSensitiveKey(key)) ea[key] = '[REDACTED]';
        else if (typeof v === 'string') ea[key] = redactor.redactString(v);
      }
    }
    const status = span.status as Mutable<ReadableSpan['status']>;
    if (status.message) status.message = redactor.redactString(status.message);
  }
}

export interface TracesPipeline {
  readonly tracerProvider: TracerProvider;
  /** The provider's sampler, for the server spans the HTTP server instrumentation starts itself. */
  readonly sampler: Sampler;
  /** Exports an ended server span when it is sampled (redacted and encoded now, like the rest). */
  onServerSpanEnd(span: ServerSpan): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
  /** Drops what is queued without waiting (the collector cannot be reached). */
  abandon(reason: string): void;
}

export function buildTracesPipeline(
  config: SdkConfig,
  resource: Resource,
  redactor: Redactor,
  countDropped: (signal: Signal, n: number) => void,
): TracesPipeline {
  const spanProcessors: SpanProcessor[] = [];
  let batcher: Batcher<EncodedSpan> | undefined;
  const endpoint = config.tracesEndpoint;
  if (endpoint) {
    const resourceBytes = encodeEnvelope(resource.attributes, '', undefined).resource;
    const spans = createBatcher<EncodedSpan>({
      exporter: lazyExporter<EncodedSpan>(async () => {
        const [{ otlpHttpExporter }, { ProtobufTraceSerializer }] = await Promise.all([
          import('../export/otlp-http.ts'),
          import('@opentelemetry/otlp-transformer'),
        ]);
        return otlpHttpExporter<EncodedSpan>(
          'traces',
          { url: endpoint, timeoutMillis: config.otlpTimeouts.traces },
          {
            serializeRequest: (items) => encodeTraceRequest(resourceBytes, items),
            deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
          },
        );
      }),
      ...config.bsp,
      exportTimeoutMs: config.otlpTimeouts.traces,
      outage: createOutageTracker('traces', endpoint, countDropped),
    });
    batcher = spans;
    // Spans of a trace whose incoming parent carried the W3C random flag (Level 2): exported
    // with it, at any depth (the SDK's tracer keeps only the sampled flag).
    const random = new WeakSet<object>();
    spanProcessors.push({
      onStart(span, parentContext) {
        if (parentContext.getValue(RANDOM_TRACE) === span.spanContext().traceId) random.add(span);
      },
      onEnd(span) {
        // Sampled spans only: recorded-but-unsampled spans are never exported. Redacted and
        // encoded once, now: the queue holds bytes, not span objects.
        if (span.spanContext().traceFlags & 1) {
          redactSpans([span], redactor);
          spans.add(encodeSpan(span, random.has(span) ? TRACE_FLAG_RANDOM : 0));
        }
      },
      forceFlush: () => spans.flush(),
      shutdown: () => spans.shutdown(),
    });
  }
  // Nothing exports spans without an endpoint: sample nothing, so requests only pay for
  // IDs (logs and Sentry still get trace and correlation IDs).
  const sampler = endpoint ? buildSampler(config) : new AlwaysOffSampler();
  const tracerProvider = new TracerProvider({
    resource,
    sampler,
    spanProcessors,
    // The same limits as the server spans the HTTP server instrumentation records itself.
    spanLimits: { ...SERVER_SPAN_LIMITS },
  });
  let stopping: Promise<void> | undefined;
  return {
    tracerProvider,
    sampler,
    onServerSpanEnd(span) {
      // The server span carries the random flag in its own context already.
      if (batcher !== undefined && span.spanContext().traceFlags & 1) {
        redactSpans([span], redactor);
        batcher.add(encodeSpan(span));
      }
    },
    forceFlush: async () => batcher?.flush(),
    shutdown: () => {
      stopping ??= tracerProvider.shutdown();
      return stopping;
    },
    abandon: (reason) => batcher?.abandon(reason),
  };
}
