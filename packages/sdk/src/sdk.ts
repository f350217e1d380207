/**
 * The SDK wiring behind `start()`: providers, exporters, readers, instrumentations, Sentry and
 * signal handling. Loaded lazily, so `MONITORING_ENABLED=false` never pays for it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { logs as apiLogs, context, diag, metrics, propagation, trace } from '@opentelemetry/api';
import { logs as legacyLogs } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { ExportResult } from '@opentelemetry/core';
import type { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import type { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import {
  LoggerProvider,
  type LogRecordProcessor,
  type ReadableLogRecord,
  type ReadWriteLogRecord,
} from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  DataPointType,
  type IMetricReader,
  MeterProvider,
  MetricReader,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
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
import type { SdkConfig } from './config.ts';
import { diagLine } from './diag.ts';
import {
  createBatcher,
  createOutageTracker,
  type ItemExporter,
  lazyExporter,
  type Signal,
} from './export/batcher.ts';
import {
  EncodedLogRecord,
  encodeEnvelope,
  encodeLogRecord,
  encodeLogsRequest,
} from './export/log-encoding.ts';
import { type EncodedSpan, encodeSpan, encodeTraceRequest } from './export/span-encoding.ts';
import { FASTIFY_SCOPE, instrumentFastify } from './fastify.ts';
import { instrumentHttpServers, kIgnoreServer } from './http-server.ts';
import { enableInstrumentations } from './instrumentations.ts';
import { acceptsOpenMetrics, OPENMETRICS_CONTENT_TYPE, serializeOpenMetrics } from './openmetrics.ts';
import type { Redactor } from './redaction.ts';
import { type RecordDuration, RequestDurationHistogram } from './request-duration.ts';
import { buildPropagator, buildResource } from './resource.ts';
import type { SentryBridge } from './sentry.ts';
import { type AuthlensHandle, sdkState } from './state.ts';

/** The OTLP metrics exporter's `AggregationTemporalityPreference` values. */
const TEMPORALITY_PREFERENCE = { delta: 0, cumulative: 1, lowmemory: 2 } as const;

/** Bucket boundaries (s) for auth latencies: cache hits (ms) up to slow password hashing (s). */
export const HTTP_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2.5, 5, 10,
];

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

