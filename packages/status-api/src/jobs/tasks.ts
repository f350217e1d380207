/**
 * The scheduled jobs (periodic tasks, what Celery beat runs in a Django service). Each is a plain
 * async function of a `JobRuntime` that changes stored state and returns a one-line summary plus
 * details.
 */
import { errorCode } from '@authlens/sdk/internal/config';
import { metrics } from '@opentelemetry/api';
import { type AlertManager, fingerprint } from '../alerts/index.ts';
import type { CreateAlertInput, Severity } from '../alerts/types.ts';
import { createIncidents } from '../incidents/service.ts';
import {
  businessReport,
  type ComplianceReport,
  complianceReport,
  performanceReport,
} from '../metrics/reports.ts';
import type { KpiPeriod, Series } from '../metrics/source.ts';
import { createStatusHistory } from '../status-history/history.ts';
import { sendDigest } from './digest.ts';
import type { JobResult } from './result.ts';
import type { JobRuntime } from './runtime.ts';
import { parseSchedule, type Schedule } from './schedule.ts';
import { dayStart, latestSnapshots, monthStart, saveSnapshot } from './snapshots.ts';

export type { JobResult } from './result.ts';

/** How a run was started. */
export interface JobContext {
  /** The schedule slot a scheduled run belongs to (retries keep it); absent for a manual run. */
  slot?: Date;
}

export interface JobDefinition {
  name: string;
  title: string;
  defaultSchedule: Schedule;
  /** Needs a KPI source (the SDK in-process, or `PROMETHEUS_URL`). */
  needsMetrics: boolean;
  run(rt: JobRuntime, context?: JobContext): Promise<JobResult>;
}

const DAY = 86_400_000;
const sum = (series: Series[]) => series.reduce((a, s) => a + s.value, 0);
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** Raises the alert while `active`, else resolves the open one with the same fingerprint. */
async function condition(
  alerts: AlertManager,
  active: boolean,
  input: CreateAlertInput,
): Promise<'raised' | 'repeated' | 'resolved' | 'none'> {
  if (active) return (await alerts.raise({ source: 'jobs', ...input })).created ? 'raised' : 'repeated';
  const open = await alerts.listAlerts({
    fingerprint: fingerprint(input.name, input.labels ?? {}),
    status: ['firing', 'acknowledged', 'suppressed'],
    limit: 10,
  });
  for (const a of open.items) await alerts.resolve(a.id, 'jobs');
  return open.items.length > 0 ? 'resolved' : 'none';
}

// --- business KPIs -----------------------------------------------------------------------------

/**
 * The period a business KPI snapshot covers. A scheduled run (just after a day or month boundary)
 * covers the whole period before its slot; a manual run covers the current period so far.
 */
export function snapshotPeriod(monthly: boolean, now: Date, slot?: Date): KpiPeriod & { complete: boolean } {
  const startOf = monthly ? monthStart : dayStart;
  if (!slot) return { start: startOf(now), end: now, complete: false };
  const end = startOf(slot);
  return { start: startOf(new Date(end.getTime() - 1)), end, complete: true };
}

async function businessSnapshot(
  rt: JobRuntime,
  monthly: boolean,
  context: JobContext = {},
): Promise<JobResult> {
  const now = rt.now();
  const period = snapshotPeriod(monthly, now, context.slot);
  // Prometheus answers exactly this period (its `window` says so); in-process metrics answer
  // what they can.
  const report = await businessReport(rt.kpisOver(period) ?? rt.kpis, monthly ? '30d' : '24h');
  const kind = monthly ? 'business_monthly' : 'business_daily';
  const length = monthly ? 'month' : 'day';
  await saveSnapshot(
    rt.db,
    { kind, periodStart: period.start, period: length, source: report.source, data: report },
    now,
  );
  const label = monthly ? period.start.toISOString().slice(0, 7) : isoDay(period.start);
  return {
    summary: `${monthly ? 'monthly' : 'daily'} KPIs for ${label}${period.complete ? '' : ' so far'}: ${report.registrations.total} registrations, ${report.logins.total} logins (success rate ${report.logins.successRate ?? 'n/a'})`,
    details: {
      kind,
      periodStart: period.start.toISOString(),
      periodEnd: period.end.toISOString(),
      complete: period.complete,
      window: report.window,
      registrations: report.registrations.total,
      logins: report.logins.total,
    },
  };
}

