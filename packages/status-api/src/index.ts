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
  createAlertManager,
  securityDetectionAlerts,
  verifyWebhookSignature,
} from './alerts/index.ts';
export type { ApiKey, ApiKeyRole, Authorize } from './auth.ts';
export { parseApiKeys } from './auth.ts';
export type { MonitoringContext } from './context.ts';
export type { ProblemCode } from './errors.ts';
export {
  clientErrorHandler,
  frameworkErrors,
  MetricsSourceError,
  MonitoringConfigError,
  problemTypes,
} from './errors.ts';
export { type BullmqCheckOptions, type BullmqQueueLike, bullmqCheck } from './health/bullmq-check.ts';
export { defineHealthCheck } from './health/checks.ts';
export {
  type CollectorCheckOptions,
  collectorCheck,
  type HttpCheckOptions,
  httpCheck,
} from './health/http-check.ts';
export { type PostgresCheckOptions, postgresCheck } from './health/postgres-check.ts';
export { type ProcessCheckOptions, processCheck } from './health/process-check.ts';
export { type RedisCheckOptions, redisCheck } from './health/redis-check.ts';
export type { HealthRegistry, HealthRegistryOptions, RunOptions } from './health/registry.ts';
export { createHealthRegistry } from './health/registry.ts';
export { type SmtpCheckOptions, smtpCheck } from './health/smtp-check.ts';
export type { ComponentState, PublicStatus } from './health/status-page.ts';
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
export type {
  Impact,
  Incident,
  IncidentKind,
  IncidentOrigin,
  IncidentStatus,
  IncidentUpdate,
  PublicIncidentTemplate,
} from './incidents/types.ts';
export {
  type DigestSettings,
  type JobSettings,
  MissingSettingError,
} from './jobs/config.ts';
export type { DigestContent } from './jobs/digest.ts';
export type { JobContext, JobResult } from './jobs/result.ts';
export {
  createJobRuntime,
  type JobRuntime,
  type JobRuntimeOptions,
} from './jobs/runtime.ts';
export type { Schedule } from './jobs/schedule.ts';
export {
  createScheduler,
  type JobRun,
  type JobsHealthCheckOptions,
  jobsHealthCheck,
  type LogEntry,
  type RunStatus,
  runJobNow,
  type Scheduler,
  type SchedulerOptions,
} from './jobs/scheduler.ts';
export type { SecurityThresholds } from './jobs/security-task.ts';
export type { Snapshot, SnapshotKind } from './jobs/snapshots.ts';
export {
  type JobDefinition,
  type JobName,
  type JobOptions,
  jobDefinitions,
} from './jobs/tasks.ts';
export type { KpiBackend, KpiPeriod, MetricsSource, Period, Series } from './metrics/backend.ts';
export type { MetricsHistory, MetricsHistoryOptions } from './metrics/history.ts';
export type { RetentionPolicy } from './metrics/reports.ts';
export type { ResourceMetricsLike } from './metrics/resource-metrics.ts';
export type { MonitoringOptions, ResolvedOptions } from './options.ts';
export { normalizeOptions } from './options.ts';
export { type Problem, sendProblem } from './problem.ts';
export type { ServerOptions, StandaloneServer } from './server.ts';
export { buildServer } from './server.ts';
export { seedDemoHistory } from './status-history/demo.ts';
export { createStatusHistory, type StatusHistory } from './status-history/history.ts';
export type { StatusPageOptions } from './status-page/service.ts';
export { storeOver } from './store/alert-store.ts';
export { type Database, openDatabase } from './store/database.ts';
export { migrate } from './store/migrations.ts';
export { monitoring };
