/**
 * W3C Trace Context Level 2, exactly (https://www.w3.org/TR/trace-context-2/), in place of
 * `@opentelemetry/core`'s `W3CTraceContextPropagator`, which repairs what the spec says to
 * discard and drops the Level 2 random flag:
 *
 * - `traceparent`: version `ff` is invalid; version `00` is exactly 55 characters; a higher
 *   version is read as `00` from its first 55 characters when those are followed by nothing or
 *   by `-`. Lowercase hex only; all-zero trace or parent IDs are invalid. Of the flags, sampled
 *   (0x01) and random (0x02) are kept; unknown bits are ignored and never sent on.
 * - `tracestate`: list members split on commas with optional spaces or tabs, empty members
 *   ignored. Any invalid member (key grammar below, value of 1–256 printable characters not
 *   ending in a space, no `,` or `=`), a duplicated key or more than 32 members discards the
 *   *whole* header, and an empty one is never sent on.
 *   key = lcalpha 0*255(lcalpha / DIGIT / "_" / "-" / "*" / "/")
 *       / (lcalpha / DIGIT) 0*240(lcalpha / DIGIT / "_" / "-" / "*" / "/") "@" lcalpha 0*13(…)
 * - The random flag of an incoming parent is kept in the context (under the RANDOM_TRACE key) so that
 *   requests sent on while handling it carry it too (the SDK's tracer does not copy it to
 *   child spans).
 */
import {
  type Attributes,
  type AttributeValue,
  type Context,
  createContextKey,
  type Exception,
  isSpanContextValid,
  type Link,
  type Span,
  type SpanContext,
  type SpanStatus,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  type TimeInput,
  type TraceState,
  trace,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';

export const TRACE_PARENT_HEADER = 'traceparent';
export const TRACE_STATE_HEADER = 'tracestate';

/** The W3C random trace flag (Level 2). */
export const TRACE_FLAG_RANDOM = 0x02;
/** The flags this implementation knows and sends on (sampled, random). */
const KNOWN_FLAGS = 0x03;
const MAX_MEMBERS = 32;

/** Context key: the trace ID of an incoming parent that carried the random flag. */
export const RANDOM_TRACE = createContextKey('authlens W3C random trace flag');

const TRACEPARENT_00 = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE_ID = '00000000000000000000000000000000';
const ZERO_SPAN_ID = '0000000000000000';

/** The span context of a `traceparent` value (isRemote), or undefined when invalid. */
export function parseTraceParent(value: string): SpanContext | undefined {
  let v = value.trim();
  const version = v.slice(0, 2);
  if (version === 'ff') return undefined;
  if (version !== '00' && /^[0-9a-f]{2}$/.test(version) && v.length > 55) {
    // A future version: read its first 55 characters as version 00, if a `-` follows them.
    if (v[55] !== '-') return undefined;
    v = v.slice(0, 55);
  }
  const m = TRACEPARENT_00.exec(v);
  if (!m) return undefined;
  const [, ver, traceId, spanId, flags] = m as unknown as [string, string, string, string, string];
  if (ver === '00' && v.length !== 55) return undefined;
  if (traceId === ZERO_TRACE_ID || spanId === ZERO_SPAN_ID) return undefined;
  return { traceId, spanId, traceFlags: Number.parseInt(flags, 16) & KNOWN_FLAGS, isRemote: true };
}

const KEY = /^(?:[a-z][a-z0-9_\-*/]{0,255}|[a-z0-9][a-z0-9_\-*/]{0,240}@[a-z][a-z0-9_\-*/]{0,13})$/;
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
const MEMBER_SEPARATOR = /[ \t]*,[ \t]*/;

/** An immutable W3C `tracestate` list (leftmost member first). */
export class W3CTraceState implements TraceState {
  private readonly members: ReadonlyArray<readonly [string, string]>;
  constructor(members: ReadonlyArray<readonly [string, string]> = []) {
    this.members = members;
  }
  get(key: string): string | undefined {
    return this.members.find(([k]) => k === key)?.[1];
  }
  /** Puts `key` leftmost with `value`; an invalid key or value leaves the state unchanged. */
  set(key: string, value: string): TraceState {
    if (!KEY.test(key) || !VALUE.test(value)) return this;
    const rest = this.members.filter(([k]) => k !== key);
    return new W3CTraceState([[key, value] as const, ...rest].slice(0, MAX_MEMBERS));
  }
  unset(key: string): TraceState {
    return new W3CTraceState(this.members.filter(([k]) => k !== key));
  }
  serialize(): string {
    return this.members.map(([k, v]) => `${k}=${v}`).join(',');
  }
  get size(): number {
    return this.members.length;
  }
}

/**
 * The `tracestate` list of a header value (several header lines joined with `,`), or
 * undefined when the whole header must be discarded (or holds no member).
 */
export function parseTraceState(value: string): W3CTraceState | undefined {
  const members: Array<readonly [string, string]> = [];
  const seen = new Set<string>();
  for (const raw of value.trim().split(MEMBER_SEPARATOR)) {
    if (raw === '') continue;
    const eq = raw.indexOf('=');
    if (eq <= 0) return undefined;
    const key = raw.slice(0, eq);
    const val = raw.slice(eq + 1);
    if (!KEY.test(key) || !VALUE.test(val) || seen.has(key)) return undefined;
    seen.add(key);
    members.push([key, val]);
    if (members.length > MAX_MEMBERS) return undefined;
  }
  return members.length === 0 ? undefined : new W3CTraceState(members);
}

function headerValue(getter: TextMapGetter, carrier: unknown, name: string): string | undefined {
  const v = getter.get(carrier, name);
  if (Array.isArray(v)) return v.length === 1 ? v[0] : v.length > 1 ? v.join(',') : undefined;
  return v;
}

/** The W3C `traceparent`/`tracestate` propagator (Level 2). */
export class W3CTraceContextLevel2Propagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const sc = trace.getSpanContext(context);
    if (!sc || isTracingSuppressed(context) || !isSpanContextValid(sc)) return;
    let flags = sc.traceFlags & KNOWN_FLAGS;
    if (context.getValue(RANDOM_TRACE) === sc.traceId) flags |= TRACE_FLAG_RANDOM;
    setter.set(carrier, TRACE_PARENT_HEADER, `00-${sc.traceId}-${sc.spanId}-0${flags.toString(16)}`);
    const state = sc.traceState?.serialize();
    if (state) setter.set(carrier, TRACE_STATE_HEADER, state);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const parentHeader = getter.get(carrier, TRACE_PARENT_HEADER);
    // Two traceparent headers are invalid (one value only).
    const parent = Array.isArray(parentHeader)
      ? parentHeader.length === 1
        ? parentHeader[0]
        : undefined
      : parentHeader;
    if (typeof parent !== 'string') return context;
    const sc = parseTraceParent(parent);
    if (!sc) return context;
    const stateHeader = headerValue(getter, carrier, TRACE_STATE_HEADER);
    const traceState = stateHeader === undefined ? undefined : parseTraceState(stateHeader);
    if (traceState) sc.traceState = traceState;
    const withSpan = trace.setSpanContext(context, sc);
    return sc.traceFlags & TRACE_FLAG_RANDOM ? withSpan.setValue(RANDOM_TRACE, sc.traceId) : withSpan;
  }

  fields(): string[] {
    return [TRACE_PARENT_HEADER, TRACE_STATE_HEADER];
  }
}

