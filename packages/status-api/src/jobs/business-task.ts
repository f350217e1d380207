/**
 * The daily and monthly business KPI snapshots (`update_daily_business_metrics`,
 * `update_monthly_business_metrics`).
 */
import { businessReport } from '../metrics/reports.ts';
import type { KpiPeriod } from '../metrics/source.ts';
import type { JobContext, JobResult } from './result.ts';
import type { JobRuntime } from './runtime.ts';
import { dayStart, monthStart, saveSnapshot } from './snapshots.ts';
import { isoDay } from './task-support.ts';

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

export async function businessSnapshot(
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
