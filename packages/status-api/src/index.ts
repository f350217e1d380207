/**
 * @authlens/status-api — the monitoring HTTP surface as a Fastify plugin
 * (`app.register(monitoring, { prefix: '/monitoring' })`), a standalone server
 * (`buildServer()`), and the health-check API the scheduled jobs share.
 */
import { monitoring } from './plugin-export.ts';

export default monitoring;

export type {
  AlertDetails,
  AlertJson,
  AlertManager,
  AlertManagerOptions,
  AlertmanagerWebhookPayload,
  AlertRoutesOptions,
  CreateSilenceInput,
  RoutingConfig,
  SecurityDetection,
} from './alerts/index.ts';
export {
  AlertError,
  alertRoutes,
  createAlertManager,
  securityDetectionAlerts,
  verifyWebhookSignature,
} from './alerts/index.ts';
export type { ApiKey, ApiKeyRole, Authorize } from './auth.ts';
export { createAuthorize, parseApiKeys } from './auth.ts';
export type { MonitoringContext } from './context.ts';
export type { ProblemCode } from './errors.ts';
export {
  clientErrorHandler,
  frameworkErrors,
  MetricsSourceError,
  MonitoringConfigError,
  problemTypes,
} from './errors.ts';
export type {
  BullmqCheckOptions,
  BullmqQueueLike,
  CollectorCheckOptions,
  HttpCheckOptions,
  PostgresCheckOptions,
  ProcessCheckOptions,
  RedisCheckOptions,
  SmtpCheckOptions,
} from './health/checks.ts';
export {
  bullmqCheck,
  checksFromEnv,
  collectorCheck,
  defineHealthCheck,
  httpCheck,
  postgresCheck,
  processCheck,
  redisCheck,
  smtpCheck,
} from './health/checks.ts';
export type { HealthRegistry, HealthRegistryOptions, RunOptions } from './health/registry.ts';
export { createHealthRegistry, healthScore, overallStatus } from './health/registry.ts';
export type { ComponentState, PublicStatus } from './health/status-page.ts';
export { componentState, publicStatus } from './health/status-page.ts';
export type {
  HealthCheck,
  HealthCheckOutcome,
  HealthCheckResult,
  HealthObservation,
  HealthReport,
  HealthStatus,
} from './health/types.ts';
export {
  createIncidents,
  IncidentError,
  type Incidents,
  type PublicAlertEvent,
  type PublicMaintenanceWindow,
} from './incidents/service.ts';
export {
  IMPACTS,
  type Impact,
  INCIDENT_KINDS,
  INCIDENT_STATUSES,
  type Incident,
  type IncidentKind,
  type IncidentOrigin,
  type IncidentStatus,
  type IncidentUpdate,
  isClosed,
  MAINTENANCE_STATUSES,
  type PublicIncidentTemplate,
  UPDATE_STATUSES,
} from './incidents/types.ts';
export {
  createJobRuntime,
  createScheduler,
  type DigestContent,
  type DigestSettings,
  defaultChecks,
  defaultSecurityThresholds,
  describeSchedule,
  digestContent,
  isMetricsUnavailable,
  JOB_NAMES,
  type JobContext,
  type JobDefinition,
  type JobName,
  type JobOptions,
  type JobResult,
  type JobRun,
  type JobRuntime,
  type JobRuntimeOptions,
  type JobSettings,
  type JobsHealthCheckOptions,
  jobDefinitions,
  jobMigrations,
  jobsHealthCheck,
  type KpiPeriod,
  type LogEntry,
  latestSlot,
  latestSnapshots,
  listRuns,
  MissingSettingError,
  parseSchedule,
  parseScheduleOverrides,
  type RunStatus,
  renderDigest,
  resolveJobSettings,
  runJobNow,
  type Schedule,
  type Scheduler,
  type SchedulerOptions,
  type SecurityThresholds,
  type Snapshot,
  type SnapshotKind,
  sendDigest,
  snapshotPeriod,
  storeCheck,
} from './jobs/index.ts';
export type { MetricsHistory, MetricsHistoryOptions } from './metrics/history.ts';
export type { RetentionPolicy } from './metrics/reports.ts';
export {
  businessReport,
  complianceCsv,
  complianceReport,
  performanceReport,
  securityReport,
} from './metrics/reports.ts';
export type { KpiBackend, MetricsSource, Period, ResourceMetricsLike, Series } from './metrics/source.ts';
export { createMetricsHistory, createPrometheusBackend, createSdkBackend } from './metrics/source.ts';
export type { MonitoringOptions, ResolvedOptions } from './options.ts';
export { normalizeOptions } from './options.ts';
export { type Problem, sendProblem } from './problem.ts';
export type { ServerOptions, StandaloneServer } from './server.ts';
export { buildServer } from './server.ts';
export { seedDemoHistory } from './status-history/demo.ts';
export { createStatusHistory, type StatusHistory } from './status-history/history.ts';
export type { StatusPageOptions } from './status-page/service.ts';
export { type Database, migrate, openDatabase, storeOver } from './store/index.ts';
export { monitoring };