/**
 * `span` with the random flag in its span context (the SDK's tracer keeps only the sampled
 * flag): what the server span of a request whose parent carried the flag reports to logs,
 * Sentry and child spans. Everything else is the span's own.
 */
export function withRandomFlag(span: Span): Span {
  const own = span.spanContext();
  if (own.traceFlags & TRACE_FLAG_RANDOM) return span;
  return new RandomFlagSpan(span, { ...own, traceFlags: own.traceFlags | TRACE_FLAG_RANDOM });
}

class RandomFlagSpan implements Span {
  private readonly span: Span;
  private readonly context: SpanContext;
  constructor(span: Span, context: SpanContext) {
    this.span = span;
    this.context = context;
  }
  spanContext(): SpanContext {
    return this.context;
  }
  setAttribute(key: string, value: AttributeValue): this {
    this.span.setAttribute(key, value);
    return this;
  }
  setAttributes(attributes: Attributes): this {
    this.span.setAttributes(attributes);
    return this;
  }
  addEvent(name: string, attributesOrStartTime?: Attributes | TimeInput, startTime?: TimeInput): this {
    this.span.addEvent(name, attributesOrStartTime, startTime);
    return this;
  }
  addLink(link: Link): this {
    this.span.addLink(link);
    return this;
  }
  addLinks(links: Link[]): this {
    this.span.addLinks(links);
    return this;
  }
  setStatus(status: SpanStatus): this {
    this.span.setStatus(status);
    return this;
  }
  updateName(name: string): this {
    this.span.updateName(name);
    return this;
  }
  end(endTime?: TimeInput): void {
    this.span.end(endTime);
  }
  isRecording(): boolean {
    return this.span.isRecording();
  }
  recordException(exception: Exception, time?: TimeInput): void {
    this.span.recordException(exception, time);
  }
}
