/**
 * The SDK wiring behind `start()`: providers, exporters, readers, instrumentations, Sentry and
 * signal handling. Loaded lazily, so `MONITORING_ENABLED=false` never pays for it.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { logs as apiLogs, context, diag, metrics, propagation, trace } from '@opentelemetry/api';
import { logs as legacyLogs } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  LoggerProvider,
  type LogRecordProcessor,
  type ReadableLogRecord,
  type ReadWriteLogRecord,
} from '@opentelemetry/sdk-logs';
import {
  DataPointType,
  type IMetricReader,
  MeterProvider,
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
import { createBatcher, createOutageTracker, type Signal } from './export/batcher.ts';
import { instrumentHttpServers, kIgnoreServer } from './http-server.ts';
import { enableInstrumentations } from './instrumentations.ts';
import type { Redactor } from './redaction.ts';
import type { SentryBridge } from './sentry.ts';
import { type AuthlensHandle, sdkState } from './state.ts';

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

export function redactLogRecords(records: ReadableLogRecord[], redactor: Redactor) {
  for (const record of records) {
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

  const resource = resourceFromAttributes({
    ...config.resourceAttributes,
    'service.name': config.serviceName,
    ...(config.serviceVersion ? { 'service.version': config.serviceVersion } : {}),
    'deployment.environment.name': config.environment,
    'service.instance.id': config.resourceAttributes['service.instance.id'] ?? randomUUID(),
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.name': 'authlens',
  });

  // ---- metrics -----------------------------------------------------------------------------
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const readers: IMetricReader[] = [prometheus];
  let dropped: ((signal: Signal, n: number) => void) | undefined;
  const countDropped = (signal: Signal, n: number) => dropped?.(signal, n);
  if (config.metricsEndpoint) {
    const otlp = new OTLPMetricExporter({ url: config.metricsEndpoint, timeoutMillis: config.otlpTimeoutMs });
    const outage = createOutageTracker('metrics', config.metricsEndpoint, countDropped);
    const exporter: PushMetricExporter = {
      export(rm, cb) {
        otlp.export(rm, (result) => {
          if (result.code === 0) outage.succeeded();
          else outage.failed(countPoints(rm), result.error ?? 'export failed');
          cb(result);
        });
      },
      forceFlush: () => otlp.forceFlush(),
      shutdown: () => otlp.shutdown(),
      selectAggregationTemporality: otlp.selectAggregationTemporality?.bind(otlp),
      selectAggregation: otlp.selectAggregation?.bind(otlp),
    };
    readers.push(
      new PeriodicExportingMetricReader({
        exporter,
        exportIntervalMillis: config.metricExportIntervalMs,
        exportTimeoutMillis: Math.min(config.otlpTimeoutMs, config.metricExportIntervalMs),
      }),
    );
  }
  const meterProvider = new MeterProvider({ resource, readers });
  metrics.setGlobalMeterProvider(meterProvider);
  const meter = meterProvider.getMeter('@authlens/sdk');
  const duration = meter.createHistogram('http.server.request.duration', {
    unit: 's',
    description: 'Duration of inbound HTTP requests, from first byte to response end.',
    advice: { explicitBucketBoundaries: HTTP_DURATION_BUCKETS },
  });
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
  const serializer = new PrometheusSerializer();
  const prometheusText = async () => {
    const rm = await collect();
    return rm ? serializer.serialize(withUnitSuffixes(rm)) : '';
  };

  let scrapeServer: http.Server | undefined;
  if (config.prometheusPort !== false) {
    const server = http.createServer((req, res) => {
      if (req.url?.split('?')[0] !== '/metrics') {
        res.statusCode = 404;
        res.end('Not found: the metrics are at /metrics\n');
        return;
      }
      prometheusText().then(
        (text) => {
          res.setHeader('content-type', 'text/plain; version=0.0.4; charset=utf-8');
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
    const batcher = createBatcher<ReadableSpan>({
      exporter: new OTLPTraceExporter({ url: config.tracesEndpoint, timeoutMillis: config.otlpTimeoutMs }),
      ...config.bsp,
      exportTimeoutMs: config.otlpTimeoutMs,
      outage: createOutageTracker('traces', config.tracesEndpoint, countDropped),
      prepare: (spans) => redactSpans(spans, redactor),
    });
    spanBatcherFlush = () => batcher.flush();
    spanProcessors.push({
      onStart() {},
      onEnd(span) {
        // Sampled spans only: recorded-but-unsampled spans are never exported.
        if (span.spanContext().traceFlags & 1) batcher.add(span);
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
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  if (!trace.setGlobalTracerProvider(tracerProvider)) {
    diagLine('warn', 'another OpenTelemetry tracer provider is already registered; authlens traces use it');
  }

  // ---- logs --------------------------------------------------------------------------------
  let loggerProvider: LoggerProvider | undefined;
  if (config.logsEndpoint) {
    const batcher = createBatcher<ReadableLogRecord>({
      exporter: new OTLPLogExporter({ url: config.logsEndpoint, timeoutMillis: config.otlpTimeoutMs }),
      ...config.blrp,
      exportTimeoutMs: config.otlpTimeoutMs,
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
    const otelLogger = loggerProvider.getLogger(OWN_LOG_SCOPE);
    state.emitLog = (record) => {
      otelLogger.emit({
        severityNumber: record.severityNumber,
        severityText: record.severityText,
        body: record.body,
        attributes: record.attributes as Record<string, string>,
        context: record.context,
      });
    };
  }

  // ---- instrumentations, Sentry --------------------------------------------------------------
  const tracer = tracerProvider.getTracer('@authlens/sdk/http-server');
  const undoServer = config.instrumentations.has('http')
    ? instrumentHttpServers({ tracer, duration, redactor })
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
