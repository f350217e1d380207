/**
 * The logs pipeline (only with an OTLP log endpoint): a LoggerProvider for records of other
 * loggers (the OTel winston transport of an app's own loggers), redacted at export, and the
 * `getLogger()` fast path: records already redacted and correlated, encoded once when logged
 * and queued as bytes. Both go out in one request per batch. Registers no global: the wiring
 * (`sdk.ts`) does.
 */
import type { SpanContext } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import {
  LoggerProvider,
  type LogRecordProcessor,
  type ReadableLogRecord,
  type ReadWriteLogRecord,
} from '@opentelemetry/sdk-logs';
import type { SdkConfig } from '../config.ts';
import { createBatcher, createOutageTracker, lazyExporter, type Signal } from '../export/batcher.ts';
import {
  EncodedLogRecord,
  encodeEnvelope,
  encodeLogRecord,
  encodeLogsRequest,
} from '../export/log-encoding.ts';
import type { Redactor } from '../redaction.ts';
import type { SdkState } from '../state.ts';

/** The instrumentation scope of `getLogger()` records. */
export const OWN_LOG_SCOPE = '@authlens/sdk/logger';

/** Fields of a `getLogger()` record carried by the OTLP record itself or by the resource. */
const OWN_LOG_SKIP = new Set([
  'message',
  'level',
  'timestamp',
  'service.name',
  'trace_id',
  'span_id',
  'trace_flags',
]);
const LEVEL_NAMES: Record<string, string> = {
  error: 'ERROR',
  warn: 'WARN',
  info: 'INFO',
  http: 'HTTP',
  verbose: 'VERBOSE',
  debug: 'DEBUG',
  silly: 'SILLY',
};

type LogItem = ReadableLogRecord | EncodedLogRecord;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function redactLogRecords(records: LogItem[], redactor: Redactor) {
  for (const record of records) {
    // getLogger() records were redacted by its format before they were encoded.
    if (record instanceof EncodedLogRecord) continue;
    if (record.instrumentationScope.name === OWN_LOG_SCOPE) continue;
    const r = record as unknown as Mutable<ReadableLogRecord>;
    if (typeof r.body === 'string') r.body = redactor.redactString(r.body);
    else if (r.body !== null && typeof r.body === 'object') r.body = redactor.redact(r.body);
    const attrs = r.attributes as Record<string, unknown>;
    for (const key of Object.keys(attrs)) {
      const v = attrs[key];
      if (redactor.isSensitiveKey(key)) attrs[key] = '[REDACTED]';
      else if (typeof v === 'string') attrs[key] = redactor.redactString(v);
      else if (v !== null && typeof v === 'object') attrs[key] = redactor.redact(v);
    }
  }
}

export interface LogsPipeline {
  readonly loggerProvider: LoggerProvider;
  /** Queues one `getLogger()` record (see `SdkState.emitLog`). */
  readonly emitLog: NonNullable<SdkState['emitLog']>;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
  /** Drops what is queued without waiting (the collector cannot be reached). */
  abandon(reason: string): void;
}

export function buildLogsPipeline(
  config: SdkConfig,
  resource: Resource,
  redactor: Redactor,
  countDropped: (signal: Signal, n: number) => void,
): LogsPipeline | undefined {
  const endpoint = config.logsEndpoint;
  if (!endpoint) return undefined;
  const envelope = encodeEnvelope(resource.attributes, OWN_LOG_SCOPE, undefined);
  const batcher = createBatcher<LogItem>({
    exporter: lazyExporter<LogItem>(async () => {
      const [{ otlpHttpExporter, concatRequests }, { ProtobufLogsSerializer }] = await Promise.all([
        import('../export/otlp-http.ts'),
        import('@opentelemetry/otlp-transformer'),
      ]);
      return otlpHttpExporter<LogItem>(
        'logs',
        { url: endpoint, timeoutMillis: config.otlpTimeouts.logs },
        {
          // Encoded getLogger() records and stock records go out in one request (two
          // serialized ExportLogsServiceRequests concatenate into one).
          serializeRequest(items) {
            const own: EncodedLogRecord[] = [];
            const other: ReadableLogRecord[] = [];
            for (const item of items) {
              if (item instanceof EncodedLogRecord) own.push(item);
              else other.push(item);
            }
            return concatRequests(
              own.length > 0 ? encodeLogsRequest(envelope, own) : undefined,
              other.length > 0 ? ProtobufLogsSerializer.serializeRequest(other) : undefined,
            );
          },
          deserializeResponse: (data) => ProtobufLogsSerializer.deserializeResponse(data),
        },
      );
    }),
    ...config.blrp,
    exportTimeoutMs: config.otlpTimeouts.logs,
    outage: createOutageTracker('logs', endpoint, countDropped),
    prepare: (records) => redactLogRecords(records, redactor),
  });
  const processor: LogRecordProcessor = {
    onEmit(record: ReadWriteLogRecord) {
      batcher.add(record as unknown as ReadableLogRecord);
    },
    forceFlush: () => batcher.flush(),
    shutdown: () => batcher.shutdown(),
  };
  const loggerProvider = new LoggerProvider({ resource, processors: [processor] });
  const logsExportSeverity = config.logsExportSeverity;
  const emitLog = (
    info: Record<string, unknown>,
    severityNumber: number,
    level: string,
    spanContext: SpanContext | undefined,
    timeMs: number,
  ) => {
    if (severityNumber < logsExportSeverity) return;
    const message = info.message;
    batcher.add(
      encodeLogRecord(
        timeMs,
        severityNumber,
        LEVEL_NAMES[level] ?? level.toUpperCase(),
        typeof message === 'string' ? message : String(message),
        info,
        OWN_LOG_SKIP,
        spanContext,
      ),
    );
  };
  let stopping: Promise<void> | undefined;
  return {
    loggerProvider,
    emitLog,
    forceFlush: () => loggerProvider.forceFlush(),
    shutdown: () => {
      stopping ??= loggerProvider.shutdown();
      return stopping;
    },
    abandon: (reason) => batcher.abandon(reason),
  };
}
