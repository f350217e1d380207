/**
 * `update_sla_compliance_metrics`: the availability and latency figures against the SLO target.
 */
import { performanceReport } from '../metrics/reports.ts';
import type { JobResult } from './result.ts';
import type { JobRuntime } from './runtime.ts';
import { dayStart, saveSnapshot } from './snapshots.ts';
import { condition, isoDay } from './task-support.ts';

export async function slaCompliance(rt: JobRuntime): Promise<JobResult> {
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
