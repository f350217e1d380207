/**
 * `run_system_health_checks`: runs every health check, stores the snapshot and the status-page
 * sample, and raises or resolves a `health_check_failed` alert per check.
 */
import { createStatusHistory } from '../status-history/history.ts';
import type { JobResult } from './result.ts';
import type { JobRuntime } from './runtime.ts';
import { condition } from './task-support.ts';

export async function healthChecks(rt: JobRuntime): Promise<JobResult> {
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
