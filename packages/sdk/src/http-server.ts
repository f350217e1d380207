/**
 * A lean server-side HTTP instrumentation (replaces the stock one's incoming-request half).
 * Per request it does only what every request needs: IDs and the sampler's decision (an
 * unsampled request gets the API's non-recording span around its IDs, no SDK span; a recorded
 * one a compact `ServerSpan`), the correlation ID header, one context switch, one histogram
 * point. Span attributes are computed only for recorded spans, once, at the end; headers are
 * read once; nothing is parsed twice.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  SamplingDecision as ApiSamplingDecision,
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { RPCType, setRPCMetadata } from '@opentelemetry/core';
import { RandomIdGenerator, type Sampler } from '@opentelemetry/sdk-trace';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import { CORRELATION_ID_HEADER, type RequestState, validCorrelationId } from './context.ts';
import { PlatformAttributeValues } from './domain/attribute-values.ts';
import { TRACE_FLAG_RANDOM } from './propagation/trace-context.ts';
import type { Redactor } from './redaction.ts';
import type { RecordDuration } from './request-duration.ts';
import { patchServerDispatch } from './server-dispatch.ts';
import { ServerSpan } from './server-span.ts';

/** Servers marked with this symbol are not traced (the SDK's own scrape server). */
const kIgnoreServer = Symbol.for('authlens.ignore-server');

/** Marks `server` as not traced (the SDK's own scrape server). */
export function markIgnoredServer(server: object): void {
  (server as Record<symbol, boolean>)[kIgnoreServer] = true;
}

/** The methods semantic conventions name; any other is recorded as `_OTHER`. */
const KNOWN_METHODS: ReadonlySet<string> = new Set(
  PlatformAttributeValues.httpMethods.filter((m) => m !== '_OTHER'),
);

export interface ServerInstrumentationOptions {
  /** Decides which requests are recorded and sampled (the traces pipeline's sampler). */
  sampler: Sampler;
  /** Receives every ended recorded server span (the traces pipeline exports the sampled ones). */
  onSpanEnd: (span: ServerSpan) => void;
  /** Records `http.server.request.duration` (see `request-duration.ts`). */
  recordDuration: RecordDuration;
  redactor: Redactor;
  /** Request paths served without a span or a duration point (`AUTHLENS_EXCLUDED_PATHS`). */
  excludedPaths?: { exact: ReadonlySet<string>; prefixes: readonly string[] };
}

/**
 * The context keys under which `trace.setSpan` and `setRPCMetadata` store their values, learnt
 * through those public setters: a context that records the key of its `setValue` call.
 */
function keyWrittenBy(write: (ctx: Context) => unknown): symbol {
  let key: symbol | undefined;
  const recorder: Context = {
    getValue: () => undefined,
    setValue(k) {
      key = k;
      return recorder;
    },
    deleteValue: () => recorder,
  };
  write(recorder);
  if (key === undefined) throw new Error('cannot learn an OpenTelemetry context key');
  return key;
}
const SPAN_KEY = keyWrittenBy((ctx) =>
  trace.setSpan(ctx, trace.wrapSpanContext({ traceId: '', spanId: '', traceFlags: 0 })),
);
const RPC_METADATA_KEY = keyWrittenBy((ctx) =>
  setRPCMetadata(ctx, { type: RPCType.HTTP, span: undefined as never }),
);

/** Where the request state hangs on the `IncomingMessage` and `ServerResponse` (one slot each). */
export const kRequestState = Symbol.for('authlens.request-state');

/**
 * A context holding the request's span and state on top of its parent, without copying the
 * parent's map (what `trace.setSpan(setRPCMetadata(...))` would do twice per request).
 * Further `setValue` calls chain cheaply. The span slot of the request's own context can be
 * moved to a child span (the Fastify span of a sampled request) by {@link ServerRequestState}.
 */
class RequestContext implements Context {
  readonly parent: Context;
  readonly key: symbol;
  value: unknown;
  readonly key2: symbol | undefined;
  readonly value2: unknown;
  constructor(parent: Context, span: Span | undefined, state: unknown, key?: symbol, value?: unknown) {
    this.parent = parent;
    if (key === undefined) {
      this.key = SPAN_KEY;
      this.value = span;
      this.key2 = RPC_METADATA_KEY;
      this.value2 = state;
    } else {
      this.key = key;
      this.value = value;
      this.key2 = undefined;
      this.value2 = undefined;
    }
  }
  getValue(key: symbol): unknown {
    if (key === this.key) return this.value;
    if (key === this.key2) return this.value2;
    return this.parent.getValue(key);
  }
  setValue(key: symbol, value: unknown): Context {
    return new RequestContext(this, undefined, undefined, key, value);
  }
  deleteValue(key: symbol): Context {
    return new RequestContext(this, undefined, undefined, key, undefined);
  }
}

