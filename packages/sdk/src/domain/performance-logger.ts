/**
 * `performanceLogger`: logs slow requests and slow queries over configurable thresholds, with the
 * SQL's literals removed and the active trace ID, so a slow line leads to its trace.
 *
 * The application calls it where it times the work (a pool wrapper, a Fastify `onResponse` hook:
 * docs/custom-telemetry.md). The SDK does not feed it from `pg` span ends: those spans are
 * recorded only for sampled traces, so such a hook would miss most slow queries.
 */
import { trace } from '@opentelemetry/api';
import { invalidOption } from '../errors.ts';
import { type LogFields, type LoggerOptions, lazyLogger } from './structured-logger.ts';

export interface PerformanceLoggerOptions extends LoggerOptions {
  /** Requests slower than this are logged (default 1000 ms). */
  slowRequestMs?: number;
  /** Queries slower than this are logged (default 100 ms). */
  slowQueryMs?: number;
  /** Longest SQL text kept in a line (default 2000 characters). */
  maxSqlLength?: number;
}

export interface RequestTiming {
  method: string;
  /** The route template (`/users/:id`), not the raw URL. */
  route: string;
  statusCode: number;
  durationMs: number;
}

export interface QueryTiming {
  sql: string;
  durationMs: number;
  /** e.g. `postgresql`. */
  system?: string;
  rows?: number;
}

export interface PerformanceLogger {
  readonly slowRequestMs: number;
  readonly slowQueryMs: number;
  /** Logs the request when it is slow; returns whether it did. */
  logRequest(timing: RequestTiming): boolean;
  /** Logs the query (SQL redacted) when it is slow; returns whether it did. */
  logQuery(timing: QueryTiming): boolean;
}

/**
 * Removes every literal from SQL: quoted strings, dollar-quoted bodies, numbers, hex/bit strings
 * and comments become `?`, `IN (?, ?, …)` lists collapse to `IN (?)`, whitespace is collapsed.
 * Identifiers in double quotes or backticks are kept.
 */
export function redactSql(sql: string, maxLength = 2000): string {
  let out = sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\$([A-Za-z_]\w*)?\$[\s\S]*?\$\1\$/g, '?')
    .replace(/(?:\b[EXBexb])?'(?:[^']|'')*'/g, '?')
    .replace(/\b0x[0-9a-f]+\b/gi, '?')
    .replace(/(?<![\w$."`])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi, '?')
    .replace(/\b(IN)\s*\(\s*\?(?:\s*,\s*\?)*\s*\)/gi, '$1 (?)')
    .replace(/\s+/g, ' ')
    .trim();
  if (out.length > maxLength) out = `${out.slice(0, maxLength)}…`;
  return out;
}

function threshold(field: string, value: number): number {
  if (!(typeof value === 'number' && value >= 0))
    throw invalidOption(field, `${field} must be a number of milliseconds ≥ 0`);
  return value;
}

function traceFields(): LogFields {
  const context = trace.getActiveSpan()?.spanContext();
  if (!context || !trace.isSpanContextValid(context)) return {};
  return { trace_id: context.traceId, span_id: context.spanId };
}

export function createPerformanceLogger(options: PerformanceLoggerOptions = {}): PerformanceLogger {
  const slowRequestMs = threshold('slowRequestMs', options.slowRequestMs ?? 1000);
  const slowQueryMs = threshold('slowQueryMs', options.slowQueryMs ?? 100);
  const maxSqlLength = options.maxSqlLength ?? 2000;
  const logger = lazyLogger(options, 'authlens.performance');
  return {
    slowRequestMs,
    slowQueryMs,
    logRequest({ method, route, statusCode, durationMs }) {
      if (!(durationMs >= slowRequestMs)) return false;
      logger().warn('Slow request', {
        'event.name': 'slow_request',
        'http.request.method': method,
        'http.route': route,
        'http.response.status_code': statusCode,
        duration_ms: Math.round(durationMs * 1000) / 1000,
        threshold_ms: slowRequestMs,
        ...traceFields(),
      });
      return true;
    },
    logQuery({ sql, durationMs, system, rows }) {
      if (!(durationMs >= slowQueryMs)) return false;
      logger().warn('Slow query', {
        'event.name': 'slow_query',
        'db.system': system,
        'db.query.text': redactSql(sql, maxSqlLength),
        'db.response.returned_rows': rows,
        duration_ms: Math.round(durationMs * 1000) / 1000,
        threshold_ms: slowQueryMs,
        ...traceFields(),
      });
      return true;
    },
  };
}

/** Default performance logger: slow requests ≥ 1000 ms, slow queries ≥ 100 ms. */
export const performanceLogger: PerformanceLogger = createPerformanceLogger();
