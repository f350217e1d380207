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
export {
  type AuditDetails,
  type AuditEntry,
  type AuditLogger,
  type AuditLoggerOptions,
  type AuditRecord,
  type AuditVerification,
  auditLogger,
  createAuditLogger,
  hashAuditRecord,
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
  type BruteForceDetector,
  type BruteForceDetectorOptions,
  type BruteForceThresholds,
  type BruteForceWindows,
  createBruteForceDetector,
  DEFAULT_THRESHOLDS,
  DEFAULT_WINDOWS,
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
  DEFAULT_MAX_FREE_VALUES,
  type GuardOptions,
  type GuardWarn,
  personalDataReason,
} from './domain/cardinality.ts';
export {
  ACTIVE_USER_PERIODS,
  ALERT_CHANNELS,
  ALERT_OUTCOMES,
  type AttributeValues,
  AUDIT_CATEGORIES,
  AUDIT_OUTCOMES,
  AUTH_FAILURE_REASONS,
  AUTH_METHODS,
  AUTH_OUTCOMES,
  CONSENT_ACTIONS,
  CONSENT_PURPOSES,
  COUNTRY_CODES,
  catalogueEntry,
  DATA_CATEGORIES,
  DEVICE_TYPES,
  DSR_COMPLETION_BUCKETS_SECONDS,
  DSR_STATUSES,
  DSR_TYPES,
  findByPrometheusName,
  HTTP_METHODS,
  type InstrumentDefinition,
  type InstrumentKind,
  instrumentCatalogue,
  JOB_OUTCOMES,
  LATENCY_BUCKETS_SECONDS,
  LOCKOUT_REASONS,
  MFA_ACTIONS,
  MFA_METHODS,
  OAUTH_PROVIDERS,
  PASSWORD_RESET_STAGES,
  prometheusName,
  prometheusSeriesNames,
  REGISTRATION_METHODS,
  REGISTRATION_SOURCES,
  REGULATIONS,
  RISK_SCORE_BUCKETS,
  SECURITY_EVENT_TYPES,
  SEVERITIES,
  TELEMETRY_SIGNALS,
  TOKEN_ACTIONS,
  TOKEN_TYPES,
  translateToPrometheus,
  USER_TYPES,
} from './domain/catalogue.ts';
export {
  type ComplianceMetrics,
  type ComplianceMetricsOptions,
  type ComplianceSnapshot,
  complianceMetrics,
  createComplianceMetrics,
  type DataSubjectRequest,
  DEFAULT_DEADLINE_DAYS,
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
  redactSql,
} from './domain/performance-logger.ts';
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
export {
  createStructuredLogger,
  getStructuredLogger,
  type LogFields,
  type LoggerOptions,
  type LogValue,
  type StructuredLogger,
} from './domain/structured-logger.ts';
export {
  AuthlensConfigError,
  AuthlensError,
  type AuthlensErrorOptions,
  ERROR_CODES,
  type ErrorCode,
} from './errors.ts';
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