/** The request state; a class (one hidden class, no per-request accessor pairs or closures). */
export class ServerRequestState implements RequestState {
  readonly type = RPCType.HTTP;
  route: string | undefined = undefined;
  userId: string | undefined = undefined;
  /** The Fastify span of a sampled request, ended with the response. */
  frameworkSpan: Span | undefined = undefined;
  /**
   * True once the active span (the Fastify span if there is one, else the server span)
   * carries an error status with the exception's message (kept when the response closes).
   */
  errorRecorded = false;
  readonly request: IncomingMessage;
  readonly span: Span;
  readonly method: string;
  readonly correlationId: string;
  readonly start: number;
  readonly context: RequestContext;
  constructor(
    request: IncomingMessage,
    span: Span,
    method: string,
    correlationId: string,
    start: number,
    parent: Context,
  ) {
    this.request = request;
    this.span = span;
    this.method = method;
    this.correlationId = correlationId;
    this.start = start;
    this.context = new RequestContext(parent, span, this);
  }
  get clientAddress(): string | undefined {
    return this.request.socket?.remoteAddress;
  }
  /**
   * Makes `span` (a child of the server span) the active span for the rest of the request:
   * code that runs later in the request (pg, Redis, log lines) sees it.
   */
  setActiveSpan(span: Span): void {
    this.frameworkSpan = span;
    this.context.value = span;
  }
}

type FullRequestState = ServerRequestState;

type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;

/** `error.type` of a finished request: the 5xx status code, `_OTHER` for an aborted response. */
function errorTypeOf(status: number, finished: boolean): string | undefined {
  if (status >= 500) return String(status);
  return finished ? undefined : '_OTHER';
}

