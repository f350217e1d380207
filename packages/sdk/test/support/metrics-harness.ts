/**
 * Test support (not exported from the package entry): a real MeterProvider with a pull
 * MetricReader and a real PrometheusExporter served on an ephemeral loopback port the way the
 * SDK's scrape endpoint serves it (`withUnitSuffixes` + `PrometheusSerializer`), so tests read
 * recorded values back both as OTel data points and as Prometheus text.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import type { Attributes } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { DataPointType, MeterProvider, type MetricData, MetricReader } from '@opentelemetry/sdk-metrics';
import winston from 'winston';
import { createStructuredLogger } from '../../src/domain/structured-logger.ts';
import { getLogger } from '../../src/logs/logger.ts';
import { withUnitSuffixes } from '../../src/pipelines/metrics.ts';

class PullReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export interface MetricsHarness {
  provider: MeterProvider;
  /** Every metric currently collected by the reader. */
  collect(): Promise<MetricData[]>;
  /**
   * The value of `name` for data points whose attributes include `attributes`: sums and gauges
   * are summed; histograms give their count (use `histogram` for the sum).
   */
  value(name: string, attributes?: Attributes): Promise<number>;
  histogram(name: string, attributes?: Attributes): Promise<{ count: number; sum: number }>;
  /** The data points' attribute sets of `name`. */
  attributeSets(name: string): Promise<Attributes[]>;
  /** GET /metrics: the real exporter's data, serialised as the SDK's scrape endpoint does. */
  scrape(): Promise<string>;
  close(): Promise<void>;
}

const matches = (point: Attributes, wanted: Attributes) =>
  Object.entries(wanted).every(([key, value]) => point[key] === value);

export async function createMetricsHarness(): Promise<MetricsHarness> {
  const reader = new PullReader();
  const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
  const provider = new MeterProvider({ readers: [reader, exporter] });
  const serializer = new PrometheusSerializer();
  const server = http.createServer((_req, res) => {
    exporter
      .collect()
      .then(({ resourceMetrics }) => serializer.serialize(withUnitSuffixes(resourceMetrics)))
      .then(
        (text) => res.end(text),
        (err: Error) => {
          res.statusCode = 500;
          res.end(err.message);
        },
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const collect = async () => {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) throw new AggregateError(errors, 'metric collection failed');
    return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
  };
  const find = async (name: string) => (await collect()).filter((m) => m.descriptor.name === name);

  return {
    provider,
    collect,
    async value(name, attributes = {}) {
      let total = 0;
      for (const metric of await find(name)) {
        for (const point of metric.dataPoints) {
          if (!matches(point.attributes, attributes)) continue;
          if (metric.dataPointType === DataPointType.HISTOGRAM)
            total += (point.value as { count: number }).count;
          else total += point.value as number;
        }
      }
      return total;
    },
    async histogram(name, attributes = {}) {
      const out = { count: 0, sum: 0 };
      for (const metric of await find(name)) {
        if (metric.dataPointType !== DataPointType.HISTOGRAM) continue;
        for (const point of metric.dataPoints) {
          if (!matches(point.attributes, attributes)) continue;
          out.count += point.value.count;
          out.sum += point.value.sum ?? 0;
        }
      }
      return out;
    },
    async attributeSets(name) {
      return (await find(name)).flatMap((metric) =>
        (metric.dataPoints as { attributes: Attributes }[]).map((p) => p.attributes),
      );
    },
    async scrape() {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      if (!res.ok) throw new Error(`Prometheus exporter answered HTTP ${res.status}`);
      return res.text();
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await provider.shutdown();
    },
  };
}

/** The value of one Prometheus sample line `name{labels} value` (labels matched as a subset). */
export function prometheusSample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const open = line.indexOf('{');
    const labelText =
      open >= 0 && open < line.indexOf(' ') ? line.slice(open + 1, line.lastIndexOf('}')) : '';
    const parsed = Object.fromEntries(
      [...labelText.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => parsed[k] === v)) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return undefined;
}

/** A stream whose JSON lines are parsed into `lines` as they are written. */
function jsonLineStream() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line));
  });
  return { transport: new winston.transports.Stream({ stream }), lines };
}

/** A structured logger (plain winston JSON, level debug) whose lines are parsed into `lines`. */
export function captureStructuredLogger() {
  const { transport, lines } = jsonLineStream();
  const base = winston.createLogger({
    level: 'debug',
    format: winston.format.json(),
    transports: [transport],
  });
  return { logger: createStructuredLogger(base), lines };
}

/**
 * The SDK's own `getLogger(name)` (its context and redaction format, its JSON encoding) with the
 * stdout transport swapped for a stream whose lines are parsed into `lines`.
 */
export function captureSdkLogger(name: string) {
  const { transport, lines } = jsonLineStream();
  const base = getLogger(name);
  base.clear();
  base.add(transport);
  return { logger: createStructuredLogger(base), lines };
}
