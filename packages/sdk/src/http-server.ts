/**
 * A lean server-side HTTP instrumentation (replaces the stock one's incoming-request half).
 * Per request it does only what every request needs: one span start (a cheap non-recording
 * span when the sampler says no), the correlation ID header, one context switch, one
 * histogram point. Span attributes are computed only for recorded spans, once, at the end;
 * headers are read once; nothing is parsed twice.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
} from '@opentelemetry/api';
import { RPCType } from '@opentelemetry/core';
import { CORRELATION_ID_HEADER, type RequestState, validCorrelationId } from './context.ts';
import type { Redactor } from './redaction.ts';
import type { RecordDuration } from './request-duration.ts';

/** Servers marked with this symbol are not traced (the SDK's own scrape server). */
export const kIgnoreServer = Symbol.for('authlens.ignore-server');

const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
]);

export interface ServerInstrumentationOptions {
  tracer: Tracer;
  /** Records `http.server.request.duration` (see `request-duration.ts`). */
  recordDuration: RecordDuration;
  redactor: Redactor;
  /** Request paths served without a span or a duration point (`AUTHLENS_EXCLUDED_PATHS`). */
  excludedPaths?: { exact: ReadonlySet<string>; prefixes: readonly string[] };
}

const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');
const RPC_METADATA_KEY = Symbol.for('OpenTelemetry SDK Context Key RPC_METADATA');

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
  /** True once the Fastify span carries an error status with a message. */
  frameworkErrored = false;
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

/** Patches `http.Server` and `https.Server` request dispatch; returns the undo function. */
export function instrumentHttpServers(options: ServerInstrumentationOptions): () => void {
  const { tracer, recordDuration, redactor } = options;
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
    const span = tracer.startSpan(method, { kind: SpanKind.SERVER }, parent);
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
    // A sampled request's IDs become the bucket's exemplar (its trace reaches the backend).
    recordDuration(
      seconds,
      method,
      route ?? 'other',
      status,
      spanContext.traceFlags & 1 ? spanContext : undefined,
    );
    if (!span.isRecording()) {
      span.end();
      return;
    }
    const framework = state.frameworkSpan;
    if (framework !== undefined) {
      framework.setAttribute('http.response.status_code', status);
      if (status >= 500 && !state.frameworkErrored) framework.setStatus({ code: SpanStatusCode.ERROR });
      framework.end();
    }
    const req = state.request;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const attributes: Record<string, string | number> = {
      'http.request.method': method,
      'url.path': redactor.redactString(q === -1 ? url : url.slice(0, q)),
      'url.scheme': (req.socket as { encrypted?: boolean } | undefined)?.encrypted ? 'https' : 'http',
      'http.response.status_code': status,
      correlation_id: state.correlationId,
      'network.protocol.version': req.httpVersion,
    };
    if (route) attributes['http.route'] = route;
    // Redacted with its `?`, so the query-parameter rule also sees the first parameter.
    if (q !== -1) attributes['url.query'] = redactor.redactString(url.slice(q)).slice(1);
    const address = state.clientAddress;
    if (address) attributes['client.address'] = address;
    const ua = req.headers['user-agent'];
    if (ua) attributes['user_agent.original'] = ua;
    const host = req.headers.host;
    if (host) attributes['server.address'] = host.replace(/:\d+$/, '');
    if (state.userId !== undefined) attributes['enduser.id'] = state.userId;
    if (method === '_OTHER') attributes['http.request.method_original'] = state.method;
    span.setAttributes(attributes);
    span.updateName(route ? `${method} ${route}` : method);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    else if (!res.writableFinished)
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'response aborted' });
    span.end();
  }

  const undo: Array<() => void> = [];
  for (const proto of [http.Server.prototype, https.Server.prototype] as Array<{ emit: Emit }>) {
    const hadOwn = Object.hasOwn(proto, 'emit');
    const original = proto.emit;
    const patched: Emit = function patchedEmit(this: unknown, event, ...args) {
      if (
        event !== 'request' ||
        (this as Record<symbol, unknown>)[kIgnoreServer] === true ||
        skip((args[0] as IncomingMessage).url)
      ) {
        return original.call(this, event, ...args);
      }
      return onRequest(this, original, args[0] as IncomingMessage, args[1] as ServerResponse);
    };
    proto.emit = patched;
    undo.push(() => {
      if (proto.emit !== patched) return;
      if (hadOwn) proto.emit = original;
      else delete (proto as Partial<{ emit: Emit }>).emit;
    });
  }
  return () => {
    for (const u of undo) u();
  };
}
