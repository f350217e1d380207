/**
 * OTLP protobuf encoding of `getLogger()` records at the moment they are logged.
 *
 * The stock path keeps every record as a graph of JS objects until the batch is exported and
 * then encodes the batch in two passes. At thousands of log lines per second those queued
 * objects survive young-generation collections (CPU, and V8 grows the young generation: RSS).
 * Here a record is encoded once, in one pass, into a small byte buffer (the winston record and
 * its strings die young), and the batch is assembled by concatenation at export. The bytes
 * are exactly an OTLP `LogRecord` message; the request around them (`ResourceLogs`,
 * `ScopeLogs`) is written at export. The output is byte for byte what the stock serializer
 * writes for the same record (tested): strings, booleans, integers (int_value), other numbers
 * (double_value), byte arrays, arrays and objects (kvlist); null and undefined give an empty
 * AnyValue. (Only values the stock serializer cannot write differ: bigints become strings and
 * values nested deeper than 16 levels are cut.)
 */
import type { SpanContext } from '@opentelemetry/api';

/** One encoded `LogRecord` message (without its field tag and length). */
export class EncodedLogRecord {
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
}

/** Hex digit values by character code (0-9, a-f, A-F). */
const HEX = new Uint8Array(128);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[97 + i] = 10 + i;
  HEX[65 + i] = 10 + i;
}

const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

export function varintSize(n: number): number {
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** A growable protobuf writer with single-pass length prefixes. */
export class ProtoWriter {
  buf: Buffer;
  pos = 0;
  constructor(size = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(size);
  }
  reset(): void {
    this.pos = 0;
  }
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  varint(n: number): void {
    this.ensure(10);
    const buf = this.buf;
    if (n < 0) {
      // int64 two's complement (10 bytes).
      let v = BigInt.asUintN(64, BigInt(n));
      while (v >= 128n) {
        buf[this.pos++] = Number(v & 127n) | 128;
        v >>= 7n;
      }
      buf[this.pos++] = Number(v);
      return;
    }
    while (n >= 128) {
      buf[this.pos++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    buf[this.pos++] = n;
  }
  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }
  string(field: number, s: string): void {
    this.tag(field, 2);
    const n = s.length;
    if (n < 128) {
      // Short ASCII strings (most keys and values) are copied in JS: cheaper than two native
      // calls (byte length, then write). Anything else falls back to the UTF-8 encoder.
      this.ensure(n + 1);
      const buf = this.buf;
      const start = this.pos;
      let p = start + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[p++] = c;
      }
      if (i === n) {
        buf[start] = n;
        this.pos = p;
        return;
      }
    }
    const len = Buffer.byteLength(s);
    this.varint(len);
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, len, 'utf8');
  }
  bytes(field: number, b: Uint8Array): void {
    this.tag(field, 2);
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /** A hex ID (trace or span) as bytes. */
  hex(field: number, hex: string): void {
    const n = hex.length >> 1;
    this.tag(field, 2);
    this.varint(n);
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const hi = HEX[hex.charCodeAt(2 * i)] ?? 0;
      const lo = HEX[hex.charCodeAt(2 * i + 1)] ?? 0;
      buf[p++] = (hi << 4) | lo;
    }
    this.pos = p;
  }
  fixed64FromHrTime(field: number, t: readonly [number, number]): void {
    this.tag(field, 1);
    this.ensure(8);
    this.buf.writeBigUInt64LE(BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]), this.pos);
    this.pos += 8;
  }
  /** Epoch milliseconds (an integer below 2^53) as fixed64 nanoseconds, without BigInt. */
  fixed64FromMs(field: number, ms: number): void {
    this.tag(field, 1);
    this.ensure(8);
    const m = Math.round(ms);
    const msHigh = Math.floor(m / 0x100000000);
    const lowNs = (m - msHigh * 0x100000000) * 1e6; // < 2^52: exact
    const lowWord = lowNs % 0x100000000;
    const highWord = msHigh * 1e6 + (lowNs - lowWord) / 0x100000000;
    this.buf.writeUInt32LE(lowWord, this.pos);
    this.buf.writeUInt32LE(highWord >>> 0, this.pos + 4);
    this.pos += 8;
  }
  fixed32(field: number, v: number): void {
    this.tag(field, 5);
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }
  double(field: number, v: number): void {
    this.tag(field, 1);
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }
  /** Starts a length-delimited field; returns the mark for {@link end}. */
  begin(field: number): number {
    this.tag(field, 2);
    this.ensure(1);
    return this.pos++;
  }
  /** Ends a length-delimited field: one length byte was reserved, widen it when needed. */
  end(mark: number): void {
    const len = this.pos - mark - 1;
    if (len < 128) {
      this.buf[mark] = len;
      return;
    }
    const extra = varintSize(len) - 1;
    this.ensure(extra);
    this.buf.copyWithin(mark + 1 + extra, mark + 1, this.pos);
    writeVarintAt(this.buf, mark, len);
    this.pos += extra;
  }
  anyValue(value: unknown, depth = 0): void {
    switch (typeof value) {
      case 'string':
        this.string(1, value);
        return;
      case 'boolean':
        this.tag(2, 0);
        this.varint(value ? 1 : 0);
        return;
      case 'number':
        if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
          this.tag(3, 0);
          this.varint(value);
        } else this.double(4, value);
        return;
      case 'bigint':
        this.string(1, value.toString());
        return;
      case 'object': {
        if (value === null) return;
        if (value instanceof Uint8Array) {
          this.bytes(7, value);
          return;
        }
        // Cyclic or very deep values end as a string instead of recursing forever.
        if (depth > 16) {
          this.string(1, '[nested too deep]');
          return;
        }
        if (Array.isArray(value)) {
          const arr = this.begin(5);
          for (const item of value) {
            const m = this.begin(1);
            this.anyValue(item, depth + 1);
            this.end(m);
          }
          this.end(arr);
          return;
        }
        const kvlist = this.begin(6);
        const obj = value as Record<string, unknown>;
        for (const k of Object.keys(obj)) {
          const kv = this.begin(1);
          this.string(1, k);
          const v = this.begin(2);
          this.anyValue(obj[k], depth + 1);
          this.end(v);
          this.end(kv);
        }
        this.end(kvlist);
        return;
      }
      default:
        // undefined, functions, symbols: an empty AnyValue.
        return;
    }
  }
  keyValue(field: number, key: string, value: unknown): void {
    const kv = this.begin(field);
    this.string(1, key);
    const v = this.begin(2);
    this.anyValue(value);
    this.end(v);
    this.end(kv);
  }
  /** A copy of the bytes written so far (from the small-buffer pool). */
  take(): Uint8Array {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }
}

