/**
 * Scheduled jobs (periodic tasks, like Celery's) and their scheduler: KPI snapshots, health checks,
 * retention cleanup, compliance report, security analysis, SLA compliance and the daily digest.
 */

export type { KpiPeriod } from '../metrics/source.ts';
export { type DigestSettings, type JobSettings, MissingSettingError, resolveJobSettings } from './config.ts';
export { type DigestContent, digestContent, renderDigest, sendDigest } from './digest.ts';
export { jobMigrations } from './migrations.ts';
export {
  createJobRuntime,
  defaultChecks,
  type JobRuntime,
  type JobRuntimeOptions,
  storeCheck,
} from './runtime.ts';
export {
  describeSchedule,
  latestSlot,
  parseSchedule,
  parseScheduleOverrides,
  type Schedule,
} from './schedule.ts';
export {
  createScheduler,
  type JobRun,
  type JobsHealthCheckOptions,
  jobsHealthCheck,
  type LogEntry,
  listRuns,
  type RunStatus,
  runJobNow,
  type Scheduler,
  type SchedulerOptions,
} from './scheduler.ts';
export { latestSnapshots, type Snapshot, type SnapshotKind } from './snapshots.ts';
export {
  defaultSecurityThresholds,
  isMetricsUnavailable,
  JOB_NAMES,
  type JobContext,
  type JobDefinition,
  type JobName,
  type JobOptions,
  type JobResult,
  jobDefinitions,
  type SecurityThresholds,
  snapshotPeriod,
} from './tasks.ts';
