/**
 * Stopping the SDK: `shutdown()` drops the telemetry no collector can take, flushes the pipelines
 * and Sentry within `shutdownTimeoutMs`, then runs what undoes the start; SIGTERM/SIGINT call it.
 */
import type { SdkConfig } from './config.ts';
import { unreachable } from './export/reachability.ts';
import { isLineFlushListener } from './logs/line-writer.ts';
import type { LogsPipeline } from './pipelines/logs.ts';
import type { MetricsPipeline } from './pipelines/metrics.ts';
import type { TracesPipeline } from './pipelines/traces.ts';
import type { SentryBridge } from './sentry.ts';

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

export interface ShutdownParts {
  traces: TracesPipeline;
  metrics: MetricsPipeline;
  logs: LogsPipeline | undefined;
  sentry: SentryBridge | undefined;
}

export interface Shutdown {
  /** Flushes within the budget, then runs `afterFlush`; every call returns the same promise. */
  shutdown(): Promise<void>;
  /** Whether `shutdown()` has been called. */
  stopping(): boolean;
}

export function createShutdown(
  config: SdkConfig,
  parts: ShutdownParts,
  afterFlush: () => Promise<void>,
): Shutdown {
  let stopping: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    stopping ??= (async () => {
      const budget = config.shutdownTimeoutMs;
      const started = Date.now();
      await abandonUnreachable(config, parts, budget);
      const left = Math.max(0, budget - (Date.now() - started));
      await withTimeout(
        Promise.allSettled([
          parts.traces.shutdown(),
          parts.metrics.shutdown(),
          parts.logs?.shutdown(),
          parts.sentry?.close(left),
        ]),
        left,
      );
      await afterFlush();
    })();
    return stopping;
  };
  return { shutdown, stopping: () => stopping !== undefined };
}

/**
 * On SIGTERM/SIGINT: flush within the budget. When the app has its own handlers they run too and
 * decide when to exit; when ours is the only one, re-raise the signal afterwards so the process
 * ends the way it would have without authlens. Returns what removes the handlers.
 */
export function handleSignals({ shutdown, stopping }: Shutdown): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    // The log writer's flush-only listener is not an application handler.
    const others = process.listeners(signal).filter((l) => l !== onSignal && !isLineFlushListener(l)).length;
    if (stopping()) return;
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
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  };
}
