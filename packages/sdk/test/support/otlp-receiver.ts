/**
 * A local OTLP/HTTP receiver for tests: accepts `POST /v1/{traces,logs,metrics}` with
 * http/protobuf bodies, decodes them (protobufjs with the subset of the OTLP schema we read)
 * and records spans and log records. It can be told to fail or stall to simulate an outage.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';

const schema = {
  nested: {
    AnyValue: {
      oneofs: {
        value: {
          oneof: [
            'stringValue',
            'boolValue',
            'intValue',
            'doubleValue',
            'arrayValue',
            'kvlistValue',
            'bytesValue',
          ],
        },
      },
      fields: {
        stringValue: { type: 'string', id: 1 },
        boolValue: { type: 'bool', id: 2 },
        intValue: { type: 'int64', id: 3 },
        doubleValue: { type: 'double', id: 4 },
        arrayValue: { type: 'ArrayValue', id: 5 },
        kvlistValue: { type: 'KeyValueList', id: 6 },
        bytesValue: { type: 'bytes', id: 7 },
      },
    },
    ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
    KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
    KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
    Resource: { fields: { attributes: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
    Scope: { fields: { name: { type: 'string', id: 1 } } },
    Event: {
      fields: { name: { type: 'string', id: 2 }, attributes: { rule: 'repeated', type: 'KeyValue', id: 3 } },
    },
    Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
    Span: {
      fields: {
        traceId: { type: 'bytes', id: 1 },
        spanId: { type: 'bytes', id: 2 },
        parentSpanId: { type: 'bytes', id: 4 },
        name: { type: 'string', id: 5 },
        kind: { type: 'int32', id: 6 },
        attributes: { rule: 'repeated', type: 'KeyValue', id: 9 },
        events: { rule: 'repeated', type: 'Event', id: 11 },
        status: { type: 'Status', id: 15 },
      },
    },
    ScopeSpans: {
      fields: { scope: { type: 'Scope', id: 1 }, spans: { rule: 'repeated', type: 'Span', id: 2 } },
    },
    ResourceSpans: {
      fields: {
        resource: { type: 'Resource', id: 1 },
        scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 },
      },
    },
    ExportTraceServiceRequest: {
      fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } },
    },
    LogRecord: {
      fields: {
        severityNumber: { type: 'int32', id: 2 },
        severityText: { type: 'string', id: 3 },
        body: { type: 'AnyValue', id: 5 },
        attributes: { rule: 'repeated', type: 'KeyValue', id: 6 },
        traceId: { type: 'bytes', id: 9 },
        spanId: { type: 'bytes', id: 10 },
      },
    },
    ScopeLogs: {
      fields: { scope: { type: 'Scope', id: 1 }, logRecords: { rule: 'repeated', type: 'LogRecord', id: 2 } },
    },
    ResourceLogs: {
      fields: {
        resource: { type: 'Resource', id: 1 },
        scopeLogs: { rule: 'repeated', type: 'ScopeLogs', id: 2 },
      },
    },
    ExportLogsServiceRequest: { fields: { resourceLogs: { rule: 'repeated', type: 'ResourceLogs', id: 1 } } },
    Metric: { fields: { name: { type: 'string', id: 1 } } },
    ScopeMetrics: { fields: { metrics: { rule: 'repeated', type: 'Metric', id: 2 } } },
    ResourceMetrics: {
      fields: {
        resource: { type: 'Resource', id: 1 },
        scopeMetrics: { rule: 'repeated', type: 'ScopeMetrics', id: 2 },
      },
    },
    ExportMetricsServiceRequest: {
      fields: { resourceMetrics: { rule: 'repeated', type: 'ResourceMetrics', id: 1 } },
    },
  },
};

const root = protobuf.Root.fromJSON(schema);
const TraceRequest = root.lookupType('ExportTraceServiceRequest');
const LogsRequest = root.lookupType('ExportLogsServiceRequest');
const MetricsRequest = root.lookupType('ExportMetricsServiceRequest');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  scope: string;
  attributes: Record<string, Json>;
  events: Array<{ name: string; attributes: Record<string, Json> }>;
  status: { code: number; message: string };
  resource: Record<string, Json>;
}

export interface ReceivedLog {
  body: Json;
  severityText: string;
  traceId: string;
  spanId: string;
  attributes: Record<string, Json>;
  resource: Record<string, Json>;
}

interface RawKeyValue {
  key: string;
  value?: RawAnyValue;
}
interface RawAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | { toNumber(): number };
  doubleValue?: number;
  arrayValue?: { values?: RawAnyValue[] };
  kvlistValue?: { values?: RawKeyValue[] };
  bytesValue?: Uint8Array;
}

function anyValue(v: RawAnyValue | undefined): Json {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return typeof v.intValue === 'number' ? v.intValue : v.intValue.toNumber();
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(anyValue);
  if (v.kvlistValue) return attrs(v.kvlistValue.values);
  if (v.bytesValue) return Buffer.from(v.bytesValue).toString('hex');
  return null;
}

function attrs(list: RawKeyValue[] | undefined): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const kv of list ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

const hex = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('hex') : '');

export interface OtlpReceiver {
  url: string;
  port: number;
  spans: ReceivedSpan[];
  logs: ReceivedLog[];
  metricNames: Set<string>;
  /** Raw request bodies as latin1 text, for "no secret anywhere" assertions. */
  raw: string[];
  requests: number;
  /** 'ok' answers 200; 'fail' answers 503; 'stall' never answers. */
  mode: 'ok' | 'fail' | 'stall';
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const receiver: OtlpReceiver = {
    url: '',
    port: 0,
    spans: [],
    logs: [],
    metricNames: new Set(),
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
      if (receiver.mode === 'stall') return;
      if (receiver.mode === 'fail') {
        res.statusCode = 503;
        res.end();
        return;
      }
      const body = Buffer.concat(chunks);
      receiver.raw.push(body.toString('latin1'));
      try {
        if (req.url === '/v1/traces') {
          const msg = TraceRequest.toObject(TraceRequest.decode(body), { longs: Number, defaults: true }) as {
            resourceSpans: Array<{
              resource?: { attributes: RawKeyValue[] };
              scopeSpans: Array<{ scope?: { name: string }; spans: Array<Record<string, unknown>> }>;
            }>;
          };
          for (const rs of msg.resourceSpans) {
            const resource = attrs(rs.resource?.attributes);
            for (const ss of rs.scopeSpans) {
              for (const s of ss.spans) {
                receiver.spans.push({
                  traceId: hex(s.traceId as Uint8Array),
                  spanId: hex(s.spanId as Uint8Array),
                  parentSpanId: hex(s.parentSpanId as Uint8Array),
                  name: s.name as string,
                  kind: s.kind as number,
                  scope: ss.scope?.name ?? '',
                  attributes: attrs(s.attributes as RawKeyValue[]),
                  events: ((s.events as Array<{ name: string; attributes: RawKeyValue[] }>) ?? []).map(
                    (e) => ({
                      name: e.name,
                      attributes: attrs(e.attributes),
                    }),
                  ),
                  status: (s.status as { code: number; message: string }) ?? { code: 0, message: '' },
                  resource,
                });
              }
            }
          }
        } else if (req.url === '/v1/logs') {
          const msg = LogsRequest.toObject(LogsRequest.decode(body), { longs: Number, defaults: true }) as {
            resourceLogs: Array<{
              resource?: { attributes: RawKeyValue[] };
              scopeLogs: Array<{ logRecords: Array<Record<string, unknown>> }>;
            }>;
          };
          for (const rl of msg.resourceLogs) {
            const resource = attrs(rl.resource?.attributes);
            for (const sl of rl.scopeLogs) {
              for (const l of sl.logRecords) {
                receiver.logs.push({
                  body: anyValue(l.body as RawAnyValue),
                  severityText: l.severityText as string,
                  traceId: hex(l.traceId as Uint8Array),
                  spanId: hex(l.spanId as Uint8Array),
                  attributes: attrs(l.attributes as RawKeyValue[]),
                  resource,
                });
              }
            }
          }
        } else if (req.url === '/v1/metrics') {
          const msg = MetricsRequest.toObject(MetricsRequest.decode(body), { defaults: true }) as {
            resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: Array<{ name: string }> }> }>;
          };
          for (const rm of msg.resourceMetrics) {
            for (const sm of rm.scopeMetrics) for (const m of sm.metrics) receiver.metricNames.add(m.name);
          }
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
