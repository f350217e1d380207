/**
 * Sentry error reporting (only when `SENTRY_DSN` is set; `@sentry/node` is loaded lazily).
 * Errors carry the active OpenTelemetry trace and span IDs, the user by ID only, and pass the
 * shared redactor; no cookies, headers, bodies, IPs or breadcrumbs are sent. Spans do not go
 * to Sentry from here: they reach it over OTLP through the collector. 4xx are not errors:
 * only 5xx responses and uncaught errors are captured.
 */
import diagnostics from 'node:diagnostics_channel';
import { context, trace } from '@opentelemetry/api';
import type { ErrorEvent, Event } from '@sentry/node';
import type { SdkConfig } from './config.ts';
import { getRequestState } from './context.ts';
import type { Redactor } from './redaction.ts';

type SentryModule = typeof import('@sentry/node');

export interface SentryBridge {
  capture(error: unknown): void;
  flush(timeoutMs: number): Promise<void>;
  close(timeoutMs: number): Promise<void>;
}

/** Removes what must never reach Sentry, then redacts every remaining string. */
export function scrubSentryEvent<E extends Event>(event: E, redactor: Redactor): E {
  const out = redactor.redact(event);
  if (out.request) {
    const { method, url } = out.request;
    out.request = { method, url: url ? url.split('?')[0] : undefined };
  }
  const id = event.user?.id;
  if (id !== undefined) out.user = { id: String(id) };
  else delete out.user;
  delete out.breadcrumbs;
  if (out.contexts?.trace) {
    // Keep trace and span IDs exactly (they look like long hex strings, never secrets).
    out.contexts.trace = { ...out.contexts.trace, ...event.contexts?.trace };
  }
  return out;
}

/**
 * Sentry's unhandled-rejection mode that keeps the process's own behaviour: Node's default
 * (`--unhandled-rejections=throw`, or `strict`) ends the process with code 1, which Sentry's
 * `strict` mode does after capturing; `warn` and `none` keep the process running.
 */
export function unhandledRejectionMode(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): 'strict' | 'warn' | 'none' {
  const flags = [...execArgv, ...nodeOptions.split(/\s+/)];
  let value = 'throw';
  for (const f of flags) {
    const m = /^--unhandled-rejections=(.+)$/.exec(f);
    if (m) value = m[1] as string;
  }
  if (value === 'none') return 'none';
  if (value === 'warn' || value === 'warn-with-error-code') return 'warn';
  return 'strict';
}

/** Process events Sentry's integrations listen on. */
const PROCESS_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

interface FastifyHandlerStore {
  error?: unknown;
  reply?: { statusCode?: number };
}

export async function startSentry(
  config: NonNullable<SdkConfig['sentry']>,
  redactor: Redactor,
): Promise<SentryBridge> {
  const Sentry: SentryModule = await import('@sentry/node');
  // Sentry's integrations add process listeners that its `close()` leaves in place: note which
  // are ours so that closing (or a start that fails later) removes them again.
  const emitter = process as NodeJS.EventEmitter;
  const listenersBefore = new Map(PROCESS_EVENTS.map((e) => [e, new Set(emitter.listeners(e))]));
  Sentry.init({
    dsn: config.dsn,
    environment: config.environment,
    release: config.release,
    sampleRate: config.sampleRate,
    debug: config.debug,
    // Set explicitly: no user info beyond the ID we add, no cookies, headers, bodies or query.
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
      graphQL: { document: false, variables: false },
      genAI: { inputs: false, outputs: false },
    },
    enableOpenTelemetrySetup: false,
    maxBreadcrumbs: 0,
    sendClientReports: false,
    defaultIntegrations: false,
    integrations: [
      Sentry.functionToStringIntegration(),
      Sentry.linkedErrorsIntegration(),
      Sentry.dedupeIntegration(),
      Sentry.onUncaughtExceptionIntegration(),
      // The process ends on an unhandled rejection as it would without authlens.
      Sentry.onUnhandledRejectionIntegration({ mode: unhandledRejectionMode() }),
      Sentry.nodeContextIntegration(),
    ],
    beforeSend: (event: ErrorEvent) => scrubSentryEvent(event, redactor),
    beforeSendTransaction: () => null,
  });

  function capture(error: unknown) {
    const span = trace.getSpan(context.active());
    const request = getRequestState();
    Sentry.withScope((scope) => {
      if (span) {
        const sc = span.spanContext();
        scope.setPropagationContext({
          traceId: sc.traceId,
          parentSpanId: sc.spanId,
          sampleRand: Math.random(),
        });
        scope.setContext('trace', { trace_id: sc.traceId, span_id: sc.spanId });
      }
      if (request) {
        if (request.userId !== undefined) scope.setUser({ id: request.userId });
        scope.setTag('correlation_id', request.correlationId);
        scope.setTag('http.request.method', request.method);
        if (request.route) scope.setTag('http.route', request.route);
      }
      Sentry.captureException(error);
    });
  }

  // Fastify publishes handler errors on a tracing channel, in the request's async context and
  // after the status code is set: capture 5xx only (401/403/404 are normal in auth services).
  const onHandlerError = (message: unknown) => {
    const store = message as FastifyHandlerStore;
    const status = store.reply?.statusCode ?? 500;
    if (status >= 500) capture(store.error);
  };
  diagnostics.subscribe('tracing:fastify.request.handler:error', onHandlerError);

  return {
    capture,
    async flush(timeoutMs) {
      await Sentry.flush(timeoutMs).catch(() => false);
    },
    async close(timeoutMs) {
      diagnostics.unsubscribe('tracing:fastify.request.handler:error', onHandlerError);
      await Sentry.close(timeoutMs).catch(() => false);
      for (const [event, before] of listenersBefore) {
        for (const listener of emitter.listeners(event)) {
          if (!before.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
        }
      }
    },
  };
}
