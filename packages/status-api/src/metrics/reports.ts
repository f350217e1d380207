/**
 * Business, security, performance and compliance reports, computed from a `KpiBackend` so the
 * in-process and Prometheus modes give the same shapes.
 */
import type { KpiBackend, Period, Series } from './source.ts';

const total = (series: Series[]) => series.reduce((a, s) => a + s.value, 0);
const round = (n: number, digits = 4) => Math.round(n * 10 ** digits) / 10 ** digits;
/** `{ value: sum }` keyed by one label. */
const byLabel = (series: Series[], label: string): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const s of series) {
    const key = s.labels[label] || 'other';
    out[key] = round((out[key] ?? 0) + s.value);
  }
  return out;
};
const ratio = (part: number, whole: number) => (whole > 0 ? round(part / whole) : null);

export interface ReportMeta {
  period: Period;
  /** `sdk`: this process; `prometheus`: all replicas. */
  source: KpiBackend['kind'];
  /** What the numbers cover: `last <period>`, or `since process start` while in-process history is shorter than the period. */
  window: string;
  generatedAt: string;
}

export function meta(backend: KpiBackend, period: Period): ReportMeta {
  return {
    period,
    source: backend.kind,
    window: backend.window(period),
    generatedAt: new Date().toISOString(),
  };
}

export async function businessReport(backend: KpiBackend, period: Period) {
  const [registrations, activeUsers, features, funnel, logins, mfaAdoption, oauth] = await Promise.all([
    backend.counter(
      'business.registrations',
      ['business_source', 'business_method', 'business_device_type'],
      period,
    ),
    backend.gauge('business.active_users', ['business_period']),
    backend.counter('business.feature_usage', ['business_feature', 'business_action'], period),
    backend.counter('business.funnel.steps', ['business_funnel', 'business_funnel_step'], period),
    backend.counter('auth.login.attempts', ['auth_method', 'auth_outcome'], period),
    backend.gauge('auth.mfa.adoption', []),
    backend.counter('auth.oauth.requests', ['auth_oauth_provider', 'auth_outcome'], period),
  ]);
  const loginTotal = total(logins);
  const loginSuccess = total(logins.filter((s) => s.labels.auth_outcome === 'success'));
  const funnels: Record<string, Record<string, number>> = {};
  for (const s of funnel) {
    const name = s.labels.business_funnel || 'other';
    const step = s.labels.business_funnel_step || 'other';
    funnels[name] ??= {};
    funnels[name][step] = round((funnels[name][step] ?? 0) + s.value);
  }
  const featureUsage: Record<string, number> = {};
  for (const s of features) {
    const key = `${s.labels.business_feature || 'other'}:${s.labels.business_action || 'other'}`;
    featureUsage[key] = round((featureUsage[key] ?? 0) + s.value);
  }
  return {
    ...meta(backend, period),
    registrations: {
      total: round(total(registrations)),
      bySource: byLabel(registrations, 'business_source'),
      byMethod: byLabel(registrations, 'business_method'),
      byDeviceType: byLabel(registrations, 'business_device_type'),
    },
    activeUsers: byLabel(activeUsers, 'business_period'),
    logins: {
      total: round(loginTotal),
      successRate: ratio(loginSuccess, loginTotal),
      byMethod: byLabel(logins, 'auth_method'),
    },
    mfaAdoption: mfaAdoption.length > 0 ? round(total(mfaAdoption)) : null,
    oauthByProvider: byLabel(oauth, 'auth_oauth_provider'),
    featureUsage,
    funnels,
  };
}

export async function securityReport(backend: KpiBackend, period: Period) {
  const [failures, events, lockouts, logins, riskP50, riskP95] = await Promise.all([
    backend.counter('security.auth.failures', ['auth_method', 'auth_failure_reason'], period),
    backend.counter('security.events', ['security_event_type', 'security_severity'], period),
    backend.counter('security.account_lockouts', ['security_lockout_reason'], period),
    backend.counter('auth.login.attempts', ['auth_outcome'], period),
    backend.histogramQuantile('security.risk_score', 0.5, [], period),
    backend.histogramQuantile('security.risk_score', 0.95, [], period),
  ]);
  const loginTotal = total(logins);
  const loginFailures = total(logins.filter((s) => s.labels.auth_outcome === 'failure'));
  return {
    ...meta(backend, period),
    authFailures: {
      total: round(total(failures)),
      byReason: byLabel(failures, 'auth_failure_reason'),
      byMethod: byLabel(failures, 'auth_method'),
    },
    loginFailureRate: ratio(loginFailures, loginTotal),
    events: {
      total: round(total(events)),
      byType: byLabel(events, 'security_event_type'),
      bySeverity: byLabel(events, 'security_severity'),
    },
    accountLockouts: {
      total: round(total(lockouts)),
      byReason: byLabel(lockouts, 'security_lockout_reason'),
    },
    riskScore: {
      p50: riskP50[0] ? round(riskP50[0].value) : null,
      p95: riskP95[0] ? round(riskP95[0].value) : null,
    },
  };
}

