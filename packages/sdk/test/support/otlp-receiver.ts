/**
 * A local OTLP/HTTP receiver for tests: accepts `POST /v1/{traces,logs,metrics}` with
 * http/protobuf bodies, decodes them (`test/support/otlp-proto.ts`)
 * and records spans and log records. It can be told to fail or stall to simulate an outage.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import {
  decodeLogs,
  decodeMetricNames,
  decodeTraces,
  type ReceivedLog,
  type ReceivedSpan,
} from '../../../../test/support/otlp-proto.ts';

export type { ReceivedLog, ReceivedSpan };

export interface OtlpReceiver {
  url: string;
  port: number;
  spans: ReceivedSpan[];
  logs: ReceivedLog[];
  metricNames: Set<string>;
  /** Aggregation temporality (1 delta, 2 cumulative) of each sum or histogram metric seen last. */
  temporalities: Map<string, number>;
  /** The `flags` field (W3C trace flags in bits 0–7) of every span, by span ID (hex). */
  spanFlags: Map<string, number>;
  /** Path, headers and content encoding of every request, as they arrived on the wire. */
  arrivals: Array<{ path: string; headers: http.IncomingHttpHeaders }>;
  /** Raw request bodies as latin1 text, for "no secret anywhere" assertions. */
  raw: string[];
  requests: number;
  /** 'ok' answers 200; 'fail' answers 503; 'stall' never answers. */
  mode: 'ok' | 'fail' | 'stall';
  close(): Promise<void>;
}

const temporalitySchema = protobuf
  .parse(
    `syntax = "proto3";
  message WithTemporality { int32 aggregation_temporality = 2; }
  message Metric { string name = 1; WithTemporality sum = 7; WithTemporality histogram = 9; WithTemporality exponential_histogram = 10; }
  message ScopeMetrics { repeated Metric metrics = 2; }
  message ResourceMetrics { repeated ScopeMetrics scope_metrics = 2; }
  message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }`,
    { keepCase: true },
  )
  .root.lookupType('ExportMetricsServiceRequest');

/** Name → aggregation temporality of the sums and histograms in a metrics export request. */
function decodeTemporalities(body: Uint8Array): Array<[string, number]> {
  type M = { name?: string } & Record<
    'sum' | 'histogram' | 'exponential_histogram',
    { aggregation_temporality?: number } | undefined
  >;
  const raw = temporalitySchema.toObject(temporalitySchema.decode(body), { defaults: false }) as {
    resource_metrics?: Array<{ scope_metrics?: Array<{ metrics?: M[] }> }>;
  };
  const out: Array<[string, number]> = [];
  for (const rm of raw.resource_metrics ?? [])
    for (const sm of rm.scope_metrics ?? [])
      for (const m of sm.metrics ?? []) {
        const t = (m.sum ?? m.histogram ?? m.exponential_histogram)?.aggregation_temporality;
        if (m.name && t !== undefined) out.push([m.name, t]);
      }
  return out;
}

const spanFlagsSchema = protobuf
  .parse(
    `syntax = "proto3";
  message Span { bytes span_id = 2; fixed32 flags = 16; }
  message ScopeSpans { repeated Span spans = 2; }
  message ResourceSpans { repeated ScopeSpans scope_spans = 2; }
  message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }`,
    { keepCase: true },
  )
  .root.lookupType('ExportTraceServiceRequest');

/** Span ID (hex) → `flags` of the spans in a trace export request. */
function decodeSpanFlags(body: Uint8Array): Array<[string, number]> {
  const raw = spanFlagsSchema.toObject(spanFlagsSchema.decode(body), { bytes: String, defaults: true }) as {
    resource_spans?: Array<{ scope_spans?: Array<{ spans?: Array<{ span_id: string; flags: number }> }> }>;
  };
  return (raw.resource_spans ?? []).flatMap((rs) =>
    (rs.scope_spans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map(
        (sp) => [Buffer.from(sp.span_id, 'base64').toString('hex'), sp.flags] as [string, number],
      ),
    ),
  );
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const receiver: OtlpReceiver = {
    url: '',
    port: 0,
    spans: [],
    logs: [],
    metricNames: new Set(),
    temporalities: new Map(),
    spanFlags: new Map(),
    arrivals: [],
    raw: [],
    requests: 0,
    mode: 'ok',
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      receiver.requests++;
      receiver.arrivals.push({ path: req.url ?? '', headers: req.headers });
      if (receiver.mode === 'stall') return;
      if (receiver.mode === 'fail') {
        res.statusCode = 503;
        res.end();
        return;
      }
      const sent = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(sent) : sent;
      receiver.raw.push(body.toString('latin1'));
      try {
        if (req.url === '/v1/traces') {
          receiver.spans.push(...decodeTraces(body));
          for (const [id, flags] of decodeSpanFlags(body)) receiver.spanFlags.set(id, flags);
        } else if (req.url === '/v1/logs') receiver.logs.push(...decodeLogs(body));
        else if (req.url === '/v1/metrics') {
          for (const name of decodeMetricNames(body)) receiver.metricNames.add(name);
          for (const [name, t] of decodeTemporalities(body)) receiver.temporalities.set(name, t);
        }
        res.statusCode = 200;
        res.setHeader('content-type', 'application/x-protobuf');
        res.end();
      } catch (err) {
        res.statusCode = 400;
        res.end(String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  receiver.port = port;
  receiver.url = `http://127.0.0.1:${port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}