// --- health ------------------------------------------------------------------------------------

async function healthChecks(rt: JobRuntime): Promise<JobResult> {
  const report = await rt.health.run({ fresh: true });
  const now = rt.now();
  await rt.db.query('INSERT INTO health_snapshots (at, status, score, checks) VALUES ($1, $2, $3, $4)', [
    now.getTime(),
    report.status,
    report.score,
    JSON.stringify(
      report.checks.map((c) => ({
        name: c.name,
        status: c.status,
        critical: c.critical,
        durationMs: c.durationMs,
      })),
    ),
  ]);
  // Status page history: one sample per component for this minute (first replica wins).
  await createStatusHistory(rt.db).record(report.checks, now, 'job');
  const changes: Record<string, string> = {};
  for (const c of report.checks) {
    const outcome = await condition(rt.alerts, c.status === 'fail', {
      name: 'health_check_failed',
      severity: c.critical ? 'high' : 'medium',
      message: `Health check '${c.name}' failed${c.error ? `: ${c.error}` : c.message ? `: ${c.message}` : ''}`,
      labels: { check: c.name },
    });
    if (outcome !== 'none') changes[c.name] = outcome;
  }
  const failing = report.checks.filter((c) => c.status === 'fail').map((c) => c.name);
  return {
    summary: `health ${report.status} (score ${report.score}, ${report.checks.length} checks${failing.length ? `, failing: ${failing.join(', ')}` : ''})`,
    details: { status: report.status, score: report.score, failing, alerts: changes },
  };
}

// --- cleanup -----------------------------------------------------------------------------------

async function cleanup(rt: JobRuntime): Promise<JobResult> {
  const now = rt.now().getTime();
  const cutoff = now - rt.settings.metricsRetentionDays * DAY;
  const count = (rows: unknown[]) => rows.length;
  const snapshots = count(
    await rt.db.query('DELETE FROM kpi_snapshots WHERE updated_at < $1 RETURNING id', [cutoff]),
  );
  rt.progress(
    `cleanup: ${snapshots} KPI snapshots older than ${rt.settings.metricsRetentionDays} days removed`,
  );
  const health = count(
    await rt.db.query('DELETE FROM health_snapshots WHERE at < $1 RETURNING id', [cutoff]),
  );
  const runs = count(
    await rt.db.query(
      `DELETE FROM job_runs WHERE status IN ('succeeded', 'failed', 'skipped') AND finished_at < $1 RETURNING id`,
      [cutoff],
    ),
  );
  rt.progress(`cleanup: ${health} health snapshots and ${runs} job runs removed`);
  // Status page: daily uptime rows, raw samples and closed incidents past the same retention.
  const status = await createStatusHistory(rt.db).prune(rt.settings.metricsRetentionDays, rt.now());
  const incidents = await createIncidents(rt.db).prune(rt.settings.metricsRetentionDays, rt.now());
  const alerts = await rt.alerts.purgeResolved(rt.settings.alertRetentionDays);
  rt.progress(
    `cleanup: ${alerts.alerts} resolved alerts older than ${rt.settings.alertRetentionDays} days removed`,
  );
  // Recorded even when zero: the compliance report counts a category as met once a purge ran.
  const purged = metrics.getMeter('@authlens/status-api').createCounter('compliance.retention.purged', {
    unit: '{record}',
    description: 'Records deleted by retention policies, by data category.',
  });
  purged.add(snapshots + health + runs + status.days + status.samples + incidents, {
    'compliance.data.category': 'metrics',
  });
  purged.add(alerts.alerts, { 'compliance.data.category': 'alert_history' });
  return {
    summary: `removed ${snapshots} KPI snapshots, ${health} health snapshots, ${runs} job runs (> ${rt.settings.metricsRetentionDays} d) and ${alerts.alerts} resolved alerts, ${alerts.silences} silences (> ${rt.settings.alertRetentionDays} d)`,
    details: {
      snapshots,
      health,
      runs,
      statusDays: status.days,
      statusSamples: status.samples,
      incidents,
      alerts: alerts.alerts,
      silences: alerts.silences,
    },
  };
}