/** Patches `http.Server` and `https.Server` request dispatch; returns the undo function. */
export function instrumentHttpServers(options: ServerInstrumentationOptions): () => void {
  const { sampler, onSpanEnd, recordDuration, redactor } = options;
  const ids = new RandomIdGenerator();
  const noLinks: never[] = [];
  const noAttributes = {};
  const exact = options.excludedPaths?.exact ?? new Set<string>();
  const prefixes = options.excludedPaths?.prefixes ?? [];
  const skip =
    exact.size === 0
      ? () => false
      : (url: string | undefined) => {
          if (url === undefined) return false;
          const q = url.indexOf('?');
          const path = q === -1 ? url : url.slice(0, q);
          if (exact.has(path)) return true;
          for (const p of prefixes) if (path.startsWith(p)) return true;
          return false;
        };

  function onRequest(server: unknown, emit: Emit, req: IncomingMessage, res: ServerResponse): boolean {
    const start = performance.now();
    const headers = req.headers;
    // Only pay for extraction when the caller sent trace context.
    const parent =
      headers.traceparent === undefined ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, headers);
    const method = req.method ?? 'GET';
    const span = startServerSpan(method, parent, start);
    const correlationId = validCorrelationId(headers[CORRELATION_ID_HEADER]) ?? span.spanContext().traceId;
    if (!res.headersSent) res.setHeader(CORRELATION_ID_HEADER, correlationId);
    const state = new ServerRequestState(req, span, method, correlationId, start, parent);
    (req as unknown as Record<symbol, ServerRequestState>)[kRequestState] = state;
    (res as unknown as Record<symbol, ServerRequestState>)[kRequestState] = state;
    // 'close' is emitted once: a shared listener, no per-request closure or once-wrapper.
    res.on('close', onResponseClose);
    // One small context object instead of two copies of the parent's map.
    return context.with(state.context, emit, server, 'request', req, res);
  }

  /**
   * The request's span: the sampler's decision on fresh IDs (or the parent's trace ID), as
   * the SDK's tracer takes it; a recorded span is a `ServerSpan`, any other the API's
   * non-recording span around the IDs. W3C Level 2: the span keeps the random flag of its parent.
   */
  function startServerSpan(method: string, parent: Context, start: number): Span {
    const parentContext = parent === ROOT_CONTEXT ? undefined : trace.getSpanContext(parent);
    const validParent =
      parentContext !== undefined && trace.isSpanContextValid(parentContext) ? parentContext : undefined;
    const traceId = validParent?.traceId ?? ids.generateTraceId();
    const result = sampler.shouldSample(parent, traceId, method, SpanKind.SERVER, noAttributes, noLinks);
    let traceFlags = result.decision === ApiSamplingDecision.RECORD_AND_SAMPLED ? 1 : 0;
    if (validParent !== undefined && validParent.traceFlags & TRACE_FLAG_RANDOM)
      traceFlags |= TRACE_FLAG_RANDOM;
    const spanContext: SpanContext = {
      traceId,
      spanId: ids.generateSpanId(),
      traceFlags,
      traceState: result.traceState ?? validParent?.traceState,
    };
    if (result.decision === ApiSamplingDecision.NOT_RECORD) return trace.wrapSpanContext(spanContext);
    const span = new ServerSpan(method, spanContext, validParent, performance.timeOrigin + start, onSpanEnd);
    if (result.attributes) span.setAttributes(result.attributes);
    return span;
  }

  function onResponseClose(this: ServerResponse) {
    const state = (this as unknown as Record<symbol, ServerRequestState | undefined>)[kRequestState];
    if (state !== undefined) onClose(state, this, state.span, state.start);
  }

  function onClose(state: FullRequestState, res: ServerResponse, span: Span, start: number) {
    const seconds = (performance.now() - start) / 1000;
    const status = res.statusCode;
    const method = KNOWN_METHODS.has(state.method) ? state.method : '_OTHER';
    const route = state.route;
    const spanContext = span.spanContext();
    const req = state.request;
    const scheme = (req.socket as { encrypted?: boolean } | undefined)?.encrypted ? 'https' : 'http';
    const errorType = errorTypeOf(status, res.writableFinished);
    // A sampled request's IDs become the bucket's exemplar (its trace reaches the backend).
    recordDuration(
      seconds,
      method,
      route ?? 'other',
      status,
      scheme,
      errorType,
      spanContext.traceFlags & 1 ? spanContext : undefined,
    );
    if (!span.isRecording()) {
      span.end();
      return;
    }
    const framework = state.frameworkSpan;
    if (framework !== undefined) {
      framework.setAttribute('http.response.status_code', status);
      if (status >= 500 && !state.errorRecorded) framework.setStatus({ code: SpanStatusCode.ERROR });
      framework.end();
    }
    // A recorded server span is always ours (started above).
    const own = span as ServerSpan;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    own.setOwnAttribute(ATTR_HTTP_REQUEST_METHOD, method);
    own.setOwnAttribute(ATTR_URL_PATH, redactor.redactString(q === -1 ? url : url.slice(0, q)));
    own.setOwnAttribute(ATTR_URL_SCHEME, scheme);
    own.setOwnAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    own.setOwnAttribute('correlation_id', state.correlationId);
    own.setOwnAttribute(ATTR_NETWORK_PROTOCOL_VERSION, req.httpVersion);
    if (route) own.setOwnAttribute(ATTR_HTTP_ROUTE, route);
    if (errorType !== undefined) own.setOwnAttribute(ATTR_ERROR_TYPE, errorType);
    // Redacted with its `?`, so the query-parameter rule also sees the first parameter.
    if (q !== -1) own.setOwnAttribute(ATTR_URL_QUERY, redactor.redactString(url.slice(q)).slice(1));
    const address = state.clientAddress;
    if (address) own.setOwnAttribute(ATTR_CLIENT_ADDRESS, address);
    const ua = req.headers['user-agent'];
    if (ua) own.setOwnAttribute(ATTR_USER_AGENT_ORIGINAL, ua);
    const host = req.headers.host;
    if (host) own.setOwnAttribute(ATTR_SERVER_ADDRESS, host.replace(/:\d+$/, ''));
    // `enduser.id` is not in the stable conventions (no constant in the stable entry point).
    if (state.userId !== undefined) own.setOwnAttribute('enduser.id', state.userId);
    if (method === '_OTHER') own.setOwnAttribute(ATTR_HTTP_REQUEST_METHOD_ORIGINAL, state.method);
    span.updateName(route ? `${method} ${route}` : method);
    if (status >= 500) {
      if (framework !== undefined || !state.errorRecorded) span.setStatus({ code: SpanStatusCode.ERROR });
    } else if (!res.writableFinished)
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'response aborted' });
    span.end();
  }

  return patchServerDispatch(
    (server, emit, req, res) => onRequest(server, emit, req, res),
    (server, req) => (server as Record<symbol, unknown>)[kIgnoreServer] === true || skip(req.url),
  );
}
