/**
 * @authlens/sdk — public entry point.
 * Telemetry for Node.js authentication services: `start()` wires traces, metrics, logs and
 * Sentry; the recorders and loggers depend on `@opentelemetry/api` only.
 */

export * from './domain/index.ts';
export { getLogger } from './logs/logger.ts';
export type { AuthlensHandle, StartOptions } from './start.ts';
export { start } from './start.ts';
