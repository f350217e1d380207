/**
 * The wiring behind `start()`: builds the three signal pipelines (`pipelines/metrics.ts`,
 * `traces.ts`, `logs.ts`), the instrumentations and Sentry, then — only once every step has
 * succeeded — registers the global providers, propagator and context manager (`globals.ts`) and
 * the signal handlers that call `shutdown()` (`shutdown.ts`). A step that fails undoes every step before it (no global, open port or patch is
 * left) and the error reaches `start()`, which returns a no-op handle. Loaded lazily, so
 * `MONITORING_ENABLED=false` never pays for it.
 */
import { diag } from '@opentelemetry/api';
import type { SdkConfig } from './config.ts';
import { FASTIFY_SCOPE, instrumentFastify } from './fastify.ts';
import { registerGlobals } from './globals.ts';
import { instrumentHttpServers } from './http-server.ts';
import { enableInstrumentations } from './instrumentations.ts';
import { buildLogsPipeline } from './pipelines/logs.ts';
import { buildMetricsPipeline } from './pipelines/metrics.ts';
import { buildTracesPipeline } from './pipelines/traces.ts';
import type { Redactor } from './redaction.ts';
import { buildPropagator, buildResource } from './resource.ts';
import type { SentryBridge } from './sentry.ts';
import { createShutdown, handleSignals } from './shutdown.ts';
import { type AuthlensHandle, sdkState } from './state.ts';

/** The start-up steps, in order (a test makes each one fail in turn). */
export type StartStep =
  | 'resource'
  | 'metrics'
  | 'traces'
  | 'logs'
  | 'instrumentations'
  | 'sentry'
  | 'globals';

export interface StartHooks {
  /** Called after each step; a throw fails the start at that step (tests). */
  afterStep?(step: StartStep): void;
}

export async function startSdk(
  config: SdkConfig,
  redactor: Redactor,
  hooks: StartHooks = {},
): Promise<AuthlensHandle> {
  const state = sdkState();
  const step = (name: StartStep) => hooks.afterStep?.(name);
  /** Undo actions of the steps done so far, run in reverse order when a later step fails. */
  const undo: Array<() => unknown> = [];
  const undoAll = async (wait: boolean) => {
    for (const u of undo.reverse()) {
      const done = Promise.resolve(u()).catch(() => {});
      if (wait) await done;
    }
  };
  try {
    const resource = await buildResource(config, redactor);
    step('resource');

    const metricsPipeline = await buildMetricsPipeline(config, resource);
    undo.push(() => metricsPipeline.shutdown());
    step('metrics');

    const traces = buildTracesPipeline(config, resource, redactor, metricsPipeline.countDropped);
    undo.push(() => traces.shutdown());
    step('traces');

    const logsPipeline = buildLogsPipeline(config, resource, redactor, metricsPipeline.countDropped);
    if (logsPipeline) undo.push(() => logsPipeline.shutdown());
    step('logs');

    const { tracerProvider } = traces;
    const { meterProvider } = metricsPipeline;
    const loggerProvider = logsPipeline?.loggerProvider;
    const undoServer = config.instrumentations.has('http')
      ? instrumentHttpServers({
          sampler: traces.sampler,
          onSpanEnd: (span) => traces.onServerSpanEnd(span),
          recordDuration: metricsPipeline.recordDuration,
          redactor,
          excludedPaths: config.excludedPaths,
        })
      : () => {};
    undo.push(undoServer);
    // Fastify names the route on the request state the HTTP server instrumentation creates.
    const undoFastify =
      config.instrumentations.has('fastify') && config.instrumentations.has('http')
        ? instrumentFastify({
            tracer: tracerProvider.getTracer(FASTIFY_SCOPE),
            redactor,
            spans: config.fastifySpans,
          })
        : () => {};
    undo.push(undoFastify);
    const undoInstrumentations = await enableInstrumentations(config.instrumentations, {
      tracerProvider,
      meterProvider,
      ...(loggerProvider
        ? {
            loggerProvider: loggerProvider as unknown as NonNullable<
              Parameters<typeof enableInstrumentations>[1]
            >['loggerProvider'],
          }
        : {}),
    });
    undo.push(undoInstrumentations);
    step('instrumentations');

    let sentry: SentryBridge | undefined;
    if (config.sentry) {
      const { startSentry } = await import('./sentry.ts');
      sentry = await startSentry(config.sentry, redactor);
      const s = sentry;
      undo.push(() => s.close(0));
    }
    step('sentry');

    // Every pipeline is built: only now do the globals change.
    undo.push(
      registerGlobals({ tracerProvider, meterProvider, loggerProvider, propagator: buildPropagator(config) }),
    );
    step('globals');

    state.redactor = redactor;
    state.log.serviceName = config.serviceName;
    state.log.level = config.logLevel;
    state.emitLog = logsPipeline?.emitLog;
    if (sentry) state.captureError = (err) => sentry?.capture(err);

    let removeSignalHandlers = () => {};
    const stop = createShutdown(
      config,
      { traces, metrics: metricsPipeline, logs: logsPipeline, sentry },
      async () => {
        removeSignalHandlers();
        state.emitLog = undefined;
        state.captureError = undefined;
        if (state.handle === handle) state.handle = undefined;
        // The flush had its budget: what is still pending (a stalled collector) is not awaited.
        await undoAll(false);
      },
    );
    if (config.handleSignals) removeSignalHandlers = handleSignals(stop);

    const handle: AuthlensHandle = {
      enabled: true,
      metrics: {
        collect: () => metricsPipeline.collect().catch(() => undefined),
        prometheusText: () => metricsPipeline.prometheusText().catch(() => ''),
        openMetricsText: () => metricsPipeline.openMetricsText().catch(() => '# EOF\n'),
      },
      get scrapePort() {
        return metricsPipeline.scrapePort();
      },
      shutdown: stop.shutdown,
      forceFlush: async () => {
        await Promise.allSettled([
          traces.forceFlush(),
          logsPipeline?.forceFlush(),
          metricsPipeline.forceFlush(),
        ]);
      },
    };
    diag.debug('authlens started');
    return handle;
  } catch (err) {
    await undoAll(true);
    throw err;
  }
}