// --- compliance --------------------------------------------------------------------------------

async function compliance(rt: JobRuntime): Promise<JobResult> {
  const now = rt.now();
  const report: ComplianceReport = await complianceReport(rt.kpis, '30d', rt.settings.retention);
  await saveSnapshot(
    rt.db,
    { kind: 'compliance', periodStart: dayStart(now), period: '30d', source: report.source, data: report },
    now,
  );
  for (const r of report.regulations) {
    await condition(rt.alerts, r.overdue > 0, {
      name: 'dsr_overdue',
      severity: 'high',
      message: `${r.overdue} ${r.regulation.toUpperCase()} data subject requests are past the ${r.deadlineDays}-day deadline`,
      labels: { regulation: r.regulation },
    });
  }
  // A record older than its policy is a breach: alert. A row without an age (no purge, no report)
  // only makes the report not compliant, as before.
  for (const r of report.retention) {
    await condition(rt.alerts, r.basis === 'oldest_record_age' && !r.met, {
      name: 'retention_policy_exceeded',
      severity: 'medium',
      message: `${r.category}: the oldest record kept is ${r.oldestRecordAgeDays} days old, past the ${r.maxAgeDays}-day retention policy`,
      labels: { category: r.category },
    });
  }
  const overdue = report.regulations.reduce((a, r) => a + r.overdue, 0);
  const notMet = report.retention.filter((r) => !r.met);
  const retentionReason = notMet
    .map((r) =>
      r.basis === 'oldest_record_age'
        ? `${r.category} oldest record ${r.oldestRecordAgeDays} d > ${r.maxAgeDays} d`
        : `${r.category} no purge or oldest record age reported`,
    )
    .join(', ');
  return {
    summary: `compliance report for ${isoDay(now)}: ${report.compliant ? 'compliant' : 'not compliant'} (${overdue} overdue requests${notMet.length > 0 ? `; retention not met: ${retentionReason}` : ''})`,
    details: { compliant: report.compliant, overdue, retentionNotMet: notMet.map((r) => r.category) },
  };
}

// --- security ----------------------------------------------------------------------------------

export interface SecurityThresholds {
  /** Login failure ratio that raises an alert (default 0.5) … */
  failureRate: number;
  /** … once at least this many attempts were seen in the window (default 20). */
  minAttempts: number;
  /** Account lockouts in the window that raise an alert (default 10). */
  lockouts: number;
  /** p95 risk score that raises an alert (default 0.8). */
  riskP95: number;
}

export const defaultSecurityThresholds: SecurityThresholds = {
  failureRate: 0.5,
  minAttempts: 20,
  lockouts: 10,
  riskP95: 0.8,
};

interface SecurityFigures extends Record<string, unknown> {
  attempts: number;
  failures: number;
  lockouts: number;
  events: Record<string, number>;
  riskP95: number | null;
}

