/**
 * `getLogger(name)`: a winston logger writing one JSON object per line to stdout with
 * `timestamp`, `level`, `message`, `service.name`, `logger`, `trace_id`, `span_id`,
 * `trace_flags`, `correlation_id` and the request context (route, method, user ID, client IP)
 * of the request in flight. Lines are buffered for the rest of the event-loop turn and written
 * together (`line-writer.ts`), and flushed on exit, crash and SIGTERM/SIGINT. Every record is redacted before it is written, and forwarded over
 * OTLP (from the same format step, no second transport) when the SDK runs with an OTLP log
 * endpoint.
 */

import { context, isSpanContextValid, type SpanContext, trace } from '@opentelemetry/api';
import winston from 'winston';
import TransportStream from 'winston-transport';
import { getRequestState } from '../context.ts';
import { sdkState } from '../state.ts';
import { writeLogLine } from './line-writer.ts';

const LEVEL = Symbol.for('level');
const SPLAT = Symbol.for('splat');
const MESSAGE = Symbol.for('message');

/** Writes each formatted record as one line through the buffered stdout writer. */
class BufferedStdoutTransport extends TransportStream {
  override log(info: Record<string | symbol, unknown>, callback: () => void): void {
    writeLogLine(`${String(info[MESSAGE])}\n`);
    callback();
  }
}

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

/** Fields this format writes itself (the winston instrumentation's trace fields are rewritten). */
const RESERVED = new Set([
  'level',
  'message',
  'timestamp',
  'service.name',
  'logger',
  'trace_id',
  'span_id',
  'trace_flags',
]);

/** Per-logger format options: the logger itself (for its current level). */
interface ContextFormatOptions {
  logger?: winston.Logger;
}

/**
 * Drops records below the logger's level before any work, adds trace and request context,
 * redacts the record (keys and string values) and hands it to the OTLP log pipeline. The
 * stdout JSON line and the OTLP record share this work: nothing is redacted, timed or looked
 * up twice, and the OTLP attributes are built later, off the request path, at export.
 */
const contextFormat = winston.format((info, opts?: unknown) => {
  const rec = info as Record<string | symbol, unknown>;
  const level = String(rec[LEVEL] ?? info.level);
  const logger = (opts as ContextFormatOptions | undefined)?.logger;
  if (logger !== undefined) {
    const levels = logger.levels;
    const max = levels[logger.level];
    const mine = levels[level];
    if (max !== undefined && mine !== undefined && mine > max) return false;
  }
  const state = sdkState();
  const redactor = state.redactor;
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
  if (rec[SPLAT] !== undefined) rec[SPLAT] = undefined;

  const ctx = context.active();
  const now = Date.now();
  rec.timestamp = new Date(now).toISOString();
  rec['service.name'] = state.log.serviceName;
  let spanContext: SpanContext | undefined;
  const span = trace.getSpan(ctx);
  if (span) {
    const sc = span.spanContext();
    if (isSpanContextValid(sc)) {
      spanContext = sc;
      rec.trace_id = sc.traceId;
      rec.span_id = sc.spanId;
      rec.trace_flags = sc.traceFlags === 1 ? '01' : `0${sc.traceFlags.toString(16)}`;
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
  const emit = state.emitLog;
  if (emit !== undefined) emit(rec, SEVERITY[level] ?? 9, level, spanContext, now);
  return info;
});

/** A JSON-lines winston logger for `name` (see module comment). */
export function getLogger(name: string): winston.Logger {
  const options: ContextFormatOptions = {};
  const build = () =>
    winston.createLogger({
      level: sdkState().log.level,
      defaultMeta: { logger: name },
      format: winston.format.combine(contextFormat(options), winston.format.json()),
      transports: [new BufferedStdoutTransport()],
    });
  // This logger sends its records over OTLP itself (redacted, from its format): built with the
  // winston instrumentation's log sending off (its public `disableLogSending` option), so its
  // OTLP transport is not added and nothing is sent twice.
  const scope = sdkState().withoutWinstonLogSending;
  const logger = scope ? scope(build) : build();
  options.logger = logger;
  return logger;
}
