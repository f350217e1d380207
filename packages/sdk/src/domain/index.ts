/** Auth-domain telemetry: recorders, loggers and the instrument catalogue. */

export * from './audit-logger.ts';
export * from './auth-metrics.ts';
export * from './brute-force.ts';
export * from './business-metrics.ts';
export * from './cardinality.ts';
export * from './catalogue.ts';
export * from './compliance-metrics.ts';
export * from './hyperloglog.ts';
export { METER_NAME, type MeterOptions } from './meter.ts';
export * from './performance-logger.ts';
export type { RecorderOptions } from './recorder-support.ts';
export type { RedisLike, RedisOption } from './redis.ts';
export * from './security-logger.ts';
export * from './security-metrics.ts';
export * from './structured-logger.ts';