/**
 * Performance against the SLO: availability = 1 − (5xx responses / all responses);
 * error budget remaining = 1 − error rate / (1 − SLO target), floored at 0.
 */
export async function performanceReport(backend: KpiBackend, period: Period, sloTarget: number) {
  const metric = 'http.server.request.duration';
  const [counts, p50, p95, p99] = await Promise.all([
    backend.histogramCount(metric, ['http_route', 'http_response_status_code'], period),
    backend.histogramQuantile(metric, 0.5, ['http_route'], period),
    backend.histogramQuantile(metric, 0.95, ['http_route'], period),
    backend.histogramQuantile(metric, 0.99, ['http_route'], period),
  ]);
  const isError = (s: Series) => Number(s.labels.http_response_status_code) >= 500;
  const routes = new Map<string, { requests: number; errors: number }>();
  for (const s of counts) {
    const route = s.labels.http_route || 'other';
    const r = routes.get(route) ?? { requests: 0, errors: 0 };
    r.requests += s.value;
    if (isError(s)) r.errors += s.value;
    routes.set(route, r);
  }
  const quantile = (series: Series[], route: string) => {
    const s = series.find((x) => (x.labels.http_route || 'other') === route);
    return s ? round(s.value, 6) : null;
  };
  const requests = total(counts);
  const errors = total(counts.filter(isError));
  const errorRate = requests > 0 ? errors / requests : 0;
  const allowed = 1 - sloTarget;
  return {
    ...meta(backend, period),
    requests: round(requests),
    errorRate: round(errorRate, 6),
    availability: requests > 0 ? round(1 - errorRate, 6) : null,
    slo: {
      target: sloTarget,
      met: 1 - errorRate >= sloTarget,
      errorBudgetRemaining: round(Math.max(0, 1 - errorRate / allowed), 6),
    },
    routes: [...routes.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([route, r]) => ({
        route,
        requests: round(r.requests),
        errorRate: round(r.requests > 0 ? r.errors / r.requests : 0, 6),
        latencySeconds: { p50: quantile(p50, route), p95: quantile(p95, route), p99: quantile(p99, route) },
      })),
  };
}

export interface RetentionPolicy {
  /** `compliance.data.category` value, e.g. `audit_logs`. */
  category: string;
  /** Maximum age of records in days. */
  maxAgeDays: number;
}

/**
 * What a retention row's `met` rests on: the reported age of the oldest record kept (the real
 * check), else a purge recorded in the window (weaker: a purge can leave old records behind), else
 * nothing (`no_data`, never met).
 */
export type RetentionBasis = 'oldest_record_age' | 'purge_recorded' | 'no_data';

/** DSR deadlines in days. */
export const dsrDeadlineDays = { gdpr: 30, ccpa: 45 } as const;

