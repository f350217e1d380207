/**
 * The metrics pipeline: one MeterProvider with a pull reader (the Prometheus scrape port and
 * in-process access) and, with an OTLP endpoint, a periodic OTLP reader; the request-duration
 * histogram producer; the `authlens.telemetry.dropped` counter. Builds everything and
 * registers no global: the wiring (`sdk.ts`) does that once every pipeline is built.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExportResult } from '@opentelemetry/core';
import type { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import type { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import type { Resource } from '@opentelemetry/resources';
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
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_SCHEME,
  METRIC_HTTP_SERVER_REQUEST_DURATION,
} from '@opentelemetry/semantic-conventions';
import type { SdkConfig } from '../config.ts';
import { diagLine } from '../diag.ts';
import { createOutageTracker, type Signal } from '../export/batcher.ts';
import { markIgnoredServer } from '../http-server.ts';
import { acceptsOpenMetrics, OPENMETRICS_CONTENT_TYPE, serializeOpenMetrics } from '../openmetrics.ts';
import { type RecordDuration, RequestDurationHistogram } from '../request-duration.ts';

/** The OTLP metrics exporter's `AggregationTemporalityPreference` values. */
const TEMPORALITY_PREFERENCE = { delta: 0, cumulative: 1, lowmemory: 2 } as const;

/** Bucket boundaries (s) for auth latencies: cache hits (ms) up to slow password hashing (s). */
export const HTTP_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2.5, 5, 10,
];

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

function countPoints(rm: ResourceMetrics): number {
  let n = 0;
  for (const sm of rm.scopeMetrics) for (const m of sm.metrics) n += m.dataPoints.length;
  return n;
}

/** A push exporter that loads the OTLP exporter module lazily (or now, for a temporality preference). */
async function otlpMetricExporter(
  config: SdkConfig,
  countDropped: (signal: Signal, n: number) => void,
  gate: { abandoned?: string },
): Promise<PushMetricExporter> {
  const endpoint = config.metricsEndpoint as string;
  const loadOtlp = async () => {
    const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-proto');
    return new OTLPMetricExporter({
      url: endpoint,
      timeoutMillis: config.otlpTimeouts.metrics,
      temporalityPreference: TEMPORALITY_PREFERENCE[config.metricsTemporality],
    });
  };
  // A temporality preference is the exporter's to read: load it now. Otherwise (cumulative,
  // the default) the exporter module loads with the first export.
  const eager: OTLPMetricExporter | undefined =
    config.metricsTemporality !== 'cumulative' ? await loadOtlp() : undefined;
  let loading: Promise<OTLPMetricExporter> | undefined = eager ? Promise.resolve(eager) : undefined;
  const outage = createOutageTracker('metrics', endpoint, countDropped);
  return {
    export(rm, cb) {
      const done = (result: ExportResult) => {
        if (result.code === 0) outage.succeeded();
        else outage.failed(countPoints(rm), result.error ?? 'export failed');
        cb(result);
      };
      if (gate.abandoned !== undefined) {
        done({ code: 1, error: new Error(gate.abandoned) });
        return;
      }
      loading ??= loadOtlp();
      loading.then(
        (otlp) => otlp.export(rm, done),
        (error: Error) => done({ code: 1, error }),
      );
    },
    forceFlush: async () => {
      if (gate.abandoned !== undefined) return;
      await (await loading?.catch(() => undefined))?.forceFlush();
    },
    shutdown: async () => {
      const otlp = loading?.catch(() => undefined).then((e) => e?.shutdown());
      // Abandoned: the exporter's shutdown would wait for the export in flight.
      if (gate.abandoned === undefined) await otlp;
    },
    selectAggregationTemporality: eager
      ? eager.selectAggregationTemporality.bind(eager)
      : () => AggregationTemporality.CUMULATIVE,
  };
}

export interface MetricsPipeline {
  readonly meterProvider: MeterProvider;
  readonly recordDuration: RecordDuration;
  /** Counts dropped telemetry items of a signal (`authlens.telemetry.dropped`). */
  readonly countDropped: (signal: Signal, n: number) => void;
  collect(): Promise<ResourceMetrics | undefined>;
  prometheusText(): Promise<string>;
  openMetricsText(): Promise<string>;
  /** The bound scrape port, while the scrape server runs. */
  scrapePort(): number | undefined;
  forceFlush(): Promise<void>;
  /** Stops the readers and closes the scrape port (idempotent). */
  shutdown(): Promise<void>;
  /** Fails OTLP exports at once from now on, without waiting (the collector cannot be reached). */
  abandon(reason: string): void;
}

function listen(server: http.Server, config: SdkConfig): Promise<boolean> {
  return new Promise((resolve) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      diagLine(
        'warn',
        `Prometheus scrape port ${config.prometheusHost}:${config.prometheusPort} unavailable (${err.code ?? err.message}); metrics stay readable in-process`,
      );
      resolve(false);
    });
    server.listen(config.prometheusPort as number, config.prometheusHost, () => resolve(true));
  });
}

export async function buildMetricsPipeline(config: SdkConfig, resource: Resource): Promise<MetricsPipeline> {
  // The request-duration histogram is our own cumulative producer (cheap on the request path);
  // with a delta/low-memory OTLP temporality preference the SDK histogram is used instead.
  const durationInfo = {
    name: METRIC_HTTP_SERVER_REQUEST_DURATION,
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
  const gate: { abandoned?: string } = {};
  if (config.metricsEndpoint) {
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: await otlpMetricExporter(config, countDropped, gate),
        exportIntervalMillis: config.metricExportIntervalMs,
        exportTimeoutMillis: Math.min(config.otlpTimeouts.metrics, config.metricExportIntervalMs),
        metricProducers,
      }),
    );
  }
  const meterProvider = new MeterProvider({ resource, readers });
  const meter = meterProvider.getMeter('@authlens/sdk');
  let recordDuration: RecordDuration;
  if (durationProducer) recordDuration = durationProducer.record;
  else {
    const duration = meter.createHistogram(durationInfo.name, {
      unit: durationInfo.unit,
      description: durationInfo.description,
      advice: { explicitBucketBoundaries: HTTP_DURATION_BUCKETS },
    });
    recordDuration = (seconds, method, route, status, scheme, errorType) => {
      const attributes: Record<string, string | number> = {
        [ATTR_HTTP_REQUEST_METHOD]: method,
        [ATTR_HTTP_ROUTE]: route,
        [ATTR_HTTP_RESPONSE_STATUS_CODE]: status,
        [ATTR_URL_SCHEME]: scheme,
      };
      if (errorType !== undefined) attributes[ATTR_ERROR_TYPE] = errorType;
      duration.record(seconds, attributes);
    };
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
    markIgnoredServer(server);
    if (await listen(server, config)) {
      scrapeServer = server;
      // The scrape port never keeps the process alive.
      server.unref();
    }
  }

  let stopping: Promise<void> | undefined;
  return {
    meterProvider,
    recordDuration,
    countDropped,
    collect,
    prometheusText,
    openMetricsText,
    scrapePort: () => (scrapeServer?.address() as AddressInfo | null | undefined)?.port,
    forceFlush: () => meterProvider.forceFlush(),
    abandon(reason) {
      gate.abandoned ??= reason;
    },
    shutdown() {
      stopping ??= (async () => {
        if (drainTimer) clearInterval(drainTimer);
        const server = scrapeServer;
        const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
        server?.closeAllConnections();
        await Promise.allSettled([meterProvider.shutdown(), closed]);
        scrapeServer = undefined;
      })();
      return stopping;
    },
  };
}
