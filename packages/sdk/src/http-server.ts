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
  context,
  type Histogram,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { RPCType, setRPCMetadata } from '@opentelemetry/core';
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

interface FullRequestState extends RequestState {
  request: IncomingMessage;
}

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
    const state: FullRequestState = {
      type: RPCType.HTTP,
      route: undefined,
      span,
      method,
      correlationId,
      get clientAddress() {
        return req.socket?.remoteAddress;
      },
      userId: undefined,
      request: req,
    };
    res.once('close', () => onClose(state, res, span, start));
    const ctx = trace.setSpan(setRPCMetadata(parent, state), span);
    return context.with(ctx, emit, server, 'request', req, res);
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
