/**
 * Prometheus recording and alerting rules. Recording rules give the SLIs one definition shared
 * by alerts and the Performance dashboard; alerts carry `severity` (critical | high | medium |
 * low, the status API's severities) and `category` labels, which the Alertmanager example
 * routes on.
 */
import { stringify } from 'yaml';
import { counter, external, gauge, histogram } from './metrics.ts';
import { eq, re, sel } from './promql.ts';

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: { readonly severity: 'critical' | 'high' | 'medium' | 'low'; readonly category: string };
  readonly annotations: {
    readonly summary: string;
    readonly description: string;
    readonly runbook_url: string;
  };
}

export interface RuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly (RecordingRule | AlertingRule)[];
}

/** Service objectives: the share of requests that must be good over 30 days. */
export const SLO = {
  /** Non-5xx responses. */
  availability: 0.999,
  /** Requests faster than `latencyThresholdSeconds`. */
  latency: 0.99,
  /** Must be a bucket boundary of `http.server.request.duration` (OTel default buckets). */
  latencyThresholdSeconds: 0.5,
} as const;

/** Multi-window multi-burn-rate windows (Google SRE workbook, chapter 5). */
export const SLO_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;
type Window = (typeof SLO_WINDOWS)[number];

const http = histogram('http.server.request.duration');
const status = http.label('http.response.status_code');
const logins = counter('auth.login.attempts');
const loginOutcome = logins.label('auth.outcome');
const events = counter('security.events');
const failures = counter('security.auth.failures');
const mfa = counter('auth.mfa.verifications');
const oauth = counter('auth.oauth.requests');
const oauthProvider = oauth.label('auth.oauth.provider');
const health = gauge('authlens.health.check.status');
const healthCheck = health.label('health.check');
const notifications = counter('authlens.alerts.notifications');
const dropped = counter('authlens.telemetry.dropped');
const overdue = gauge('compliance.dsr.overdue');

const raw = { filter: false } as const;
const by = 'job';

/** `sum by (job) (rate(x[w]))`, zero instead of absent when `x` has no matching series yet. */
const sumRate = (name: string, range: string, match: readonly string[] = [], labels = by) =>
  `sum by (${labels}) (rate(${sel(name, { ...raw, match })}[${range}]))`;
const zeroFilled = (num: string, den: string) => `(${num} or ${den} * 0)`;

export const recordName = {
  errorRatio: (w: Window) => `authlens_slo:http_errors:ratio_rate${w}`,
  slowRatio: (w: Window) => `authlens_slo:http_slow_requests:ratio_rate${w}`,
  loginAttempts: 'authlens:auth_login_attempts:rate5m',
  loginSuccess: 'authlens:auth_login_success:ratio_rate5m',
  requests: 'authlens:http_requests:rate5m',
} as const;

const sliRules: RecordingRule[] = [
  { record: recordName.requests, expr: sumRate(http.count, '5m') },
  { record: recordName.loginAttempts, expr: sumRate(logins.name, '5m') },
  {
    record: recordName.loginSuccess,
    expr: `${zeroFilled(sumRate(logins.name, '5m', [eq(loginOutcome, 'success')]), sumRate(logins.name, '5m'))} / ${sumRate(logins.name, '5m')}`,
  },
  ...SLO_WINDOWS.flatMap((w) => [
    {
      record: recordName.errorRatio(w),
      expr: `${zeroFilled(sumRate(http.count, w, [re(status, '5..')]), sumRate(http.count, w))} / ${sumRate(http.count, w)}`,
    },
    {
      record: recordName.slowRatio(w),
      expr: `1 - (${sumRate(http.bucket, w, [eq('le', String(SLO.latencyThresholdSeconds))])} / ${sumRate(http.count, w)})`,
    },
  ]),
];

/** Each alert has a `### <AlertName>` section in docs/grafana.md. */
const RUNBOOK = 'https://github.com/authlens/authlens/blob/main/docs/grafana.md';

function alert(
  name: string,
  expr: string,
  forDuration: string | undefined,
  labels: AlertingRule['labels'],
  summary: string,
  description: string,
): AlertingRule {
  return {
    alert: name,
    expr,
    ...(forDuration ? { for: forDuration } : {}),
    labels,
    annotations: { summary, description, runbook_url: `${RUNBOOK}#${name.toLowerCase()}` },
  };
}

