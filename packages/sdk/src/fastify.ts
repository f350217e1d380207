/**
 * A lean Fastify instrumentation (in place of `@fastify/otel`). Fastify 5 publishes every new
 * instance on the `fastify.initialization` diagnostics channel; we add one synchronous
 * `onRequest` hook to it (first in line, before the app's own hooks) and one `onError` hook.
 *
 * Per request the hook only names the route on the request state (so the server span, the
 * duration metric, log lines and Sentry events get `http.route`, also for requests rejected
 * by the app's auth hooks or schema validation). One span per request: the route goes on the
 * server span, and 5xx exceptions are recorded on it. With `spans` (`AUTHLENS_FASTIFY_SPANS`)
 * a recorded (sampled) server span also gets a Fastify child span, made the active span for
 * the rest of the request (pg and Redis spans nest under it) and ended by the HTTP server
 * instrumentation with the response. Unsampled requests pay for one hook call and
 * `request.routeOptions.url` (Fastify's documented route accessor).
 */
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { type Span, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { kRequestState, type ServerRequestState } from './http-server.ts';
import { TRACE_FLAG_RANDOM, withRandomFlag } from './propagation/trace-context.ts';
import type { Redactor } from './redaction.ts';

/** The instrumentation scope of Fastify spans. */
export const FASTIFY_SCOPE = '@authlens/sdk/fastify';

interface FastifyRequestLike {
  raw: IncomingMessage;
  url: string;
  routeOptions: { url?: string | undefined };
}
type HookDone = (err?: Error) => void;
interface ReplyLike {
  statusCode?: number;
}
interface FastifyLike {
  addHook(
    name: 'onRequest',
    hook: (req: FastifyRequestLike, reply: unknown, done: HookDone) => void,
  ): unknown;
  addHook(
    name: 'onError',
    hook: (req: FastifyRequestLike, reply: ReplyLike, error: Error, done: HookDone) => void,
  ): unknown;
}

export interface FastifyInstrumentationOptions {
  tracer: Tracer;
  redactor: Redactor;
  /** A Fastify child span for each sampled request (default: the server span only). */
  spans?: boolean;
}

/** The status Fastify will send for `error` (its own rule; onError hooks run before it is set). */
function errorStatus(reply: ReplyLike, error: Error): number {
  const e = error as { statusCode?: unknown; status?: unknown };
  for (const v of [e.statusCode, e.status]) if (typeof v === 'number' && v >= 400 && v <= 599) return v;
  const current = reply.statusCode ?? 200;
  return current >= 400 ? current : 500;
}

/** The route template of a Fastify request (its documented `request.routeOptions.url`). */
function routeOf(request: FastifyRequestLike): string | undefined {
  return request.routeOptions.url;
}

/** Subscribes to new Fastify instances; returns the undo function. */
export function instrumentFastify(options: FastifyInstrumentationOptions): () => void {
  const { tracer, redactor } = options;
  const spans = options.spans === true;
  let enabled = true;

  function startFastifySpan(
    state: ServerRequestState,
    request: FastifyRequestLike,
    route: string | undefined,
  ) {
    const url = request.url;
    const q = url.indexOf('?');
    const attributes: Record<string, string> = {
      'fastify.root': FASTIFY_SCOPE,
      'http.request.method': state.method,
      'url.path': redactor.redactString(q === -1 ? url : url.slice(0, q)),
    };
    if (route !== undefined) attributes['http.route'] = route;
    const span: Span = tracer.startSpan(
      route === undefined ? `fastify ${state.method}` : `fastify ${state.method} ${route}`,
      { kind: SpanKind.INTERNAL, attributes },
      state.context,
    );
    // The active span for the rest of the request keeps the server span's W3C random flag.
    state.setActiveSpan(
      state.span.spanContext().traceFlags & TRACE_FLAG_RANDOM ? withRandomFlag(span) : span,
    );
  }

  // One hook function for every request and instance: no per-request closures.
  function authlensOnRequest(request: FastifyRequestLike, _reply: unknown, done: HookDone) {
    const state = (request.raw as unknown as Record<symbol, ServerRequestState | undefined>)[kRequestState];
    if (enabled && state !== undefined) {
      const route = routeOf(request);
      if (route !== undefined) state.route = route;
      if (spans && state.span.isRecording()) startFastifySpan(state, request, route);
    }
    done();
  }

  // Errors of 4xx responses (validation, 401/403) are normal in auth services: only 5xx mark
  // the span — the Fastify span when there is one, else the server span (the exception
  // message is redacted at export, with the other span fields).
  function authlensOnError(request: FastifyRequestLike, reply: ReplyLike, error: Error, done: HookDone) {
    const state = (request.raw as unknown as Record<symbol, ServerRequestState | undefined>)[kRequestState];
    const span = state === undefined ? undefined : (state.frameworkSpan ?? state.span);
    if (enabled && span?.isRecording() && errorStatus(reply, error) >= 500) {
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      (state as ServerRequestState).errorRecorded = true;
    }
    done();
  }

  const onInitialization = (message: unknown) => {
    if (!enabled) return;
    const fastify = (message as { fastify?: FastifyLike }).fastify;
    if (!fastify || typeof fastify.addHook !== 'function') return;
    fastify.addHook('onRequest', authlensOnRequest);
    fastify.addHook('onError', authlensOnError);
  };
  diagnostics.subscribe('fastify.initialization', onInitialization);
  return () => {
    enabled = false;
    diagnostics.unsubscribe('fastify.initialization', onInitialization);
  };
}
