/**
 * The daily monitoring digest: health, yesterday's KPIs with their trend against the day before,
 * last month's against the month before, open alerts and SLO status, as one HTML + text e-mail
 * to `MONITORING_DIGEST_RECIPIENTS`. It reads the complete day and month snapshots the KPI jobs
 * stored (a manual run's "so far" snapshot of today or this month is left out), so it needs no
 * metrics source of its own.
 */
import type { Alert } from '../alerts/types.ts';
import type { HealthReport } from '../health/types.ts';
import { MissingSettingError } from './config.ts';
import type { JobResult } from './result.ts';
import type { JobRuntime } from './runtime.ts';
import { dayStart, latestSnapshots, monthStart, type Snapshot } from './snapshots.ts';

export interface Kpi {
  name: string;
  value: number | null;
  previous: number | null;
  /** `+12.5%`, `-3`, `n/a`. */
  trend: string;
}

export interface DigestContent {
  subject: string;
  generatedAt: string;
  health: Pick<HealthReport, 'status' | 'score'> & { checks: Array<{ name: string; status: string }> };
  kpis: Kpi[];
  kpiPeriod: string | null;
  /** Last complete month against the one before (`business_monthly` snapshots). */
  monthly: { period: string; previousPeriod: string | null; kpis: Kpi[] } | null;
  openAlerts: {
    total: number;
    items: Array<Pick<Alert, 'name' | 'severity' | 'status' | 'message'> & { since: string }>;
  };
  slo: {
    target: number;
    availability: number | null;
    met: boolean | null;
    errorBudgetRemaining: number | null;
    day: string;
  } | null;
}

interface BusinessData {
  registrations?: { total?: number };
  logins?: { total?: number; successRate?: number | null };
  activeUsers?: Record<string, number>;
  mfaAdoption?: number | null;
}

interface SlaData {
  availability?: number | null;
  requests?: number;
  slo?: { target?: number; met?: boolean; errorBudgetRemaining?: number };
}

const figures = (d: BusinessData | undefined): Array<[string, number | null]> => [
  ['Registrations', d?.registrations?.total ?? null],
  ['Logins', d?.logins?.total ?? null],
  ['Login success rate', d?.logins?.successRate ?? null],
  ['Daily active users', d?.activeUsers?.daily ?? null],
  ['MFA adoption', d?.mfaAdoption ?? null],
];

export function trend(value: number | null, previous: number | null): string {
  if (value === null || previous === null) return 'n/a';
  if (previous === 0) return value === 0 ? '±0' : `+${value}`;
  const pct = ((value - previous) / Math.abs(previous)) * 100;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
}

/** Each KPI of the newest snapshot with its trend against the one before. */
function compare(pair: Array<Snapshot<BusinessData> | undefined>, pick = figures): Kpi[] {
  const [latest, before] = pair;
  const prev = pick(before?.data);
  return pick(latest?.data).map(([name, value], i) => {
    const previous = prev[i]?.[1] ?? null;
    return { name, value, previous, trend: trend(value, previous) };
  });
}

const monthFigures = (d: BusinessData | undefined): Array<[string, number | null]> =>
  figures(d).filter(([name]) => name !== 'Daily active users');

export async function digestContent(rt: JobRuntime): Promise<DigestContent> {
  const now = rt.now();
  const [health, daily, monthly, sla, open] = await Promise.all([
    rt.health.run({ fresh: true }),
    latestSnapshots<BusinessData>(rt.db, 'business_daily', 2, dayStart(now)),
    latestSnapshots<BusinessData>(rt.db, 'business_monthly', 2, monthStart(now)),
    latestSnapshots<SlaData>(rt.db, 'sla', 1),
    rt.alerts.listAlerts({ status: ['firing', 'acknowledged'], limit: 20 }),
  ]);
  const latest = daily[0];
  const kpis = compare(daily);
  const month = (s: Snapshot<BusinessData> | undefined) => s?.periodStart.toISOString().slice(0, 7) ?? null;
  const slaSnap = sla[0];
  const day = now.toISOString().slice(0, 10);
  return {
    subject: `[authlens] ${rt.settings.serviceName} monitoring digest ${day}: ${health.status.toUpperCase()}, ${open.total} open alerts`,
    generatedAt: now.toISOString(),
    health: {
      status: health.status,
      score: health.score,
      checks: health.checks.map((c) => ({ name: c.name, status: c.status })),
    },
    kpis,
    kpiPeriod: latest ? latest.periodStart.toISOString().slice(0, 10) : null,
    monthly: monthly[0]
      ? {
          period: month(monthly[0]) as string,
          previousPeriod: month(monthly[1]),
          kpis: compare(monthly, monthFigures),
        }
      : null,
    openAlerts: {
      total: open.total,
      items: open.items.map((a) => ({
        name: a.name,
        severity: a.severity,
        status: a.status,
        message: a.message,
        since: a.createdAt.toISOString(),
      })),
    },
    slo: slaSnap
      ? {
          target: slaSnap.data.slo?.target ?? rt.settings.sloTarget,
          availability: slaSnap.data.availability ?? null,
          met: (slaSnap.data.requests ?? 0) > 0 ? (slaSnap.data.slo?.met ?? null) : null,
          errorBudgetRemaining: slaSnap.data.slo?.errorBudgetRemaining ?? null,
          day: slaSnap.periodStart.toISOString().slice(0, 10),
        }
      : null,
  };
}

