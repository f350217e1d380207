/**
 * The wiring behind `start()`: builds the three signal pipelines (`pipelines/metrics.ts`,
 * `traces.ts`, `logs.ts`), the instrumentations and Sentry, then — only once every step has
 * succeeded — registers the global providers, propagator and context manager and the signal
 * handlers. A step that fails undoes every step before it (no global, open port or patch is
 * left) and the error reaches `start()`, which returns a no-op handle. Loaded lazily, so
 * `MONITORING_ENABLED=false` never pays for it.
 */
import { logs as apiLogs, context, diag, metrics, propagation, trace } from '@opentelemetry/api';
import { logs as legacyLogs } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { SdkConfig } from './config.ts';
import { diagLine } from './diag.ts';
import { unreachable } from './export/reachability.ts';
import { FASTIFY_SCOPE, instrumentFastify } from './fastify.ts';
import { instrumentHttpServers } from './http-server.ts';
import { enableInstrumentations } from './instrumentations.ts';
import { isLineFlushListener } from './logs/line-writer.ts';
import { buildLogsPipeline, type LogsPipeline } from './pipelines/logs.ts';
import { buildMetricsPipeline, type MetricsPipeline } from './pipelines/metrics.ts';
import { buildTracesPipeline, type TracesPipeline } from './pipelines/traces.ts';
import type { Redactor } from './redaction.ts';
import { buildPropagator, buildResource } from './resource.ts';
import type { SentryBridge } from './sentry.ts';
import { type AuthlensHandle, sdkState } from './state.ts';

export { redactLogRecords } from './pipelines/logs.ts';
export { HTTP_DURATION_BUCKETS, withUnitSuffixes } from './pipelines/metrics.ts';
export { redactSpans } from './pipelines/traces.ts';

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

/** How long, at most, shutdown asks whether a collector can take a connection. */
const REACHABILITY_PROBE_MS = 500;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(undefined), ms);
    t.unref();
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      () => {
        clearTimeout(t);
        resolve(undefined);
      },
    );
  });
}

/**
 * Drops (and counts, with one warning per signal) the telemetry of every pipeline whose
 * collector refuses connections or cannot be reached: nothing sent to it could arrive.
 */
async function abandonUnreachable(
  config: SdkConfig,
  pipelines: { traces: TracesPipeline; metrics: MetricsPipeline; logs: LogsPipeline | undefined },
  budgetMs: number,
): Promise<void> {
  const endpoints: Array<[string | undefined, (reason: string) => void]> = [
    [config.tracesEndpoint, (r) => pipelines.traces.abandon(r)],
    [config.metricsEndpoint, (r) => pipelines.metrics.abandon(r)],
    [config.logsEndpoint, (r) => pipelines.logs?.abandon(r)],
  ];
  const probes = new Map<string, Promise<string | undefined>>();
  const timeout = Math.min(REACHABILITY_PROBE_MS, budgetMs / 2);
  await Promise.all(
    endpoints.map(async ([endpoint, abandon]) => {
      if (!endpoint) return;
      let origin: string;
      try {
        origin = new URL(endpoint).origin;
      } catch {
        return;
      }
      let probe = probes.get(origin);
      if (!probe) {
        probe = unreachable(endpoint, timeout);
        probes.set(origin, probe);
      }
      const reason = await probe;
      if (reason !== undefined) abandon(`collector unreachable at shutdown (${reason})`);
    }),
  );
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

    // ---- every pipeline is built: register the globals ------------------------------------
    const propagator = buildPropagator(config);
    const contextManager = new AsyncLocalStorageContextManager();
    undo.push(() => {
      trace.disable();
      metrics.disable();
      apiLogs.disable();
      legacyLogs.disable();
      propagation.disable();
      context.disable();
    });
    context.setGlobalContextManager(contextManager.enable());
    propagation.setGlobalPropagator(propagator);
    metrics.setGlobalMeterProvider(meterProvider);
    if (!trace.setGlobalTracerProvider(tracerProvider)) {
      diagLine('warn', 'another OpenTelemetry tracer provider is already registered; authlens traces use it');
    }
    if (loggerProvider) {
      apiLogs.setGlobalLoggerProvider(loggerProvider);
      legacyLogs.setGlobalLoggerProvider(
        loggerProvider as unknown as Parameters<typeof legacyLogs.setGlobalLoggerProvider>[0],
      );
    }
    step('globals');

    state.redactor = redactor;
    state.log.serviceName = config.serviceName;
    state.log.level = config.logLevel;
    state.emitLog = logsPipeline?.emitLog;
    if (sentry) state.captureError = (err) => sentry?.capture(err);

    // ---- shutdown ---------------------------------------------------------------------------
    let stopping: Promise<void> | undefined;
    const shutdown = (): Promise<void> => {
      stopping ??= (async () => {
        const budget = config.shutdownTimeoutMs;
        const started = Date.now();
        await abandonUnreachable(config, { traces, metrics: metricsPipeline, logs: logsPipeline }, budget);
        const left = Math.max(0, budget - (Date.now() - started));
        await withTimeout(
          Promise.allSettled([
            traces.shutdown(),
            metricsPipeline.shutdown(),
            logsPipeline?.shutdown(),
            sentry?.close(left),
          ]),
          left,
        );
        removeSignalHandlers();
        state.emitLog = undefined;
        state.captureError = undefined;
        if (state.handle === handle) state.handle = undefined;
        // The flush above had its budget: what is still pending (a stalled collector) is not awaited.
        await undoAll(false);
      })();
      return stopping;
    };

    // On SIGTERM/SIGINT: flush within the budget. When the app has its own handlers they run
    // too and decide when to exit; when ours is the only one, re-raise the signal afterwards so
    // the process ends the way it would have without authlens.
    const onSignal = (signal: NodeJS.Signals) => {
      // The log writer's flush-only listener is not an application handler.
      const others = process
        .listeners(signal)
        .filter((l) => l !== onSignal && !isLineFlushListener(l)).length;
      if (stopping) return;
      if (others > 0) {
        // The app's handler will likely call process.exit() once it has closed its server:
        // let that exit wait for our flush (bounded by the shutdown budget) instead of cutting it.
        const realExit = process.exit;
        process.exit = ((code?: number | string | null) => {
          void shutdown().finally(() => realExit.call(process, code ?? undefined));
        }) as typeof process.exit;
      }
      void shutdown().then(() => {
        if (others === 0) {
          process.removeListener(signal, onSignal);
          process.kill(process.pid, signal);
        }
      });
    };
    const removeSignalHandlers = () => {
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('SIGINT', onSignal);
    };
    if (config.handleSignals) {
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    }

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
      shutdown,
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