const scratch = new ProtoWriter();

/**
 * Encodes one record. `skip` names the fields of `attributes` carried elsewhere (message,
 * level, timestamp, trace fields, resource).
 */
export function encodeLogRecord(
  timeMs: number,
  severityNumber: number,
  severityText: string,
  body: string,
  attributes: Record<string, unknown>,
  skip: ReadonlySet<string>,
  spanContext: SpanContext | undefined,
): EncodedLogRecord {
  const w = scratch;
  w.reset();
  w.fixed64FromMs(1, timeMs);
  if (severityNumber > 0) {
    w.tag(2, 0);
    w.varint(severityNumber);
  }
  if (severityText) w.string(3, severityText);
  const b = w.begin(5);
  w.string(1, body);
  w.end(b);
  for (const key of Object.keys(attributes)) {
    if (skip.has(key)) continue;
    w.keyValue(6, key, attributes[key]);
  }
  w.tag(7, 0);
  w.varint(0);
  if (spanContext !== undefined) {
    if (spanContext.traceFlags) w.fixed32(8, spanContext.traceFlags);
    w.hex(9, spanContext.traceId);
    w.hex(10, spanContext.spanId);
  }
  w.fixed64FromMs(11, timeMs);
  return new EncodedLogRecord(w.take());
}

/** The encoded `Resource` and `InstrumentationScope` messages of the SDK's own records. */
export interface LogEnvelope {
  resource: Uint8Array;
  scope: Uint8Array;
}

export function encodeEnvelope(
  resourceAttributes: Record<string, unknown>,
  scopeName: string,
  scopeVersion: string | undefined,
): LogEnvelope {
  const w = new ProtoWriter(1024);
  for (const key of Object.keys(resourceAttributes)) w.keyValue(1, key, resourceAttributes[key]);
  w.tag(2, 0);
  w.varint(0);
  const resource = w.take();
  w.reset();
  w.string(1, scopeName);
  if (scopeVersion) w.string(2, scopeVersion);
  return { resource, scope: w.take() };
}

export function writeVarintAt(buf: Buffer, pos: number, n: number): number {
  while (n >= 128) {
    buf[pos++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

/** An `ExportLogsServiceRequest` carrying `records` under one resource and scope. */
export function encodeLogsRequest(envelope: LogEnvelope, records: readonly EncodedLogRecord[]): Uint8Array {
  // ScopeLogs { 1: scope, 2: LogRecord... }
  let scopeLogsLen = 1 + varintSize(envelope.scope.length) + envelope.scope.length;
  for (const r of records) scopeLogsLen += 1 + varintSize(r.bytes.length) + r.bytes.length;
  // ResourceLogs { 1: resource, 2: ScopeLogs }
  const resourceLogsLen =
    1 +
    varintSize(envelope.resource.length) +
    envelope.resource.length +
    1 +
    varintSize(scopeLogsLen) +
    scopeLogsLen;
  const total = 1 + varintSize(resourceLogsLen) + resourceLogsLen;
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  out[pos++] = (1 << 3) | 2;
  pos = writeVarintAt(out, pos, resourceLogsLen);
  out[pos++] = (1 << 3) | 2;
  pos = writeVarintAt(out, pos, envelope.resource.length);
  out.set(envelope.resource, pos);
  pos += envelope.resource.length;
  out[pos++] = (2 << 3) | 2;
  pos = writeVarintAt(out, pos, scopeLogsLen);
  out[pos++] = (1 << 3) | 2;
  pos = writeVarintAt(out, pos, envelope.scope.length);
  out.set(envelope.scope, pos);
  pos += envelope.scope.length;
  for (const r of records) {
    out[pos++] = (2 << 3) | 2;
    pos = writeVarintAt(out, pos, r.bytes.length);
    out.set(r.bytes, pos);
    pos += r.bytes.length;
  }
  return out;
}