export async function complianceReport(backend: KpiBackend, period: Period, retention: RetentionPolicy[]) {
  const [requests, open, overdue, medians, audit, consent, purged, oldest] = await Promise.all([
    backend.counter(
      'compliance.dsr.requests',
      ['compliance_regulation', 'compliance_request_type', 'compliance_request_status'],
      period,
    ),
    backend.gauge('compliance.dsr.open', ['compliance_regulation', 'compliance_request_type']),
    backend.gauge('compliance.dsr.overdue', ['compliance_regulation']),
    backend.histogramQuantile('compliance.dsr.completion_time', 0.5, ['compliance_regulation'], period),
    backend.counter('compliance.audit.events', ['audit_category', 'audit_outcome'], period),
    backend.counter(
      'compliance.consent.changes',
      ['compliance_consent_purpose', 'compliance_consent_action'],
      period,
    ),
    backend.counter('compliance.retention.purged', ['compliance_data_category'], period),
    // Every replica reports the same store: the largest age is the truth, never their sum.
    backend.gauge('compliance.retention.oldest_record_age', ['compliance_data_category'], 'max'),
  ]);
  const regulations = (['gdpr', 'ccpa'] as const).map((regulation) => {
    const mine = (s: Series) => s.labels.compliance_regulation === regulation;
    const req = requests.filter(mine);
    const byTypeStatus: Record<string, Record<string, number>> = {};
    for (const s of req) {
      const type = s.labels.compliance_request_type || 'other';
      const status = s.labels.compliance_request_status || 'other';
      byTypeStatus[type] ??= {};
      byTypeStatus[type][status] = round((byTypeStatus[type][status] ?? 0) + s.value);
    }
    const median = medians.find(mine);
    return {
      regulation,
      deadlineDays: dsrDeadlineDays[regulation],
      requests: byTypeStatus,
      open: byLabel(open.filter(mine), 'compliance_request_type'),
      overdue: round(total(overdue.filter(mine))),
      medianCompletionSeconds: median ? round(median.value, 3) : null,
    };
  });
  const purgedBy = byLabel(purged, 'compliance_data_category');
  const oldestSecondsBy = byLabel(oldest, 'compliance_data_category');
  const retentionRows = retention.map((p) => {
    const ageSeconds = oldestSecondsBy[p.category];
    const ageDays = ageSeconds === undefined ? null : round(ageSeconds / 86_400, 2);
    const purgeRecorded = p.category in purgedBy;
    const basis: RetentionBasis =
      ageDays !== null ? 'oldest_record_age' : purgeRecorded ? 'purge_recorded' : 'no_data';
    return {
      category: p.category,
      maxAgeDays: p.maxAgeDays,
      purgedRecords: purgedBy[p.category] ?? 0,
      /** Age of the oldest record kept, as last reported by the application; null when unreported. */
      oldestRecordAgeDays: ageDays,
      basis,
      /** Met when the oldest record is within the policy; without that figure, when a purge ran in the window. */
      met: ageSeconds !== undefined ? ageSeconds <= p.maxAgeDays * 86_400 : purgeRecorded,
    };
  });
  const auditByCategory: Record<string, { success: number; failure: number }> = {};
  for (const s of audit) {
    const c = s.labels.audit_category || 'other';
    auditByCategory[c] ??= { success: 0, failure: 0 };
    const outcome = s.labels.audit_outcome === 'failure' ? 'failure' : 'success';
    auditByCategory[c][outcome] = round(auditByCategory[c][outcome] + s.value);
  }
  return {
    ...meta(backend, period),
    compliant: regulations.every((r) => r.overdue === 0) && retentionRows.every((r) => r.met),
    regulations,
    auditEvents: { total: round(total(audit)), byCategory: auditByCategory },
    consentChanges: byLabel(consent, 'compliance_consent_action'),
    retention: retentionRows,
  };
}

export type ComplianceReport = Awaited<ReturnType<typeof complianceReport>>;

const csvCell = (v: string | number | boolean | null) => {
  const s = v === null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * One row per figure: `section,regulation,item,status,value`. A retention policy has two rows:
 * `retention` (met or not_met, records purged) and `retention_oldest_record_age_days` (the basis,
 * the age in days or empty).
 */
export function complianceCsv(report: ComplianceReport): string {
  const rows: Array<Array<string | number | boolean | null>> = [
    ['section', 'regulation', 'item', 'status', 'value'],
  ];
  for (const r of report.regulations) {
    for (const [type, statuses] of Object.entries(r.requests)) {
      for (const [status, value] of Object.entries(statuses))
        rows.push(['requests', r.regulation, type, status, value]);
    }
    for (const [type, value] of Object.entries(r.open)) rows.push(['open', r.regulation, type, '', value]);
    rows.push(['overdue', r.regulation, '', '', r.overdue]);
    rows.push(['median_completion_seconds', r.regulation, '', '', r.medianCompletionSeconds]);
  }
  for (const [category, o] of Object.entries(report.auditEvents.byCategory)) {
    rows.push(['audit_events', '', category, 'success', o.success]);
    rows.push(['audit_events', '', category, 'failure', o.failure]);
  }
  for (const r of report.retention) {
    rows.push(['retention', '', r.category, r.met ? 'met' : 'not_met', r.purgedRecords]);
    rows.push(['retention_oldest_record_age_days', '', r.category, r.basis, r.oldestRecordAgeDays]);
  }
  rows.push(['compliant', '', '', '', report.compliant]);
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}
