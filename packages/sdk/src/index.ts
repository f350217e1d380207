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
} from './context.ts';
export {
  AuthAttributeValues,
  BusinessAttributeValues,
  ComplianceAttributeValues,
  HistogramBuckets,
  PlatformAttributeValues,
  SecurityAttributeValues,
} from './domain/attribute-values.ts';
export {
  type AuditDetails,
  type AuditEntry,
  type AuditLogger,
  type AuditLoggerOptions,
  type AuditRecord,
  type AuditVerification,
  auditLogger,
  createAuditLogger,
  verifyAuditChain,
} from './domain/audit-logger.ts';
export {
  type AuthFailureReason,
  type AuthMethod,
  type AuthMetrics,
  authMetrics,
  createAuthMetrics,
  type Known,
  type LoginAttempt,
  type MfaMethod,
  type OAuthProvider,
} from './domain/auth-metrics.ts';
export {
  BruteForceDefaults,
  type BruteForceDetector,
  type BruteForceDetectorOptions,
  type BruteForceThresholds,
  type BruteForceWindows,
  createBruteForceDetector,
  type Detection,
  type FailedAttempt,
} from './domain/brute-force.ts';
export {
  type ActiveUserCounts,
  type BusinessMetrics,
  type BusinessMetricsOptions,
  businessMetrics,
  createBusinessMetrics,
  type UserRegistration,
} from './domain/business-metrics.ts';
export {
  type GuardOptions,
  type GuardWarn,
  personalDataReason,
} from './domain/cardinality.ts';
export {
  type AttributeValues,
  type InstrumentDefinition,
  instrumentCatalogue,
  prometheusName,
} from './domain/catalogue.ts';
export {
  type ComplianceMetrics,
  type ComplianceMetricsOptions,
  type ComplianceSnapshot,
  complianceMetrics,
  createComplianceMetrics,
  type DataSubjectRequest,
  type DsrStatus,
  type DsrType,
  type OpenDataSubjectRequest,
  type Regulation,
} from './domain/compliance-metrics.ts';
export { METER_NAME, type MeterOptions } from './domain/meter.ts';
export {
  createPerformanceLogger,
  type PerformanceLogger,
  type PerformanceLoggerOptions,
  performanceLogger,
  type QueryTiming,
  type RequestTiming,
} from './domain/performance-logger.ts';
export type { InstrumentKind } from './domain/prometheus-name.ts';
export type { RecorderOptions } from './domain/recorder-support.ts';
export type { RedisLike, RedisOption } from './domain/redis.ts';
export {
  type AuthenticationAttemptLog,
  createSecurityLogger,
  type MfaLog,
  type SecurityEventLog,
  type SecurityLogger,
  securityLogger,
} from './domain/security-logger.ts';
export {
  createSecurityMetrics,
  type LockoutReason,
  type SecurityEventType,
  type SecurityMetrics,
  type Severity,
  securityMetrics,
} from './domain/security-metrics.ts';
export type {
  LogFields,
  LoggerOptions,
  LogValue,
  StructuredLogger,
} from './domain/structured-logger.ts';
export {
  AuthlensConfigError,
  AuthlensError,
  type AuthlensErrorOptions,
  ERROR_CODES,
  type ErrorCode,
} from './errors.ts';
export { getLogger } from './logs/logger.ts';
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