const esc = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
const show = (v: number | null) => (v === null ? 'n/a' : String(v));
const monthLine = (c: DigestContent) =>
  c.monthly
    ? `${c.monthly.period} against ${c.monthly.previousPeriod ?? 'no earlier month'}: ${c.monthly.kpis.map((k) => `${k.name} ${show(k.value)} (${k.trend})`).join(', ')}`
    : 'no complete month yet';
const sloLine = (c: DigestContent) =>
  c.slo
    ? `availability ${show(c.slo.availability)} against target ${c.slo.target} on ${c.slo.day}: ${c.slo.met === null ? 'no traffic' : c.slo.met ? 'met' : 'VIOLATED'} (error budget remaining ${show(c.slo.errorBudgetRemaining)})`
    : 'no SLA data yet';

export function renderDigest(c: DigestContent): { text: string; html: string } {
  const text = [
    c.subject,
    '',
    `Health: ${c.health.status} (score ${c.health.score})`,
    ...c.health.checks.map((x) => `  - ${x.name}: ${x.status}`),
    '',
    `KPIs (${c.kpiPeriod ?? 'no snapshot yet'}, trend against the previous day):`,
    ...c.kpis.map((k) => `  - ${k.name}: ${show(k.value)} (${k.trend})`),
    `Month on month: ${monthLine(c)}`,
    '',
    `Open alerts: ${c.openAlerts.total}`,
    ...c.openAlerts.items.map(
      (a) => `  - [${a.severity}] ${a.name} (${a.status} since ${a.since}): ${a.message}`,
    ),
    '',
    `SLO: ${sloLine(c)}`,
    '',
    `Generated ${c.generatedAt}`,
    '',
  ].join('\n');
  const rows = (cells: string[][]) =>
    cells.map((r) => `<tr>${r.map((x) => `<td>${esc(x)}</td>`).join('')}</tr>`).join('');
  const html = `<!doctype html><html><body>
<h1>${esc(c.subject)}</h1>
<h2>Health: ${esc(c.health.status)} (score ${c.health.score})</h2>
<table><tr><th>Check</th><th>Status</th></tr>${rows(c.health.checks.map((x) => [x.name, x.status]))}</table>
<h2>KPIs (${esc(c.kpiPeriod ?? 'no snapshot yet')})</h2>
<table><tr><th>KPI</th><th>Value</th><th>Previous</th><th>Trend</th></tr>${rows(c.kpis.map((k) => [k.name, show(k.value), show(k.previous), k.trend]))}</table>
<p>Month on month: ${esc(monthLine(c))}</p>
<h2>Open alerts: ${c.openAlerts.total}</h2>
<table><tr><th>Severity</th><th>Alert</th><th>Status</th><th>Since</th><th>Message</th></tr>${rows(c.openAlerts.items.map((a) => [a.severity, a.name, a.status, a.since, a.message]))}</table>
<h2>SLO</h2><p>${esc(sloLine(c))}</p>
<p><small>Generated ${esc(c.generatedAt)}</small></p>
</body></html>`;
  return { text, html };
}

export async function sendDigest(rt: JobRuntime): Promise<JobResult> {
  const { recipients, smtpUrl, from } = rt.settings.digest;
  if (recipients.length === 0)
    throw new MissingSettingError('MONITORING_DIGEST_RECIPIENTS', 'is not set: nobody to send the digest to');
  if (!smtpUrl)
    throw new MissingSettingError('SMTP_URL', 'is not set (nor SMTP_HOST): no mail server for the digest');
  const content = await digestContent(rt);
  const { text, html } = renderDigest(content);
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 10_000,
  });
  try {
    await transport.sendMail({ from, to: recipients, subject: content.subject, text, html });
  } finally {
    transport.close();
  }
  return {
    summary: `digest sent to ${recipients.length} recipient${recipients.length === 1 ? '' : 's'} (health ${content.health.status}, ${content.openAlerts.total} open alerts)`,
    details: {
      recipients: recipients.length,
      health: content.health.status,
      openAlerts: content.openAlerts.total,
    },
  };
}
