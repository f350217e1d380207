/**
 * The scheduled jobs (periodic tasks, what Celery beat runs in a Django service): their names,
 * titles, default schedules and whether they need a KPI source. Each job is a plain async function
 * of a `JobRuntime` (one file per job: `business-task.ts`, `health-task.ts`, `cleanup-task.ts`,
 * `compliance-task.ts`, `security-task.ts`, `sla-task.ts`, and `digest.ts`) that changes stored
 * state and returns a one-line summary plus details.
 */
import { errorCode } from '@authlens/sdk/internal';
import { businessSnapshot } from './business-task.ts';
import { cleanup } from './cleanup-task.ts';
import { compliance } from './compliance-task.ts';
import { sendDigest } from './digest.ts';
import { healthChecks } from './health-task.ts';
import type { JobContext, JobResult } from './result.ts';
import type { JobRuntime } from './runtime.ts';
import { parseSchedule, type Schedule } from './schedule.ts';
import { defaultSecurityThresholds, type SecurityThresholds, securityAnalysis } from './security-task.ts';
import { slaCompliance } from './sla-task.ts';

export interface JobDefinition {
  name: string;
  title: string;
  defaultSchedule: Schedule;
  /** Needs a KPI source (the SDK in-process, or `PROMETHEUS_URL`). */
  needsMetrics: boolean;
  run(rt: JobRuntime, context?: JobContext): Promise<JobResult>;
}

export interface JobOptions {
  security?: Partial<SecurityThresholds>;
}

export const JOB_NAMES = [
  'update_daily_business_metrics',
  'update_monthly_business_metrics',
  'run_system_health_checks',
  'cleanup_monitoring_data',
  'generate_compliance_report',
  'analyze_security_metrics',
  'update_sla_compliance_metrics',
  'send_monitoring_digest',
] as const;
export type JobName = (typeof JOB_NAMES)[number];

const s = (spec: string) => parseSchedule(spec, 'default schedule');

export function jobDefinitions(options: JobOptions = {}): Record<JobName, JobDefinition> {
  const thresholds = { ...defaultSecurityThresholds, ...options.security };
  const def = (
    name: JobName,
    title: string,
    schedule: string,
    needsMetrics: boolean,
    run: (rt: JobRuntime, context?: JobContext) => Promise<JobResult>,
  ): [JobName, JobDefinition] => [name, { name, title, defaultSchedule: s(schedule), needsMetrics, run }];
  return Object.fromEntries([
    def('update_daily_business_metrics', 'daily business metrics', 'daily@00:10', true, (rt, context) =>
      businessSnapshot(rt, false, context),
    ),
    def('update_monthly_business_metrics', 'monthly business metrics', 'monthly@00:20', true, (rt, context) =>
      businessSnapshot(rt, true, context),
    ),
    def('run_system_health_checks', 'system health checks', '5m', false, healthChecks),
    def('cleanup_monitoring_data', 'monitoring data cleanup', 'daily@03:00', false, cleanup),
    def('generate_compliance_report', 'compliance report', 'daily@04:00', true, compliance),
    def('analyze_security_metrics', 'security analysis', '15m', true, (rt) =>
      securityAnalysis(rt, thresholds),
    ),
    def('update_sla_compliance_metrics', 'SLA compliance', '1h', true, slaCompliance),
    def('send_monitoring_digest', 'monitoring digest', 'daily@08:00', false, sendDigest),
  ]) as Record<JobName, JobDefinition>;
}

/** True when the error says no KPI source is configured (not a failure of one). */
export const isMetricsUnavailable = (err: unknown) => errorCode(err) === 'metrics_unavailable';
