/**
 * Every scheduled job against the real stores (SQLite and PostgreSQL), fed by a real OTel
 * metrics pipeline, checking the rows and alerts each one must change; the digest is received
 * by a local SMTP server and its content checked.
 */
import { metrics } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres } from '../../../test/support/services.ts';
import { fingerprint } from '../src/alerts/index.ts';
import type { HealthStatus } from '../src/health/types.ts';
import {
  createJobRuntime,
  type JobDefinition,
  type JobRuntime,
  jobDefinitions,
  jobsHealthCheck,
  runJobNow,
} from '../src/index.ts';
import { parseSchedule } from '../src/jobs/schedule.ts';
import { listRuns } from '../src/jobs/scheduler.ts';
import { latestSnapshots, saveSnapshot } from '../src/jobs/snapshots.ts';
import {
  createTestMetrics,
  type Mail,
  runScheduledSlot,
  startSmtp,
  type TempDb,
  tempDb,
} from './support/jobs-support.ts';

const DAY = 86_400_000;
/**
 * The runtime's clock, fixed for the whole file: every "today" below is the jobs' today, even
 * when the run crosses midnight UTC.
 */
const clock = Date.now();
const today = new Date(Math.floor(clock / DAY) * DAY);
const jobs = jobDefinitions({ security: { minAttempts: 5 } });
const globalMetrics = createTestMetrics();
metrics.setGlobalMeterProvider(globalMetrics.provider);

async function purgedCounter(category: string): Promise<number | undefined> {
  const { resourceMetrics } = await globalMetrics.source.collect().then(
    (r) =>
      r as {
        resourceMetrics: {
          scopeMetrics: Array<{
            metrics: Array<{
              descriptor: { name: string };
              dataPoints: Array<{ attributes: Record<string, unknown>; value: unknown }>;
            }>;
          }>;
        };
      },
  );
  for (const sm of resourceMetrics.scopeMetrics)
    for (const m of sm.metrics)
      if (m.descriptor.name === 'compliance.retention.purged')
        for (const p of m.dataPoints)
          if (p.attributes['compliance.data.category'] === category) return p.value as number;
  return undefined;
}