const OWN_LOG_SCOPE = '@authlens/sdk/logger';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Redacts span attributes, event attributes (exception messages) and the status message in place. */
export function redactSpans(spans: ReadableSpan[], redactor: Redactor) {
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

/** Fields of a `getLogger()` record carried by the OTLP record itself or by the resource. */
const OWN_LOG_SKIP = new Set([
  'message',
  'level',
  'timestamp',
  'service.name',
  'trace_id',
  'span_id',
  'trace_flags',
]);
const LEVEL_NAMES: Record<string, string> = {
  error: 'ERROR',
  warn: 'WARN',
  info: 'INFO',
  http: 'HTTP',
  verbose: 'VERBOSE',
  debug: 'DEBUG',
  silly: 'SILLY',
};

type LogItem = ReadableLogRecord | EncodedLogRecord;

interface OtlpSerializer {
  serializeRequest(items: unknown[]): Uint8Array | undefined;
  deserializeResponse(data: Uint8Array): unknown;
}

/**
 * Lets a stock OTLP exporter (its HTTP transport, headers, compression, retries, timeouts)
 * send pre-encoded items: its serializer is wrapped so `encode` writes our items and any
 * other items go through the stock serializer (two serialized requests concatenate into one).
 * Throws if the exporter's shape is not the one this was written against (the pinned
 * `@opentelemetry/exporter-*-otlp-proto`): start-up fails loudly in the tests, not silently.
 */
export function withEncoder(
  exporter: object,
  encode: (items: unknown[]) => Uint8Array,
  isOurs: (item: unknown) => boolean = () => true,
): void {
  const delegate = (exporter as { _delegate?: { _serializer?: OtlpSerializer } })._delegate;
  const stock = delegate?._serializer;
  if (!delegate || typeof stock?.serializeRequest !== 'function') {
    throw new Error('unsupported OTLP exporter version (no serializer to wrap)');
  }
  delegate._serializer = {
    serializeRequest(items) {
      const own: unknown[] = [];
      const other: unknown[] = [];
      for (const item of items) {
        if (isOurs(item)) own.push(item);
        else other.push(item);
      }
      const a = own.length > 0 ? encode(own) : undefined;
      const b = other.length > 0 ? stock.serializeRequest(other) : undefined;
      if (a === undefined) return b;
      if (b === undefined) return a;
      const out = new Uint8Array(a.length + b.length);
      out.set(a, 0);
      out.set(b, a.length);
      return out;
    },
    deserializeResponse: (data) => stock.deserializeResponse(data),
  };
}

export function redactLogRecords(records: LogItem[], redactor: Redactor) {
  for (const record of records) {
    // getLogger() records were redacted by its format before they were encoded.
    if (record instanceof EncodedLogRecord) continue;
    // Records from getLogger() were redacted by its format before they were written.
    if (record.instrumentationScope.name === OWN_LOG_SCOPE) continue;
    const r = record as unknown as Mutable<ReadableLogRecord>;
    if (typeof r.body === 'string') r.body = redactor.redactString(r.body);
    else if (r.body !== null && typeof r.body === 'object') r.body = redactor.redact(r.body);
    const attrs = r.attributes as Record<string, unknown>;
    for (const key of Object.keys(attrs)) {
      const v = attrs[key];
      if (redactor.isSensitiveKey(key)) attrs[key] = '[REDACTED]';
      else if (typeof v === 'string') attrs[key] = redactor.redactString(v);
      else if (v !== null && typeof v === 'object') attrs[key] = redactor.redact(v);
    }
  }
}

function countPoints(rm: ResourceMetrics): number {
  let n = 0;
  for (const sm of rm.scopeMetrics) for (const m of sm.metrics) n += m.dataPoints.length;
  return n;
}

const UNIT_SUFFIXES: Record<string, string> = {
  s: 'seconds',
  ms: 'milliseconds',
  By: 'bytes',
  us: 'microseconds',
};

/**
 * Prometheus names as the collector's exporter writes them (and as the catalogue lists them):
 * unit suffixes `_seconds`/`_bytes`, `_ratio` for unit-1 gauges; curly-brace units dropped.
 * The exporter adds `_total` to counters itself.
 */
export function withUnitSuffixes(rm: ResourceMetrics): ResourceMetrics {
  return {
    resource: rm.resource,
    scopeMetrics: rm.scopeMetrics.map((sm) => ({
      scope: sm.scope,
      metrics: sm.metrics.map((m) => {
        const unit = m.descriptor.unit;
        let suffix = UNIT_SUFFIXES[unit];
        if (unit === '1' && m.dataPointType === DataPointType.GAUGE) suffix = 'ratio';
        if (!suffix || m.descriptor.name.endsWith(suffix)) return m;
        return { ...m, descriptor: { ...m.descriptor, name: `${m.descriptor.name}_${suffix}` } };
      }),
    })),
  };
}

/**
 * The Prometheus pull reader: a plain cumulative MetricReader collected on scrape. (The stock
 * `PrometheusExporter` reader brings its own copies of the SDK packages and the semantic
 * conventions at start-up; the serializer is loaded on the first scrape instead.)
 */
class PullMetricReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(undefined), ms);
    t.unref();
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      () => {
        clearTimeout(t);
        resolve(undefined);
      },
    );
  });
}

