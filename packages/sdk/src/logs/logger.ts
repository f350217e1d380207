/**
 * `getLogger(name)`: a winston logger writing one JSON object per line to stdout with
 * `timestamp`, `level`, `message`, `service.name`, `logger`, `trace_id`, `span_id`,
 * `trace_flags`, `correlation_id` and the request context (route, method, user ID, client IP)
 * of the request in flight. Every record is redacted before it is written, and forwarded over
 * OTLP when the SDK runs with an OTLP log endpoint.
 */

import { Writable } from 'node:stream';
import { type Context, context, isSpanContextValid, trace } from '@opentelemetry/api';
import winston from 'winston';
import { getRequestState } from '../context.ts';
import { sdkState } from '../state.ts';

const LEVEL = Symbol.for('level');
const SPLAT = Symbol.for('splat');
const OTEL_CONTEXT = Symbol.for('opentelemetry.js.contrib.winston.context');

/** winston's npm level → OTel severity number. */
const SEVERITY: Record<string, number> = {
  error: 17,
  warn: 13,
  info: 9,
  http: 8,
  verbose: 6,
  debug: 5,
  silly: 1,
};

const OTLP_SKIP = new Set([
  'message',
  'level',
  'timestamp',
  'service.name',
  'trace_id',
  'span_id',
  'trace_flags',
]);

const RESERVED = new Set(['level', 'message', 'timestamp', 'service.name', 'logger']);

/** Adds trace and request context and redacts the record (keys and string values). */
const contextFormat = winston.format((info) => {
  const state = sdkState();
  const redactor = state.redactor;
  const rec = info as Record<string | symbol, unknown>;
  for (const key of Object.keys(rec)) {
    if (RESERVED.has(key)) continue;
    const value = rec[key];
    if (redactor.isSensitiveKey(key)) rec[key] = '[REDACTED]';
    else if (typeof value === 'string') rec[key] = redactor.redactString(value);
    else if (value !== null && typeof value === 'object') rec[key] = redactor.redact(value);
  }
  const message = rec.message;
  if (typeof message === 'string') rec.message = redactor.redactString(message);
  else if (message instanceof Error) rec.message = redactor.redactString(message.message);
  else if (message !== undefined && typeof message === 'object')
    rec.message = JSON.stringify(redactor.redact(message));
  if (info instanceof Error && typeof rec.stack === 'string') rec.stack = redactor.redactString(rec.stack);
  delete rec[SPLAT];

  const ctx = context.active();
  rec[OTEL_CONTEXT] = ctx;
  rec.timestamp = new Date().toISOString();
  rec['service.name'] = state.log.serviceName;
  const span = trace.getSpan(ctx);
  if (span) {
    const sc = span.spanContext();
    if (isSpanContextValid(sc)) {
      rec.trace_id = sc.traceId;
      rec.span_id = sc.spanId;
      rec.trace_flags = `0${sc.traceFlags.toString(16)}`;
    }
  }
  const req = getRequestState();
  if (req) {
    rec.correlation_id = req.correlationId;
    rec['http.request.method'] = req.method;
    if (req.route) rec['http.route'] = req.route;
    if (req.userId !== undefined) rec['enduser.id'] = req.userId;
    const ip = req.clientAddress;
    if (ip) rec['client.address'] = ip;
  }
  return info;
});

/**
 * Forwards records to the SDK's OTLP log pipeline. A no-op (one property read) when the SDK
 * has no OTLP log endpoint.
 */
function forwardToOtlp(info: Record<string | symbol, unknown>): void {
  const emit = sdkState().emitLog;
  if (!emit) return;
  const attributes: Record<string, unknown> = {};
  for (const key of Object.keys(info)) {
    // Carried by the record itself (trace context, time, severity) or by the resource.
    if (OTLP_SKIP.has(key)) continue;
    attributes[key] = info[key];
  }
  const level = String(info[LEVEL] ?? info.level);
  emit({
    severityNumber: SEVERITY[level] ?? 9,
    severityText: level.toUpperCase(),
    body: typeof info.message === 'string' ? info.message : String(info.message),
    attributes,
    context: info[OTEL_CONTEXT] as Context | undefined,
  });
}

function otlpTransport(): winston.transport {
  const stream = new Writable({
    objectMode: true,
    write(info: Record<string | symbol, unknown>, _encoding, callback) {
      forwardToOtlp(info);
      callback();
    },
  });
  return new winston.transports.Stream({ stream });
}

/** A JSON-lines winston logger for `name` (see module comment). */
export function getLogger(name: string): winston.Logger {
  const logger = winston.createLogger({
    level: sdkState().log.level,
    defaultMeta: { logger: name },
    format: winston.format.combine(contextFormat(), winston.format.json()),
    transports: [new winston.transports.Console(), otlpTransport()],
  });
  // instrumentation-winston wraps Logger#write to add the trace fields this logger's format
  // already adds: use the unwrapped write for this logger (shimmer keeps it as __original).
  const write = logger.write as { __original?: typeof logger.write };
  if (typeof write.__original === 'function') logger.write = write.__original;
  // With authlens running, instrumentation-winston's OTLP transport would send every record a
  // second time (unredacted): ours already sends it, so drop theirs.
  if (sdkState().handle?.enabled) {
    for (const t of [...logger.transports]) {
      if (t.constructor.name === 'OpenTelemetryTransportV3') logger.remove(t);
    }
  }
  return logger;
}
