/**
 * OTLP protobuf encoding of ended spans, at `onEnd` (same reasoning as `log-encoding.ts`: the
 * queue holds small byte buffers instead of span object graphs, and the IDs are written from
 * hex without a byte array per ID). The output is byte for byte what the stock trace
 * serializer writes (tested).
 */
import type { Link, SpanContext } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { ProtoWriter, varintSize, writeVarintAt } from './log-encoding.ts';

/** One encoded `Span` message and the scope it belongs to. */
export class EncodedSpan {
  readonly bytes: Uint8Array;
  readonly scope: InstrumentationScope;
  constructor(bytes: Uint8Array, scope: InstrumentationScope) {
    this.bytes = bytes;
    this.scope = scope;
  }
}

function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  let flags = (traceFlags & 0xff) | 0x100;
  if (isRemote) flags |= 0x200;
  return flags;
}

function writeEvent(w: ProtoWriter, event: TimedEvent): void {
  const m = w.begin(11);
  w.fixed64FromHrTime(1, event.time);
  w.string(2, event.name);
  if (event.attributes) for (const k of Object.keys(event.attributes)) w.keyValue(3, k, event.attributes[k]);
  w.tag(4, 0);
  w.varint(event.droppedAttributesCount || 0);
  w.end(m);
}

function writeLink(w: ProtoWriter, link: Link & { droppedAttributesCount?: number }): void {
  const m = w.begin(13);
  const ctx: SpanContext = link.context;
  w.hex(1, ctx.traceId);
  w.hex(2, ctx.spanId);
  const ts = ctx.traceState?.serialize();
  if (ts) w.string(3, ts);
  if (link.attributes) for (const k of Object.keys(link.attributes)) w.keyValue(4, k, link.attributes[k]);
  w.tag(5, 0);
  w.varint(link.droppedAttributesCount || 0);
  w.fixed32(6, spanFlags(ctx.traceFlags, ctx.isRemote));
  w.end(m);
}

const scratch = new ProtoWriter();

/** What the encoder reads of a span: an SDK span, or authlens's own server span record. */
export type EncodableSpan = Pick<
  ReadableSpan,
  | 'spanContext'
  | 'parentSpanContext'
  | 'name'
  | 'kind'
  | 'startTime'
  | 'endTime'
  | 'attributes'
  | 'droppedAttributesCount'
  | 'events'
  | 'droppedEventsCount'
  | 'links'
  | 'droppedLinksCount'
  | 'status'
  | 'instrumentationScope'
>;

/**
 * `extraTraceFlags`: W3C trace-flag bits the span's own context lacks (the Level 2 random
 * flag of the trace, which the SDK's tracer does not keep); 0 writes what the stock
 * serializer writes.
 */
export function encodeSpan(span: EncodableSpan, extraTraceFlags = 0): EncodedSpan {
  const w = scratch;
  w.reset();
  const ctx = span.spanContext();
  w.hex(1, ctx.traceId);
  w.hex(2, ctx.spanId);
  const ts = ctx.traceState?.serialize();
  if (ts) w.string(3, ts);
  const parent = span.parentSpanContext;
  if (parent?.spanId) w.hex(4, parent.spanId);
  w.string(5, span.name);
  const kind = span.kind == null ? 0 : span.kind + 1;
  if (kind !== 0) {
    w.tag(6, 0);
    w.varint(kind);
  }
  w.fixed64FromHrTime(7, span.startTime);
  w.fixed64FromHrTime(8, span.endTime);
  const attrs = span.attributes;
  for (const k of Object.keys(attrs)) w.keyValue(9, k, attrs[k]);
  w.tag(10, 0);
  w.varint(span.droppedAttributesCount);
  for (const event of span.events) writeEvent(w, event);
  w.tag(12, 0);
  w.varint(span.droppedEventsCount);
  for (const link of span.links) writeLink(w, link);
  w.tag(14, 0);
  w.varint(span.droppedLinksCount);
  const status = w.begin(15);
  if (span.status.message) w.string(2, span.status.message);
  w.tag(3, 0);
  w.varint(span.status.code);
  w.end(status);
  w.fixed32(16, spanFlags(ctx.traceFlags | extraTraceFlags, parent?.isRemote));
  return new EncodedSpan(w.take(), span.instrumentationScope);
}

const scopeBytes = new WeakMap<InstrumentationScope, Uint8Array>();

function encodeScope(scope: InstrumentationScope): Uint8Array {
  let bytes = scopeBytes.get(scope);
  if (bytes === undefined) {
    const w = new ProtoWriter(256);
    w.string(1, scope.name);
    if (scope.version) w.string(2, scope.version);
    const attributes = (scope as { attributes?: Record<string, unknown> }).attributes;
    if (attributes) for (const k of Object.keys(attributes)) w.keyValue(3, k, attributes[k]);
    bytes = w.take();
    scopeBytes.set(scope, bytes);
  }
  return bytes;
}

/** An `ExportTraceServiceRequest` for `spans` under one resource (`resource`: encoded `Resource`). */
export function encodeTraceRequest(resource: Uint8Array, spans: readonly EncodedSpan[]): Uint8Array {
  const byScope = new Map<InstrumentationScope, EncodedSpan[]>();
  for (const s of spans) {
    const list = byScope.get(s.scope);
    if (list === undefined) byScope.set(s.scope, [s]);
    else list.push(s);
  }
  const groups: Array<{
    scope: Uint8Array;
    schemaUrl: string | undefined;
    spans: EncodedSpan[];
    len: number;
  }> = [];
  let resourceSpansLen = 1 + varintSize(resource.length) + resource.length;
  for (const [scope, list] of byScope) {
    const sb = encodeScope(scope);
    let len = 1 + varintSize(sb.length) + sb.length;
    for (const s of list) len += 1 + varintSize(s.bytes.length) + s.bytes.length;
    const schemaUrl = scope.schemaUrl || undefined;
    if (schemaUrl) {
      const n = Buffer.byteLength(schemaUrl);
      len += 1 + varintSize(n) + n;
    }
    groups.push({ scope: sb, schemaUrl, spans: list, len });
    resourceSpansLen += 1 + varintSize(len) + len;
  }
  const out = Buffer.allocUnsafe(1 + varintSize(resourceSpansLen) + resourceSpansLen);
  let pos = 0;
  out[pos++] = (1 << 3) | 2;
  pos = writeVarintAt(out, pos, resourceSpansLen);
  out[pos++] = (1 << 3) | 2;
  pos = writeVarintAt(out, pos, resource.length);
  out.set(resource, pos);
  pos += resource.length;
  for (const g of groups) {
    out[pos++] = (2 << 3) | 2;
    pos = writeVarintAt(out, pos, g.len);
    out[pos++] = (1 << 3) | 2;
    pos = writeVarintAt(out, pos, g.scope.length);
    out.set(g.scope, pos);
    pos += g.scope.length;
    for (const s of g.spans) {
      out[pos++] = (2 << 3) | 2;
      pos = writeVarintAt(out, pos, s.bytes.length);
      out.set(s.bytes, pos);
      pos += s.bytes.length;
    }
    if (g.schemaUrl) {
      out[pos++] = (3 << 3) | 2;
      const n = Buffer.byteLength(g.schemaUrl);
      pos = writeVarintAt(out, pos, n);
      pos += out.write(g.schemaUrl, pos, n, 'utf8');
    }
  }
  return out;
}