export async function startSdk(config: SdkConfig, redactor: Redactor): Promise<AuthlensHandle> {
  const state = sdkState();
  state.redactor = redactor;
  state.log.serviceName = config.serviceName;
  state.log.level = config.logLevel;

  const resource = await buildResource(config, redactor);

  // ---- metrics -----------------------------------------------------------------------------
  // The request-duration histogram is our own cumulative producer (cheap on the request path);
  // with a delta/low-memory OTLP temporality preference the SDK histogram is used instead.
  const durationInfo = {
    name: 'http.server.request.duration',
    unit: 's',
    description: 'Duration of inbound HTTP requests, from first byte to response end.',
  };
  const durationProducer =
    config.metricsEndpoint && config.metricsTemporality !== 'cumulative'
      ? undefined
      : new RequestDurationHistogram({
          ...durationInfo,
          boundaries: HTTP_DURATION_BUCKETS,
          resource,
          scope: { name: '@authlens/sdk', version: undefined, schemaUrl: undefined },
        });
  const metricProducers = durationProducer ? [durationProducer] : [];
  const prometheus = new PullMetricReader({ metricProducers });
  const readers: IMetricReader[] = [prometheus];
  let dropped: ((signal: Signal, n: number) => void) | undefined;
  const countDropped = (signal: Signal, n: number) => dropped?.(signal, n);
  if (config.metricsEndpoint) {
    const loadOtlp = async () => {
      const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-proto');
      return new OTLPMetricExporter({
        url: config.metricsEndpoint,
        timeoutMillis: config.otlpTimeouts.metrics,
        temporalityPreference: TEMPORALITY_PREFERENCE[config.metricsTemporality],
      });
    };
    // A temporality preference is the exporter's to read: load it now. Otherwise (cumulative,
    // the default) the exporter module loads with the first export.
    const eager: OTLPMetricExporter | undefined =
      config.metricsTemporality !== 'cumulative' ? await loadOtlp() : undefined;
    let loading: Promise<OTLPMetricExporter> | undefined = eager ? Promise.resolve(eager) : undefined;
    const outage = createOutageTracker('metrics', config.metricsEndpoint, countDropped);
    const exporter: PushMetricExporter = {
      export(rm, cb) {
        const done = (result: ExportResult) => {
          if (result.code === 0) outage.succeeded();
          else outage.failed(countPoints(rm), result.error ?? 'export failed');
          cb(result);
        };
        loading ??= loadOtlp();
        loading.then(
          (otlp) => otlp.export(rm, done),
          (error: Error) => done({ code: 1, error }),
        );
      },
      forceFlush: async () => {
        await (await loading?.catch(() => undefined))?.forceFlush();
      },
      shutdown: async () => {
        await (await loading?.catch(() => undefined))?.shutdown();
      },
      selectAggregationTemporality: eager
        ? eager.selectAggregationTemporality.bind(eager)
        : () => AggregationTemporality.CUMULATIVE,
    };
    readers.push(
      new PeriodicExportingMetricReader({
        exporter,
        exportIntervalMillis: config.metricExportIntervalMs,
        exportTimeoutMillis: Math.min(config.otlpTimeouts.metrics, config.metricExportIntervalMs),
        metricProducers,
      }),
    );
  }
  const meterProvider = new MeterProvider({ resource, readers });
  metrics.setGlobalMeterProvider(meterProvider);
  const meter = meterProvider.getMeter('@authlens/sdk');
  let recordDuration: RecordDuration;
  if (durationProducer) recordDuration = durationProducer.record;
  else {
    const duration = meter.createHistogram(durationInfo.name, {
      unit: durationInfo.unit,
      description: durationInfo.description,
      advice: { explicitBucketBoundaries: HTTP_DURATION_BUCKETS },
    });
    recordDuration = (seconds, method, route, status) =>
      duration.record(seconds, {
        'http.request.method': method,
        'http.route': route,
        'http.response.status_code': status,
      });
  }
  const droppedCounter = meter.createCounter('authlens.telemetry.dropped', {
    unit: '{item}',
    description:
      'Telemetry items (spans, log records, metric points) dropped because export failed or queues were full.',
  });
  const droppedAttrs = {
    traces: { 'authlens.signal': 'traces' },
    metrics: { 'authlens.signal': 'metrics' },
    logs: { 'authlens.signal': 'logs' },
  } as const;
  dropped = (signal, n) => droppedCounter.add(n, droppedAttrs[signal]);

  // Two readers on one MeterProvider: the SDK keeps unreported accumulations for a reader that
  // never collects (opentelemetry-js#4115-style growth). When the OTLP reader runs and nobody
  // scrapes Prometheus, drain the Prometheus reader on the same interval to bound memory.
  let lastCollect = Date.now();
  const collect = async (): Promise<ResourceMetrics | undefined> => {
    lastCollect = Date.now();
    const { resourceMetrics } = await prometheus.collect();
    return resourceMetrics;
  };
  let drainTimer: NodeJS.Timeout | undefined;
  if (config.metricsEndpoint) {
    drainTimer = setInterval(() => {
      if (Date.now() - lastCollect >= config.metricExportIntervalMs) void collect().catch(() => {});
    }, config.metricExportIntervalMs);
    drainTimer.unref();
  }
  let serializer: PrometheusSerializer | undefined;
  const prometheusText = async () => {
    if (serializer === undefined) {
      const { PrometheusSerializer } = await import('@opentelemetry/exporter-prometheus');
      serializer = new PrometheusSerializer();
    }
    const rm = await collect();
    return rm ? serializer.serialize(withUnitSuffixes(rm)) : '';
  };
  const openMetricsText = async () => {
    const rm = await collect();
    return rm ? serializeOpenMetrics(withUnitSuffixes(rm)) : '# EOF\n';
  };

  let scrapeServer: http.Server | undefined;
  if (config.prometheusPort !== false) {
    const server = http.createServer((req, res) => {
      if (req.url?.split('?')[0] !== '/metrics') {
        res.statusCode = 404;
        res.end('Not found: the metrics are at /metrics\n');
        return;
      }
      // Scrapers that accept OpenMetrics (Prometheus does) get it: it carries the exemplars.
      const openMetrics = acceptsOpenMetrics(req.headers.accept);
      (openMetrics ? openMetricsText() : prometheusText()).then(
        (text) => {
          res.setHeader(
            'content-type',
            openMetrics ? OPENMETRICS_CONTENT_TYPE : 'text/plain; version=0.0.4; charset=utf-8',
          );
          res.end(text);
        },
        (err: Error) => {
          res.statusCode = 500;
          res.end(`# failed to export metrics: ${err.message}\n`);
        },
      );
    });
    (server as unknown as Record<symbol, boolean>)[kIgnoreServer] = true;
    scrapeServer = server;
    await new Promise<void>((resolve) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        diagLine(
          'warn',
          `Prometheus scrape port ${config.prometheusHost}:${config.prometheusPort} unavailable (${err.code ?? err.message}); metrics stay readable in-process`,
        );
        scrapeServer = undefined;
        resolve();
      });
      server.listen(config.prometheusPort as number, config.prometheusHost, () => resolve());
    });
    // The scrape port never keeps the process alive.
    scrapeServer?.unref();
  }

  // ---- traces ------------------------------------------------------------------------------
  const spanProcessors: SpanProcessor[] = [];
  let spanBatcherFlush: (() => Promise<void>) | undefined;
  if (config.tracesEndpoint) {
    const resourceBytes = encodeEnvelope(resource.attributes, '', undefined).resource;
    const batcher = createBatcher<EncodedSpan>({
      exporter: lazyExporter<EncodedSpan>(async () => {
        const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
        const otlp = new OTLPTraceExporter({
          url: config.tracesEndpoint,
          timeoutMillis: config.otlpTimeouts.traces,
        });
        withEncoder(otlp, (items) => encodeTraceRequest(resourceBytes, items as EncodedSpan[]));
        return otlp as unknown as ItemExporter<EncodedSpan>;
      }),
      ...config.bsp,
      exportTimeoutMs: config.otlpTimeouts.traces,
      outage: createOutageTracker('traces', config.tracesEndpoint, countDropped),
    });
    spanBatcherFlush = () => batcher.flush();
    spanProcessors.push({
      onStart() {},
      onEnd(span) {
        // Sampled spans only: recorded-but-unsampled spans are never exported. Redacted and
        // encoded once, now: the queue holds bytes, not span objects.
        if (span.spanContext().traceFlags & 1) {
          redactSpans([span], redactor);
          batcher.add(encodeSpan(span));
        }
      },
      forceFlush: () => batcher.flush(),
      shutdown: () => batcher.shutdown(),
    });
  }
  const tracerProvider = new TracerProvider({
    resource,
    // Nothing exports spans without an endpoint: sample nothing, so requests only pay for
    // IDs (logs and Sentry still get trace and correlation IDs).
    sampler: config.tracesEndpoint ? buildSampler(config) : new AlwaysOffSampler(),
    spanProcessors,
    spanLimits: { attributeValueLengthLimit: 4096, attributeCountLimit: 64, eventCountLimit: 32 },
  });
  const contextManager = new AsyncLocalStorageContextManager();
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(buildPropagator(config));
  if (!trace.setGlobalTracerProvider(tracerProvider)) {
    diagLine('warn', 'another OpenTelemetry tracer provider is already registered; authlens traces use it');
  }

  // ---- logs --------------------------------------------------------------------------------
  let loggerProvider: LoggerProvider | undefined;
  if (config.logsEndpoint) {
    const envelope = encodeEnvelope(resource.attributes, OWN_LOG_SCOPE, undefined);
    const batcher = createBatcher<LogItem>({
      exporter: lazyExporter<LogItem>(async () => {
        const { OTLPLogExporter } = await import('@opentelemetry/exporter-logs-otlp-proto');
        const otlp = new OTLPLogExporter({
          url: config.logsEndpoint,
          timeoutMillis: config.otlpTimeouts.logs,
        });
        withEncoder(
          otlp,
          (items) => encodeLogsRequest(envelope, items as EncodedLogRecord[]),
          (item) => item instanceof EncodedLogRecord,
        );
        return otlp as unknown as ItemExporter<LogItem>;
      }),
      ...config.blrp,
      exportTimeoutMs: config.otlpTimeouts.logs,
      outage: createOutageTracker('logs', config.logsEndpoint, countDropped),
      prepare: (records) => redactLogRecords(records, redactor),
    });
    const processor: LogRecordProcessor = {
      onEmit(record: ReadWriteLogRecord) {
        batcher.add(record as unknown as ReadableLogRecord);
      },
      forceFlush: () => batcher.flush(),
      shutdown: () => batcher.shutdown(),
    };
    loggerProvider = new LoggerProvider({ resource, processors: [processor] });
    apiLogs.setGlobalLoggerProvider(loggerProvider);
    legacyLogs.setGlobalLoggerProvider(
      loggerProvider as unknown as Parameters<typeof legacyLogs.setGlobalLoggerProvider>[0],
    );
    // getLogger() records skip the LoggerProvider: they are redacted, timed and correlated
    // already, so they are encoded once, right away, and queued as bytes.
    const logsExportSeverity = config.logsExportSeverity;
    state.emitLog = (info, severityNumber, level, spanContext, timeMs) => {
      if (severityNumber < logsExportSeverity) return;
      const message = info.message;
      batcher.add(
        encodeLogRecord(
          timeMs,
          severityNumber,
          LEVEL_NAMES[level] ?? level.toUpperCase(),
          typeof message === 'string' ? message : String(message),
          info,
          OWN_LOG_SKIP,
          spanContext,
        ),
      );
    };
  }

  // ---- instrumentations, Sentry --------------------------------------------------------------
  const tracer = tracerProvider.getTracer('@authlens/sdk/http-server');
  const undoServer = config.instrumentations.has('http')
    ? instrumentHttpServers({ tracer, recordDuration, redactor, excludedPaths: config.excludedPaths })
    : () => {};
  // Fastify names the route on the request state the HTTP server instrumentation creates.
  const undoFastify =
    config.instrumentations.has('fastify') && config.instrumentations.has('http')
      ? instrumentFastify({ tracer: tracerProvider.getTracer(FASTIFY_SCOPE), redactor })
      : () => {};
  const undoInstrumentations = await enableInstrumentations(config.instrumentations);

  let sentry: SentryBridge | undefined;
  if (config.sentry) {
    const { startSentry } = await import('./sentry.ts');
    sentry = await startSentry(config.sentry, redactor);
    state.captureError = (err) => sentry?.capture(err);
  }

  // ---- shutdown ----------------------------------------------------------------------------
  let stopping: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    stopping ??= (async () => {
      const budget = config.shutdownTimeoutMs;
      if (drainTimer) clearInterval(drainTimer);
      await withTimeout(
        Promise.allSettled([
          tracerProvider.shutdown(),
          meterProvider.shutdown(),
          loggerProvider?.shutdown(),
          sentry?.close(budget),
          new Promise<void>((resolve) => (scrapeServer ? scrapeServer.close(() => resolve()) : resolve())),
        ]),
        budget,
      );
      scrapeServer?.closeAllConnections();
      undoServer();
      undoFastify();
      undoInstrumentations();
      removeSignalHandlers();
      state.emitLog = undefined;
      state.captureError = undefined;
      if (state.handle === handle) state.handle = undefined;
      trace.disable();
      metrics.disable();
      apiLogs.disable();
      legacyLogs.disable();
      propagation.disable();
      context.disable();
    })();
    return stopping;
  };

  // On SIGTERM/SIGINT: flush within the budget. When the app has its own handlers they run
  // too and decide when to exit; when ours is the only one, re-raise the signal afterwards so
  // the process ends the way it would have without authlens.
  const onSignal = (signal: NodeJS.Signals) => {
    const others = process.listenerCount(signal) - 1;
    if (stopping) return;
    if (others > 0) {
      // The app's handler will likely call process.exit() once it has closed its server:
      // let that exit wait for our flush (bounded by the shutdown budget) instead of cutting it.
      const realExit = process.exit;
      process.exit = ((code?: number | string | null) => {
        void shutdown().finally(() => realExit.call(process, code ?? undefined));
      }) as typeof process.exit;
    }
    void shutdown().then(() => {
      if (others === 0) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    });
  };
  const removeSignalHandlers = () => {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  };
  if (config.handleSignals) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }

  const handle: AuthlensHandle = {
    enabled: true,
    metrics: {
      collect: () => collect().catch(() => undefined),
      prometheusText: () => prometheusText().catch(() => ''),
      openMetricsText: () => openMetricsText().catch(() => '# EOF\n'),
    },
    get scrapePort() {
      const address = scrapeServer?.address() as AddressInfo | null | undefined;
      return address?.port;
    },
    shutdown,
    forceFlush: async () => {
      await Promise.allSettled([
        spanBatcherFlush?.(),
        loggerProvider?.forceFlush(),
        meterProvider.forceFlush(),
      ]);
    },
  };
  diag.debug('authlens started');
  return handle;
}
