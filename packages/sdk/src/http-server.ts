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
  type Histogram,
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
  duration: Histogram;
  redactor: Redactor;
}

const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');
const RPC_METADATA_KEY = Symbol.for('OpenTelemetry SDK Context Key RPC_METADATA');

/** The request state; a class (one hidden class, no per-request accessor pairs). */
class HttpRequestState implements RequestState {
  readonly type = RPCType.HTTP;
  route: string | undefined = undefined;
  userId: string | undefined = undefined;
  readonly request: IncomingMessage;
  readonly span: Span;
  readonly method: string;
  readonly correlationId: string;
  constructor(request: IncomingMessage, span: Span, method: string, correlationId: string) {
    this.request = request;
    this.span = span;
    this.method = method;
    this.correlationId = correlationId;
  }
  get clientAddress(): string | undefined {
    return this.request.socket?.remoteAddress;
  }
}

/**
 * A context holding the request's span and state on top of its parent, without copying the
 * parent's map (what `trace.setSpan(setRPCMetadata(...))` would do twice per request).
 * Further `setValue` calls chain cheaply.
 */
class RequestContext implements Context {
  readonly parent: Context;
  readonly key: symbol;
  readonly value: unknown;
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

type FullRequestState = HttpRequestState;

type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;

/** Patches `http.Server` and `https.Server` request dispatch; returns the undo function. */
export function instrumentHttpServers(options: ServerInstrumentationOptions): () => void {
  const { tracer, duration, redactor } = options;

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
    const state = new HttpRequestState(req, span, method, correlationId);
    res.once('close', () => onClose(state, res, span, start));
    // One small context object instead of two copies of the parent's map.
    return context.with(new RequestContext(parent, span, state), emit, server, 'request', req, res);
  }

  function onClose(state: FullRequestState, res: ServerResponse, span: Span, start: number) {
    const seconds = (performance.now() - start) / 1000;
    const status = res.statusCode;
    const method = KNOWN_METHODS.has(state.method) ? state.method : '_OTHER';
    const route = state.route;
    duration.record(seconds, {
      'http.request.method': method,
      'http.route': route ?? 'other',
      'http.response.status_code': status,
    });
    if (!span.isRecording()) {
      span.end();
      return;
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
    if (q !== -1) attributes['url.query'] = redactor.redactString(url.slice(q + 1));
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
      if (event !== 'request' || (this as Record<symbol, unknown>)[kIgnoreServer] === true) {
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