async function securityAnalysis(rt: JobRuntime, t: SecurityThresholds): Promise<JobResult> {
  const now = rt.now();
  const [logins, events, lockouts, risk] = await Promise.all([
    rt.kpis.counter('auth.login.attempts', ['auth_outcome'], '1h'),
    rt.kpis.counter('security.events', ['security_event_type'], '1h'),
    rt.kpis.counter('security.account_lockouts', [], '1h'),
    rt.kpis.histogramQuantile('security.risk_score', 0.95, [], '1h'),
  ]);
  const current: SecurityFigures = {
    attempts: sum(logins),
    failures: sum(logins.filter((s) => s.labels.auth_outcome === 'failure')),
    lockouts: sum(lockouts),
    events: {},
    riskP95: risk[0]?.value ?? null,
  };
  for (const s of events) {
    const type = s.labels.security_event_type || 'other';
    current.events[type] = (current.events[type] ?? 0) + s.value;
  }
  // In-process counters are cumulative since start: the window is the change since the last run
  // (a smaller value means the process restarted). Prometheus already answers per window.
  const [previous] = await latestSnapshots<SecurityFigures>(rt.db, 'security', 1);
  const base = rt.kpis.kind === 'sdk' && previous?.source === 'sdk' ? previous.data : undefined;
  const delta = (cur: number, prev: number | undefined) =>
    prev !== undefined && cur >= prev ? cur - prev : cur;
  const window = {
    attempts: delta(current.attempts, base?.attempts),
    failures: delta(current.failures, base?.failures),
    lockouts: delta(current.lockouts, base?.lockouts),
    events: Object.fromEntries(
      Object.entries(current.events).map(([k, v]) => [k, delta(v, base?.events?.[k])]),
    ) as Record<string, number>,
  };
  await saveSnapshot(
    rt.db,
    {
      kind: 'security',
      // One row per run, even for two runs in the same millisecond (or a clock that stepped back).
      periodStart: new Date(Math.max(now.getTime(), (previous?.periodStart.getTime() ?? 0) + 1)),
      period: '1h',
      source: rt.kpis.kind,
      data: current,
    },
    now,
  );

  const findings: string[] = [];
  const check = async (active: boolean, input: CreateAlertInput) => {
    const outcome = await condition(rt.alerts, active, input);
    if (active) findings.push(`${input.name}${input.labels?.pattern ? `(${input.labels.pattern})` : ''}`);
    return outcome;
  };
  const patterns: Array<[string, Severity]> = [
    ['credential_stuffing', 'critical'],
    ['brute_force', 'high'],
    ['impossible_travel', 'medium'],
    ['token_reuse', 'high'],
  ];
  for (const [pattern, severity] of patterns) {
    const n = window.events[pattern] ?? 0;
    await check(n > 0, {
      name: 'security_attack_pattern',
      severity,
      message: `${n} ${pattern.replace('_', ' ')} events detected since the last analysis`,
      labels: { pattern },
    });
  }
  const rate = window.attempts > 0 ? window.failures / window.attempts : 0;
  await check(window.attempts >= t.minAttempts && rate >= t.failureRate, {
    name: 'security_login_failure_rate',
    severity: 'high',
    message: `${Math.round(rate * 100)}% of ${window.attempts} login attempts failed (threshold ${Math.round(t.failureRate * 100)}%)`,
  });
  await check(window.lockouts >= t.lockouts, {
    name: 'security_lockout_spike',
    severity: 'medium',
    message: `${window.lockouts} account lockouts since the last analysis (threshold ${t.lockouts})`,
  });
  await check(current.riskP95 !== null && current.riskP95 >= t.riskP95, {
    name: 'security_high_risk_scores',
    severity: 'medium',
    message: `p95 login risk score is ${current.riskP95} (threshold ${t.riskP95})`,
  });
  return {
    summary: findings.length
      ? `security patterns found: ${findings.join(', ')}`
      : `no security patterns in ${window.attempts} login attempts`,
    details: { window, findings },
  };
}

// --- SLA ---------------------------------------------------------------------------------------

async function slaCompliance(rt: JobRuntime): Promise<JobResult> {
  const now = rt.now();
  const report = await performanceReport(rt.kpis, '24h', rt.settings.sloTarget);
  await saveSnapshot(
    rt.db,
    { kind: 'sla', periodStart: dayStart(now), period: '24h', source: report.source, data: report },
    now,
  );
  const violated = report.requests > 0 && !report.slo.met;
  await condition(rt.alerts, violated, {
    name: 'slo_violation',
    severity: 'high',
    message: `availability ${report.availability} is below the SLO target ${report.slo.target} (error budget remaining ${report.slo.errorBudgetRemaining})`,
  });
  return {
    summary: `SLA ${isoDay(now)}: availability ${report.availability ?? 'n/a'} over ${report.requests} requests, SLO ${report.slo.target} ${report.requests === 0 ? 'no traffic' : report.slo.met ? 'met' : 'violated'}`,
    details: {
      availability: report.availability,
      met: report.slo.met,
      errorBudgetRemaining: report.slo.errorBudgetRemaining,
    },
  };
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