describe.each(['sqlite', 'postgres'] as const)('jobs on %s', (dialect) => {
  let temp: TempDb;
  let rt: JobRuntime;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const kpi = createTestMetrics();
  const m = kpi.meter;
  let depStatus: HealthStatus = 'fail';
  let overdueGdpr = 2;
  let oldestMetricsDays = 120;

  beforeAll(async () => {
    if (dialect === 'postgres') await requirePostgres();
    temp = await tempDb(dialect);
    smtp = await startSmtp();
    m.createObservableGauge('compliance.dsr.overdue').addCallback((r) => {
      r.observe(overdueGdpr, { 'compliance.regulation': 'gdpr' });
      r.observe(0, { 'compliance.regulation': 'ccpa' });
    });
    m.createObservableGauge('compliance.retention.oldest_record_age').addCallback((r) => {
      r.observe(oldestMetricsDays * 86_400, { 'compliance.data.category': 'metrics' });
    });
    rt = await runtimeOn(temp);
  }, 30_000);

  /** A job runtime on `store`, on the file's clock, mailing the local SMTP server. */
  const runtimeOn = (store: TempDb) =>
    createJobRuntime({
      storeUrl: store.url,
      metricsSource: kpi.source,
      now: () => new Date(clock),
      env: {
        METRICS_RETENTION_DAYS: '90',
        ALERT_HISTORY_RETENTION_DAYS: '30',
        MONITORING_DIGEST_RECIPIENTS: 'ops@example.com, cto@example.com',
        MONITORING_DIGEST_FROM: 'digest@authlens.test',
        SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        OTEL_SERVICE_NAME: 'auth-test',
      },
      checks: [
        {
          name: 'dependency',
          critical: true,
          check: async () => ({ status: depStatus, message: depStatus === 'fail' ? 'down' : 'ok' }),
        },
      ],
    });

  afterAll(async () => {
    await rt?.close();
    await smtp?.close();
    await temp?.drop();
    await kpi.provider.shutdown();
  });

  it('update_daily_business_metrics: a manual run updates today so far, a scheduled run stores yesterday', async () => {
    const registrations = m.createCounter('business.registrations');
    const logins = m.createCounter('auth.login.attempts');
    registrations.add(3, { 'business.source': 'organic', 'business.method': 'password' });
    logins.add(4, { 'auth.method': 'password', 'auth.outcome': 'success' });
    logins.add(1, { 'auth.method': 'password', 'auth.outcome': 'failure' });
    const first = await runJobNow(rt, jobs.update_daily_business_metrics);
    expect(first.summary).toContain(
      `daily KPIs for ${today.toISOString().slice(0, 10)} so far: 3 registrations, 5 logins`,
    );
    let [snap] = await latestSnapshots<{ registrations: { total: number }; logins: { successRate: number } }>(
      rt.db,
      'business_daily',
    );
    expect(snap?.data.registrations.total).toBe(3);
    expect(snap?.data.logins.successRate).toBe(0.8);
    expect(snap?.periodStart).toEqual(today);
    expect(snap?.period).toBe('day');

    registrations.add(2, { 'business.source': 'ads', 'business.method': 'oauth' });
    await runJobNow(rt, jobs.update_daily_business_metrics);
    [snap] = await latestSnapshots(rt.db, 'business_daily');
    expect(snap?.data.registrations.total).toBe(5);
    expect(await rt.db.query("SELECT id FROM kpi_snapshots WHERE kind = 'business_daily'")).toHaveLength(1);

    // The scheduler's run right after midnight (slot today 00:00) is yesterday's, stored under
    // yesterday's start; today's row is left as it was.
    await runScheduledSlot(rt, jobs.update_daily_business_metrics, 'daily@00:00');
    const rows = await latestSnapshots<{ registrations: { total: number } }>(rt.db, 'business_daily', 5);
    expect(rows.map((r) => r.periodStart)).toEqual([today, new Date(today.getTime() - DAY)]);
    expect(rows[1]?.data.registrations.total).toBe(5);
    const runs = await listRuns(rt.db, 'update_daily_business_metrics');
    expect(runs.map((r) => [r.status, r.trigger])).toEqual([
      ['succeeded', 'schedule'],
      ['succeeded', 'manual'],
      ['succeeded', 'manual'],
    ]);
    expect(runs[0]?.slot).toEqual(today);
    expect(runs[0]?.result?.summary).toContain(
      `daily KPIs for ${new Date(today.getTime() - DAY).toISOString().slice(0, 10)}: 5 registrations`,
    );
    expect(runs[0]?.result?.details).toMatchObject({
      periodStart: new Date(today.getTime() - DAY).toISOString(),
      periodEnd: today.toISOString(),
      complete: true,
    });
  });

  it('update_monthly_business_metrics: this month so far by hand, last month when scheduled', async () => {
    const now = new Date(clock);
    const thisMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
    await runJobNow(rt, jobs.update_monthly_business_metrics);
    let [snap] = await latestSnapshots<{ registrations: { total: number } }>(rt.db, 'business_monthly');
    expect(snap?.periodStart).toEqual(thisMonth);
    expect(snap?.data.registrations.total).toBe(5);
    await runScheduledSlot(rt, jobs.update_monthly_business_metrics, 'monthly@00:00');
    [snap] = await latestSnapshots(rt.db, 'business_monthly', 1, thisMonth);
    expect(snap?.periodStart).toEqual(lastMonth);
    expect(snap?.period).toBe('month');
  });

  it('run_system_health_checks stores the result and raises, then resolves, an alert', async () => {
    depStatus = 'fail';
    const r = await runJobNow(rt, jobs.run_system_health_checks);
    expect(r.summary).toContain('failing: dependency');
    const [row] = await rt.db.query<{ status: string; checks: string }>(
      'SELECT status, checks FROM health_snapshots ORDER BY id DESC LIMIT 1',
    );
    expect(row?.status).toBe('fail');
    expect(JSON.parse(String(row?.checks))).toContainEqual(
      expect.objectContaining({ name: 'dependency', status: 'fail' }),
    );
    const fp = fingerprint('health_check_failed', { check: 'dependency' });
    const open = await rt.alerts.listAlerts({ fingerprint: fp, status: ['firing'] });
    expect(open.items[0]).toMatchObject({ severity: 'high', source: 'jobs' });

    depStatus = 'pass';
    await runJobNow(rt, jobs.run_system_health_checks);
    expect((await rt.alerts.listAlerts({ fingerprint: fp, status: ['firing'] })).total).toBe(0);
    expect((await rt.alerts.listAlerts({ fingerprint: fp, status: ['resolved'] })).total).toBe(1);
  });

  it('cleanup_monitoring_data deletes only what is past retention', async () => {
    const now = clock;
    const old = now - 100 * DAY;
    await rt.db.query(
      `INSERT INTO kpi_snapshots (kind, period_start, period, source, data, created_at, updated_at) VALUES ('business_daily', $1, '24h', 'sdk', '{}', $1, $1)`,
      [old],
    );
    await rt.db.query(
      `INSERT INTO health_snapshots (at, status, score, checks) VALUES ($1, 'pass', 100, '[]')`,
      [old],
    );
    await rt.db.query(
      `INSERT INTO job_runs (run_key, job, slot, trigger, status, attempts, owner, lease_until, started_at, finished_at, created_at)
       VALUES ('old@1', 'cleanup_monitoring_data', $1, 'schedule', 'succeeded', 1, 'x', $1, $1, $1, $1)`,
      [old],
    );
    const oldAlert = await rt.alerts.createAlert({ name: 'old_alert', severity: 'low', message: 'old' });
    await rt.alerts.resolve(oldAlert.id, 'test');
    await rt.db.query('UPDATE alerts SET resolved_at = $1 WHERE id = $2', [now - 40 * DAY, oldAlert.id]);
    const recent = await rt.alerts.createAlert({ name: 'recent_alert', severity: 'low', message: 'recent' });
    await rt.alerts.resolve(recent.id, 'test');
    const before = (await rt.db.query('SELECT id FROM kpi_snapshots')).length;

    const r = await runJobNow(rt, jobs.cleanup_monitoring_data);
    expect(r.details).toMatchObject({ snapshots: 1, health: 1, runs: 1, alerts: 1 });
    expect((await rt.db.query('SELECT id FROM kpi_snapshots')).length).toBe(before - 1);
    expect(await rt.db.query('SELECT id FROM health_snapshots WHERE at = $1', [old])).toHaveLength(0);
    expect(await rt.db.query(`SELECT id FROM job_runs WHERE run_key = 'old@1'`)).toHaveLength(0);
    expect(await rt.alerts.getAlert(oldAlert.id)).toBeNull();
    expect(await rt.alerts.getAlert(recent.id)).not.toBeNull();
    expect(await purgedCounter('metrics')).toBeGreaterThanOrEqual(3);
    expect(await purgedCounter('alert_history')).toBeGreaterThanOrEqual(1);
  });

  it('generate_compliance_report stores the report and raises dsr_overdue while requests are overdue', async () => {
    overdueGdpr = 2;
    const r = await runJobNow(rt, jobs.generate_compliance_report);
    // METRICS_RETENTION_DAYS is 90: a 120-day-old record breaks the policy; alert_history has no data.
    expect(r.summary).toContain(
      'not compliant (2 overdue requests; retention not met: metrics oldest record 120 d > 90 d, alert_history no purge or oldest record age reported)',
    );
    const retentionFp = fingerprint('retention_policy_exceeded', { category: 'metrics' });
    const [retentionAlert] = (await rt.alerts.listAlerts({ fingerprint: retentionFp, status: ['firing'] }))
      .items;
    expect(retentionAlert?.message).toContain('metrics: the oldest record kept is 120 days old');
    // No age for alert_history: the report is not compliant, but nothing proves a breach.
    expect(
      (await rt.alerts.listAlerts({ name: 'retention_policy_exceeded', status: ['firing'] })).total,
    ).toBe(1);
    const [snap] = await latestSnapshots<{ regulations: Array<{ regulation: string; overdue: number }> }>(
      rt.db,
      'compliance',
    );
    expect(snap?.data.regulations.find((x) => x.regulation === 'gdpr')?.overdue).toBe(2);
    const fp = fingerprint('dsr_overdue', { regulation: 'gdpr' });
    expect((await rt.alerts.listAlerts({ fingerprint: fp, status: ['firing'] })).total).toBe(1);
    overdueGdpr = 0;
    oldestMetricsDays = 89;
    const after = await runJobNow(rt, jobs.generate_compliance_report);
    expect(after.summary).toContain('(0 overdue requests; retention not met: alert_history no purge');
    expect((await rt.alerts.listAlerts({ fingerprint: fp, status: ['firing'] })).total).toBe(0);
    expect((await rt.alerts.listAlerts({ fingerprint: retentionFp, status: ['firing'] })).total).toBe(0);
  });

  it('analyze_security_metrics raises alerts on new attack patterns and resolves them when they stop', async () => {
    const events = m.createCounter('security.events');
    const logins = m.createCounter('auth.login.attempts');
    await runJobNow(rt, jobs.analyze_security_metrics); // baseline of the cumulative counters
    events.add(3, { 'security.event.type': 'brute_force', 'security.severity': 'high' });
    logins.add(9, { 'auth.method': 'password', 'auth.outcome': 'failure' });
    const r = await runJobNow(rt, jobs.analyze_security_metrics);
    expect(r.summary).toContain('security_attack_pattern(brute_force)');
    expect(r.summary).toContain('security_login_failure_rate');
    const brute = fingerprint('security_attack_pattern', { pattern: 'brute_force' });
    expect((await rt.alerts.listAlerts({ fingerprint: brute, status: ['firing'] })).items[0]?.severity).toBe(
      'high',
    );
    expect(
      (await rt.alerts.listAlerts({ name: 'security_login_failure_rate', status: ['firing'] })).total,
    ).toBe(1);

    const quiet = await runJobNow(rt, jobs.analyze_security_metrics); // no new events since the last run
    expect(quiet.summary).toMatch(/^no security patterns/);
    expect((await rt.alerts.listAlerts({ fingerprint: brute, status: ['firing'] })).total).toBe(0);
    expect((await latestSnapshots(rt.db, 'security', 10)).length).toBe(3);
  });

  it('update_sla_compliance_metrics stores availability and raises slo_violation', async () => {
    const duration = m.createHistogram('http.server.request.duration', { unit: 's' });
    for (let i = 0; i < 6; i++)
      duration.record(0.05, {
        'http.request.method': 'POST',
        'http.route': '/login',
        'http.response.status_code': 200,
      });
    for (let i = 0; i < 2; i++)
      duration.record(0.2, {
        'http.request.method': 'POST',
        'http.route': '/login',
        'http.response.status_code': 503,
      });
    const r = await runJobNow(rt, jobs.update_sla_compliance_metrics);
    expect(r.summary).toContain('availability 0.75 over 8 requests');
    const [snap] = await latestSnapshots<{ availability: number; slo: { met: boolean } }>(rt.db, 'sla');
    expect(snap?.data).toMatchObject({ availability: 0.75, slo: { met: false } });
    expect((await rt.alerts.listAlerts({ name: 'slo_violation', status: ['firing'] })).total).toBe(1);
  });

  it('send_monitoring_digest mails health, KPIs with day and month trends, open alerts and SLO status', async () => {
    // Its own store, holding only what this case stores: earlier cases' snapshots do not count.
    const own = await tempDb(dialect);
    const digestRt = await runtimeOn(own);
    try {
      const now = new Date(clock);
      const dayBack = (n: number) => new Date(today.getTime() - n * DAY);
      const monthBack = (n: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - n, 1));
      const month = (n: number) => monthBack(n).toISOString().slice(0, 7);
      const latest = { registrations: { total: 5 }, logins: { total: 5, successRate: 0.8 } };
      const earlier = { registrations: { total: 4 }, logins: { total: 10, successRate: 0.9 } };
      // Today and this month so far are not complete periods: the digest leaves them out.
      const soFar = { registrations: { total: 15 }, logins: { total: 1, successRate: 0.1 } };
      const snapshots = [
        ['business_daily', 'day', dayBack(0), soFar],
        ['business_daily', 'day', dayBack(1), latest],
        ['business_daily', 'day', dayBack(2), earlier],
        ['business_monthly', 'month', monthBack(0), soFar],
        ['business_monthly', 'month', monthBack(1), latest],
        ['business_monthly', 'month', monthBack(2), earlier],
      ] as const;
      for (const [kind, period, periodStart, data] of snapshots)
        await saveSnapshot(digestRt.db, { kind, periodStart, period, source: 'sdk', data }, now);
      await saveSnapshot(
        digestRt.db,
        {
          kind: 'sla',
          periodStart: dayBack(0),
          period: '24h',
          source: 'sdk',
          data: {
            availability: 0.75,
            requests: 8,
            slo: { target: 0.999, met: false, errorBudgetRemaining: 0 },
          },
        },
        now,
      );
      await digestRt.alerts.createAlert({
        name: 'slo_violation',
        severity: 'high',
        message: 'availability 0.75 is below the SLO target 0.999',
      });
      depStatus = 'warn';
      const sent = smtp.mails.length;
      const r = await runJobNow(digestRt, jobs.send_monitoring_digest);
      expect(r.summary).toContain('digest sent to 2 recipients');
      expect(smtp.mails.length).toBe(sent + 1);
      const mail = smtp.mails.at(-1) as Mail;
      expect(mail.from).toBe('digest@authlens.test');
      expect(mail.to.sort()).toEqual(['cto@example.com', 'ops@example.com']);
      expect(mail.raw).toMatch(/Subject: \[authlens\] auth-test monitoring digest \d{4}-\d{2}-\d{2}: WARN/);
      expect(mail.raw).toContain('Content-Type: text/plain');
      expect(mail.raw).toContain('Content-Type: text/html');
      expect(mail.raw).toContain('Health: warn');
      expect(mail.raw).toContain('  - dependency: warn');
      expect(mail.raw).toContain(
        `KPIs (${new Date(today.getTime() - DAY).toISOString().slice(0, 10)}, trend`,
      );
      expect(mail.raw).toContain('Registrations: 5 (+25.0%)');
      expect(mail.raw).toContain('Login success rate: 0.8 (-11.1%)');
      expect(mail.raw).toContain(
        `Month on month: ${month(1)} against ${month(2)}: Registrations 5 (+25.0%), Logins 5 (-50.0%), Login success rate 0.8 (-11.1%)`,
      );
      expect(mail.raw).toMatch(/\[high\] slo_violation \(firing since/);
      expect(mail.raw).toContain('SLO: availability 0.75 against target 0.999');
      expect(mail.raw).toContain('VIOLATED');
      expect(mail.raw).toContain('<td>Registrations</td><td>5</td><td>4</td><td>+25.0%</td>');
    } finally {
      await digestRt.close();
      await own.drop();
    }
  });

  it('the jobs health check reports a failed job, then recovers', async () => {
    let fail = true;
    const flaky: JobDefinition = {
      name: 'flaky',
      title: 'flaky',
      needsMetrics: false,
      defaultSchedule: parseSchedule('1h', 'test'),
      run: async () => {
        if (fail) throw new Error('boom');
        return { summary: 'ok' };
      },
    };
    const check = jobsHealthCheck(rt.db);
    await expect(runJobNow(rt, flaky)).rejects.toThrow('boom');
    const failed = await check.check(AbortSignal.timeout(5000));
    expect(failed.status).toBe('fail');
    expect(failed.message).toContain('failed: flaky');
    const [run] = await listRuns(rt.db, 'flaky');
    expect(run).toMatchObject({ status: 'failed', error: 'boom' });
    fail = false;
    await runJobNow(rt, flaky);
    const ok = await check.check(AbortSignal.timeout(5000));
    expect(ok.status).toBe('pass');
    expect(ok.details?.['lastSuccess.flaky']).toMatch(/^\d{4}-/);
  });
});

afterAll(async () => {
  await globalMetrics.provider.shutdown();
});
