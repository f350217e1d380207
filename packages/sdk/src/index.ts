/**
 * @authlens/sdk — public entry point.
 * Telemetry for Node.js authentication services: `start()` wires traces, metrics, logs and
 * Sentry; the recorders and loggers depend on `@opentelemetry/api` only.
 */

export { captureError } from './capture.ts';
export {
  CORRELATION_ID_HEADER,
  getCorrelationId,
  getRequestState,
  type RequestState,
  setUser,
  validCorrelationId,
} from './context.ts';
export * from './domain/index.ts';
export { AuthlensConfigError } from './errors.ts';
export { getLogger } from './logs/logger.ts';
export { acceptsOpenMetrics, OPENMETRICS_CONTENT_TYPE } from './openmetrics.ts';
export {
  createRedactor,
  REDACTED,
  type RedactionOptions,
  type Redactor,
  redact,
  redactString,
} from './redaction.ts';
export type { AuthlensHandle, AuthlensMetricsAccess, StartOptions } from './start.ts';
export { currentHandle, start } from './start.ts';