/** Page when 2 % of the 30-day budget burns in 1 h (or 5 % in 6 h); ticket for 10 % in 3 d. */
function burnRateAlerts(kind: 'Availability' | 'Latency', objective: number, ratio: (w: Window) => string) {
  const budget = Number((1 - objective).toPrecision(6));
  const over = (long: Window, short: Window, factor: number) =>
    `(${ratio(long)} > ${factor} * ${budget} and ${ratio(short)} > ${factor} * ${budget})`;
  const what =
    kind === 'Availability' ? 'errors (5xx)' : `requests slower than ${SLO.latencyThresholdSeconds}s`;
  return [
    alert(
      `Authlens${kind}ErrorBudgetBurnFast`,
      `${over('1h', '5m', 14.4)} or ${over('6h', '30m', 6)}`,
      '2m',
      { severity: 'critical', category: kind.toLowerCase() },
      `{{ $labels.job }} is burning its ${kind.toLowerCase()} error budget fast`,
      `The share of ${what} would exhaust the 30-day ${objective * 100}% SLO budget within days (burn rate ≥ 6).`,
    ),
    alert(
      `Authlens${kind}ErrorBudgetBurnSlow`,
      `${over('1d', '2h', 3)} or ${over('3d', '6h', 1)}`,
      '15m',
      { severity: 'medium', category: kind.toLowerCase() },
      `{{ $labels.job }} is steadily burning its ${kind.toLowerCase()} error budget`,
      `The share of ${what} is above the ${objective * 100}% SLO's budget over the last days (burn rate ≥ 1).`,
    ),
  ];
}

const refused = ['spans', 'metric_points', 'log_records'].map((s) =>
  external(`otelcol_receiver_refused_${s}_total`),
);
const sendFailed = ['spans', 'metric_points', 'log_records'].map((s) =>
  external(`otelcol_exporter_send_failed_${s}_total`),
);
const enqueueFailed = ['spans', 'metric_points', 'log_records'].map((s) =>
  external(`otelcol_exporter_enqueue_failed_${s}_total`),
);
/** Any of the names has a positive rate (each compared on its own: their label sets collide). */
const anyPositive = (names: readonly string[], labels: string) =>
  names.map((n) => `${sumRate(n, '5m', [], labels)} > 0`).join(' or ');

