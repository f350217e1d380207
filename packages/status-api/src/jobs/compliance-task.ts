/**
 * `generate_compliance_report`: stores the compliance snapshot and raises or resolves the
 * overdue-request and retention alerts.
 */
import { type ComplianceReport, complianceReport } from '../metrics/reports.ts';
import type { JobResult } from './result.ts';
import type { JobRuntime } from './runtime.ts';
import { dayStart, saveSnapshot } from './snapshots.ts';
import { condition, isoDay } from './task-support.ts';

export async function compliance(rt: JobRuntime): Promise<JobResult> {
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
