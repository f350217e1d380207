/**
 * Process-wide state shared by every copy of this module (a bundled copy and a `node_modules`
 * copy find the same object): the running handle, the compiled redactor and the log settings.
 * Kept on `globalThis[Symbol.for('authlens.sdk')]`.
 */
import type { SpanContext } from '@opentelemetry/api';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { createRedactor, type Redactor } from './redaction.ts';

export interface AuthlensMetricsAccess {
  /** One in-process collection of every metric (undefined when the SDK is off). */
  collect(): Promise<ResourceMetrics | undefined>;
  /** The Prometheus text exposition of the same metrics ('' when the SDK is off). */
  prometheusText(): Promise<string>;
  /** The same metrics as OpenMetrics 1.0, with exemplars (`# EOF` alone when the SDK is off). */
  openMetricsText(): Promise<string>;
}

export interface AuthlensHandle {
  /** True when telemetry is running; false when disabled or when configuration failed. */
  readonly enabled: boolean;
  /** In-process access to the SDK's metrics (the status API serves `/monitoring/metrics/` from it). */
  readonly metrics: AuthlensMetricsAccess;
  /** The bound Prometheus scrape port (useful with port 0), when the scrape server runs. */
  readonly scrapePort?: number | undefined;
  /** Exports everything queued now (bounded by the export timeout). */
  forceFlush(): Promise<void>;
  /** Flushes and stops every provider; safe to call more than once. */
  shutdown(): Promise<void>;
}

export interface LogSettings {
  serviceName: string;
  level: string;
}

export interface SdkState {
  handle: AuthlensHandle | undefined;
  redactor: Redactor;
  log: LogSettings;
  /**
   * Queues one redacted `getLogger()` record for OTLP export; set while an OTLP log pipeline
   * runs. `info` is the winston record (attributes are read from it at export time).
   */
  emitLog:
    | ((
        info: Record<string, unknown>,
        severityNumber: number,
        severityText: string,
        spanContext: SpanContext | undefined,
        timeMs: number,
      ) => void)
    | undefined;
  /** Reports an error to Sentry with the active trace; set while Sentry runs. */
  captureError: ((error: unknown) => void) | undefined;
  /**
   * Builds a `getLogger()` logger with the winston instrumentation's OTLP transport off (that
   * logger sends its records itself); set while the winston instrumentation is enabled.
   */
  withoutWinstonLogSending: (<T>(build: () => T) => T) | undefined;
}

const KEY = Symbol.for('authlens.sdk');

export function sdkState(): SdkState {
  const g = globalThis as unknown as Record<symbol, SdkState | undefined>;
  let state = g[KEY];
  if (!state) {
    state = {
      handle: undefined,
      redactor: createRedactor(),
      log: {
        serviceName: process.env.OTEL_SERVICE_NAME || 'unknown_service:node',
        level: process.env.LOG_LEVEL || 'info',
      },
      emitLog: undefined,
      captureError: undefined,
      withoutWinstonLogSending: undefined,
    };
    g[KEY] = state;
  }
  return state;
}

/** The handle started by `register` or `start()`, if any (found across module copies). */
export function currentHandle(): AuthlensHandle | undefined {
  return sdkState().handle;
}

/** A handle that does nothing: returned when authlens is disabled or could not start. */
export function noopHandle(): AuthlensHandle {
  return {
    enabled: false,
    metrics: {
      collect: async () => undefined,
      prometheusText: async () => '',
      openMetricsText: async () => '# EOF\n',
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
}
