/**
 * Decodes OTLP/HTTP protobuf export requests (traces, logs, metric names) for the local
 * receivers of the tests (the SDK's OTLP receiver, the collector's Loki and Sentry sinks). The
 * schema is the subset of opentelemetry-proto v1 the tests read; field numbers follow
 * opentelemetry/proto/{common,resource,logs,trace,metrics}/v1.
 */
import protobuf from 'protobufjs';

const schema = `
syntax = "proto3";
package otlp;
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; }
message Resource { repeated KeyValue attributes = 1; }
message LogRecord {
  fixed64 time_unix_nano = 1; int32 severity_number = 2; string severity_text = 3; AnyValue body = 5;
  repeated KeyValue attributes = 6; fixed32 flags = 8; bytes trace_id = 9; bytes span_id = 10;
  fixed64 observed_time_unix_nano = 11;
}
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; }
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message Status { string message = 2; int32 code = 3; }
message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; int32 kind = 6;
  fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9;
  repeated Event events = 11; Status status = 15;
}
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message Metric { string name = 1; }
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; }
message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
`;

const root = protobuf.parse(schema, { keepCase: true }).root;
const LogsRequest = root.lookupType('otlp.ExportLogsServiceRequest');
const TraceRequest = root.lookupType('otlp.ExportTraceServiceRequest');
const MetricsRequest = root.lookupType('otlp.ExportMetricsServiceRequest');

export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };
export type Attributes = Record<string, AttrValue>;

/** One span, flattened with its scope name and resource attributes; IDs in hex. */
export interface ReceivedSpan {
  resource: Attributes;
  scope: string;
  attributes: Attributes;
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  events: Array<{ name: string; attributes: Attributes }>;
  status: { code: number; message: string };
}

/** One log record, flattened with its resource attributes; IDs in hex. */
export interface ReceivedLog {
  resource: Attributes;
  attributes: Attributes;
  body: AttrValue;
  severityNumber: number;
  severityText: string;
  traceId: string;
  spanId: string;
}

interface RawAnyValue {
  string_value?: string;
  bool_value?: boolean;
  int_value?: number | string;
  double_value?: number;
  array_value?: { values?: RawAnyValue[] };
  kvlist_value?: { values?: RawKeyValue[] };
  bytes_value?: string;
}
interface RawKeyValue {
  key: string;
  value?: RawAnyValue;
}
interface RawResource {
  attributes?: RawKeyValue[];
}
interface RawLogs {
  resource_logs?: {
    resource?: RawResource;
    scope_logs?: {
      log_records?: {
        severity_number?: number;
        severity_text?: string;
        body?: RawAnyValue;
        attributes?: RawKeyValue[];
        trace_id?: string;
        span_id?: string;
      }[];
    }[];
  }[];
}
interface RawTraces {
  resource_spans?: {
    resource?: RawResource;
    scope_spans?: {
      scope?: { name?: string };
      spans?: {
        name?: string;
        kind?: number;
        trace_id?: string;
        span_id?: string;
        parent_span_id?: string;
        attributes?: RawKeyValue[];
        events?: { name?: string; attributes?: RawKeyValue[] }[];
        status?: { code?: number; message?: string };
      }[];
    }[];
  }[];
}
interface RawMetrics {
  resource_metrics?: { scope_metrics?: { metrics?: { name?: string }[] }[] }[];
}

// Bytes as base64 strings (converted to hex below), 64-bit integers as decimal strings.
const toObjectOptions = { longs: String, bytes: String, defaults: false, oneofs: false };

const hex = (b64: string | undefined) => Buffer.from(b64 ?? '', 'base64').toString('hex');

function anyValue(v: RawAnyValue | undefined): AttrValue {
  if (v === undefined) return null;
  if (v.string_value !== undefined) return v.string_value;
  if (v.bool_value !== undefined) return v.bool_value;
  if (v.int_value !== undefined) return Number(v.int_value);
  if (v.double_value !== undefined) return v.double_value;
  if (v.array_value !== undefined) return (v.array_value.values ?? []).map(anyValue);
  if (v.kvlist_value !== undefined) return attributes(v.kvlist_value.values);
  if (v.bytes_value !== undefined) return hex(v.bytes_value);
  return null;
}

function attributes(kvs: RawKeyValue[] | undefined): Attributes {
  const out: Attributes = {};
  for (const kv of kvs ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

export function decodeLogs(body: Uint8Array): ReceivedLog[] {
  const raw = LogsRequest.toObject(LogsRequest.decode(body), toObjectOptions) as RawLogs;
  const out: ReceivedLog[] = [];
  for (const rl of raw.resource_logs ?? []) {
    const resource = attributes(rl.resource?.attributes);
    for (const sl of rl.scope_logs ?? []) {
      for (const r of sl.log_records ?? []) {
        out.push({
          resource,
          attributes: attributes(r.attributes),
          body: anyValue(r.body),
          severityNumber: r.severity_number ?? 0,
          severityText: r.severity_text ?? '',
          traceId: hex(r.trace_id),
          spanId: hex(r.span_id),
        });
      }
    }
  }
  return out;
}

export function decodeTraces(body: Uint8Array): ReceivedSpan[] {
  const raw = TraceRequest.toObject(TraceRequest.decode(body), toObjectOptions) as RawTraces;
  const out: ReceivedSpan[] = [];
  for (const rs of raw.resource_spans ?? []) {
    const resource = attributes(rs.resource?.attributes);
    for (const ss of rs.scope_spans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          resource,
          scope: ss.scope?.name ?? '',
          attributes: attributes(s.attributes),
          name: s.name ?? '',
          kind: s.kind ?? 0,
          traceId: hex(s.trace_id),
          spanId: hex(s.span_id),
          parentSpanId: hex(s.parent_span_id),
          events: (s.events ?? []).map((e) => ({ name: e.name ?? '', attributes: attributes(e.attributes) })),
          status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' },
        });
      }
    }
  }
  return out;
}

/** The metric names in an OTLP metrics export request. */
export function decodeMetricNames(body: Uint8Array): string[] {
  const raw = MetricsRequest.toObject(MetricsRequest.decode(body), toObjectOptions) as RawMetrics;
  return (raw.resource_metrics ?? []).flatMap((rm) =>
    (rm.scope_metrics ?? []).flatMap((sm) => (sm.metrics ?? []).map((m) => m.name ?? '')),
  );
}
