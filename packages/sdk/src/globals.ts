/**
 * The last start-up step: registers the SDK's providers, propagator and context manager as the
 * OpenTelemetry globals. It runs only once every pipeline is built, so a failed start leaves no
 * global behind.
 */
import {
  logs as apiLogs,
  context,
  type MeterProvider,
  metrics,
  propagation,
  type TextMapPropagator,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { logs as legacyLogs } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { diagLine } from './diag.ts';
import type { LogsPipeline } from './pipelines/logs.ts';

export interface GlobalProviders {
  tracerProvider: TracerProvider;
  meterProvider: MeterProvider;
  /** Absent when logs are not exported over OTLP. */
  loggerProvider: LogsPipeline['loggerProvider'] | undefined;
  propagator: TextMapPropagator;
}

/** Registers the globals; returns what unregisters them all (also run when a registration throws). */
export function registerGlobals(providers: GlobalProviders): () => void {
  const { tracerProvider, meterProvider, loggerProvider, propagator } = providers;
  const unregister = () => {
    trace.disable();
    metrics.disable();
    apiLogs.disable();
    legacyLogs.disable();
    propagation.disable();
    context.disable();
  };
  try {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
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
  } catch (err) {
    unregister();
    throw err;
  }
  return unregister;
}
