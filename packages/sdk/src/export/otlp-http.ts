/**
 * OTLP/HTTP protobuf exporters for pre-encoded items, built through the public export-delegate
 * API of `@opentelemetry/otlp-exporter-base` (`createOtlpHttpExportDelegate`: the stock HTTP
 * transport with its headers, compression, retries, timeouts and environment configuration)
 * with the authlens encoders as the serializer. Loaded with the first export (`lazyExporter`).
 */
import type { ExportResult } from '@opentelemetry/core';
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
} from '@opentelemetry/otlp-exporter-base/node-http';
import type { ISerializer } from '@opentelemetry/otlp-transformer';
import type { ItemExporter } from './batcher.ts';

export type OtlpSignal = 'traces' | 'logs';

const SIGNALS = {
  traces: { id: 'TRACES', path: 'v1/traces', component: 'otlp_http_span_exporter', item: 'span' },
  logs: { id: 'LOGS', path: 'v1/logs', component: 'otlp_http_log_exporter', item: 'log' },
} as const;

export interface OtlpHttpOptions {
  url: string;
  timeoutMillis: number;
}

/** An exporter of `T` items whose requests `serializer` writes (an encoder of OTLP protobuf). */
export function otlpHttpExporter<T>(
  signal: OtlpSignal,
  options: OtlpHttpOptions,
  serializer: ISerializer<T[], unknown>,
): ItemExporter<T> & { forceFlush(): Promise<void> } {
  const s = SIGNALS[signal];
  // `convertLegacyHttpOptions` merges the options with the OTEL_EXPORTER_OTLP_* environment
  // (headers, compression, certificates); it is marked for removal in otlp-exporter-base 2.0
  // and is what the stock 0.301 exporters call. Its removal would fail the type check.
  const delegate = createOtlpHttpExportDelegate(
    convertLegacyHttpOptions({ url: options.url, timeoutMillis: options.timeoutMillis }, s.id, s.path, {
      'Content-Type': 'application/x-protobuf',
    }),
    serializer,
    s.component,
    { name: s.item, countItems: (items: T[]) => items.length },
    undefined,
  );
  return {
    export: (items: T[], done: (result: ExportResult) => void) => delegate.export(items, done),
    forceFlush: () => delegate.forceFlush(),
    shutdown: () => delegate.shutdown(),
  };
}

/** Concatenates two serialized requests of one kind (protobuf: the repeated fields merge). */
export function concatRequests(a: Uint8Array | undefined, b: Uint8Array | undefined): Uint8Array | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
