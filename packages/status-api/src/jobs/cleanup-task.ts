/**
 * `cleanup_monitoring_data`: deletes snapshots, job runs, status history, closed incidents and
 * resolved alerts past their retention, and counts what it purged.
 */
import { metrics } from '@opentelemetry/api';
import { createIncidents } from '../incidents/service.ts';
import { createStatusHistory } from '../status-history/history.ts';
import type { JobResult } from './result.ts';
import type { JobRuntime } from './runtime.ts';
import { DAY } from './task-support.ts';

export async function cleanup(rt: JobRuntime): Promise<JobResult> {
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