const alertRules: AlertingRule[] = [
  ...burnRateAlerts('Availability', SLO.availability, recordName.errorRatio),
  ...burnRateAlerts('Latency', SLO.latency, recordName.slowRatio),
  alert(
    'AuthlensLoginSuccessRateDrop',
    `${recordName.loginSuccess} < 0.8 and on (job) ${recordName.loginAttempts} > 0.05`,
    '10m',
    { severity: 'high', category: 'auth' },
    'Login success rate of {{ $labels.job }} dropped to {{ $value | humanizePercentage }}',
    'Fewer than 80% of login attempts succeed (5m window, at least 3 attempts a minute). Check the Authentication dashboard for the failing method and reason.',
  ),
  alert(
    'AuthlensBruteForceSuspected',
    `sum by (job) (increase(${sel(events.name, { ...raw, match: [eq(events.label('security.event.type'), 'brute_force')] })}[5m])) > 0`,
    undefined,
    { severity: 'high', category: 'security' },
    'Brute-force attack suspected on {{ $labels.job }}',
    'The brute-force detector fired in the last 5 minutes (too many failed logins per account or per client IP).',
  ),
  alert(
    'AuthlensCredentialStuffingSuspected',
    `sum by (job) (increase(${sel(events.name, { ...raw, match: [eq(events.label('security.event.type'), 'credential_stuffing')] })}[5m])) > 0 or ${sumRate(failures.name, '5m', [eq(failures.label('auth.failure_reason'), 'unknown_user')])} > 1`,
    undefined,
    { severity: 'high', category: 'security' },
    'Credential stuffing suspected on {{ $labels.job }}',
    'The credential-stuffing detector fired, or logins for unknown users exceed 1 per second.',
  ),
  alert(
    'AuthlensMfaFailureSpike',
    `${zeroFilled(sumRate(mfa.name, '10m', [eq(mfa.label('auth.outcome'), 'failure')]), sumRate(mfa.name, '10m'))} / ${sumRate(mfa.name, '10m')} > 0.3 and on (job) ${sumRate(mfa.name, '10m')} > 0.05`,
    '5m',
    { severity: 'medium', category: 'auth' },
    'MFA verifications failing on {{ $labels.job }} ({{ $value | humanizePercentage }})',
    'More than 30% of MFA verifications failed over 10 minutes: an SMS/e-mail provider outage, clock skew on TOTP, or an attack on second factors.',
  ),
  alert(
    'AuthlensOAuthProviderErrors',
    `${sumRate(oauth.name, '5m', [eq(oauth.label('auth.outcome'), 'failure')], `job, ${oauthProvider}`)} / ${sumRate(oauth.name, '5m', [], `job, ${oauthProvider}`)} > 0.2 and on (job, ${oauthProvider}) ${sumRate(oauth.name, '5m', [], `job, ${oauthProvider}`)} > 0.05`,
    '5m',
    { severity: 'high', category: 'auth' },
    'OAuth provider {{ $labels.auth_oauth_provider }} failing for {{ $labels.job }}',
    'More than 20% of calls to the OAuth provider failed over 5 minutes ({{ $value | humanizePercentage }}).',
  ),
  alert(
    'AuthlensHealthCheckFailing',
    `min by (job, ${healthCheck}) (${sel(health.name, raw)}) == 0`,
    '2m',
    { severity: 'critical', category: 'health' },
    'Health check {{ $labels.health_check }} failing on {{ $labels.job }}',
    'The health check reports fail (0) on at least one instance for 2 minutes. See GET /monitoring/health/detailed/.',
  ),
  alert(
    'AuthlensHealthCheckDegraded',
    `min by (job, ${healthCheck}) (${sel(health.name, raw)}) > 0 < 1`,
    '10m',
    { severity: 'medium', category: 'health' },
    'Health check {{ $labels.health_check }} degraded on {{ $labels.job }}',
    'The health check has reported warn (0.5) for 10 minutes.',
  ),
  alert(
    'AuthlensCollectorRefusingData',
    anyPositive(refused, 'job, receiver'),
    '5m',
    { severity: 'high', category: 'collector' },
    'Collector receiver {{ $labels.receiver }} is refusing telemetry',
    'The collector refuses incoming spans, metric points or log records (memory limiter or back-pressure): the SDKs will retry, then drop.',
  ),
  alert(
    'AuthlensCollectorExportFailing',
    anyPositive(sendFailed, 'job, exporter'),
    '5m',
    { severity: 'high', category: 'collector' },
    'Collector exporter {{ $labels.exporter }} fails to send',
    'The exporter keeps failing to deliver to its backend (Prometheus, Loki or Sentry) after retries.',
  ),
  alert(
    'AuthlensCollectorDroppingData',
    anyPositive(enqueueFailed, 'job, exporter'),
    '1m',
    { severity: 'critical', category: 'collector' },
    'Collector exporter {{ $labels.exporter }} is dropping telemetry',
    'The sending queue is full and new data is dropped: telemetry is being lost.',
  ),
  alert(
    'AuthlensCollectorQueueNearlyFull',
    `max by (job, exporter) (${external('otelcol_exporter_queue_size')}) / max by (job, exporter) (${external('otelcol_exporter_queue_capacity')} > 0) > 0.8`,
    '5m',
    { severity: 'medium', category: 'collector' },
    'Collector exporter {{ $labels.exporter }} queue is {{ $value | humanizePercentage }} full',
    'The sending queue has been over 80% full for 5 minutes; it drops data when full.',
  ),
  alert(
    'AuthlensAlertDeliveryFailing',
    `${sumRate(notifications.name, '10m', [eq(notifications.label('alert.outcome'), 'failure')], `job, ${notifications.label('alert.channel')}`)} > 0`,
    '5m',
    { severity: 'high', category: 'alerting' },
    'Alert notifications via {{ $labels.alert_channel }} are failing',
    'The status API could not deliver alert notifications on this channel for 5 minutes; people may not be paged.',
  ),
  alert(
    'AuthlensTelemetryDropped',
    `${sumRate(dropped.name, '10m', [], `job, ${dropped.label('authlens.signal')}`)} > 0`,
    '10m',
    { severity: 'medium', category: 'collector' },
    '{{ $labels.job }} drops {{ $labels.authlens_signal }} before export',
    'The SDK is dropping telemetry (export queue full or exporter failing) for 10 minutes.',
  ),
  alert(
    'AuthlensDsrOverdue',
    `max by (job, ${overdue.label('compliance.regulation')}) (${sel(overdue.name, raw)}) > 0`,
    '15m',
    { severity: 'high', category: 'compliance' },
    '{{ $value }} {{ $labels.compliance_regulation }} data-subject requests are overdue',
    'Requests have passed their legal deadline (GDPR 30 days, CCPA 45 days). See GET /monitoring/compliance/report/.',
  ),
];

export const ruleGroups: readonly RuleGroup[] = [
  { name: 'authlens-sli', interval: '30s', rules: sliRules },
  { name: 'authlens-alerts', rules: alertRules },
];

export const recordingRuleNames = (): string[] => sliRules.map((r) => r.record);
export const alertNames = (): string[] => alertRules.map((r) => r.alert);

const HEADER = '# Generated by dashboards/src/generate.ts from dashboards/src/rules.ts; do not edit.\n';

/** The rule file Prometheus loads (`rule_files:`), as YAML. */
export function renderRules(groups: readonly RuleGroup[] = ruleGroups): string {
  return HEADER + stringify({ groups }, { lineWidth: 0 });
}
