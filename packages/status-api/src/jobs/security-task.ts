/**
 * `analyze_security_metrics`: compares the security figures with their thresholds and raises or
 * resolves the matching alerts.
 */
import type { CreateAlertInput, Severity } from '../alerts/types.ts';
import type { JobResult } from './result.ts';
import type { JobRuntime } from './runtime.ts';
import { latestSnapshots, saveSnapshot } from './snapshots.ts';
import { condition, sum } from './task-support.ts';

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

export async function securityAnalysis(rt: JobRuntime, t: SecurityThresholds): Promise<JobResult> {
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
