/**
 * The instrument catalogue: every metric authlens emits or reads, in one place.
 *
 * Recorders create their instruments from these entries, the cardinality guard enforces the
 * attribute sets, `docs/metrics.md` is generated from this file, and dashboards and alert rules
 * are checked against `prometheusName`. Attribute values are either a closed list (anything else
 * becomes `other`) or `'free'`: application-defined values (route names, feature names, check
 * names) that the guard still caps in number and screens for user IDs, e-mails, IPs and tokens.
 *
 * `prometheusName` is the name Prometheus sees, both from the SDK's scrape endpoint (port 9464 and
 * `GET /monitoring/metrics/`, which applies `withUnitSuffixes`) and from the Collector's Prometheus
 * exporters: dots become underscores, the unit is appended (`s` → `_seconds`, `By` → `_bytes`,
 * unit `1` on a gauge → `_ratio`; curly-brace units are dropped) and monotonic counters get
 * `_total`. A histogram in seconds is `auth_login_duration_seconds`, with series
 * `_bucket`, `_sum` and `_count`. `catalogue.test.ts` checks every name against the real output.
 */
import { AuthlensError } from '../errors.ts';

import {
  AuthAttributeValues as auth,
  BusinessAttributeValues as business,
  ComplianceAttributeValues as compliance,
  HistogramBuckets,
  PlatformAttributeValues as platform,
  SecurityAttributeValues as security,
} from './attribute-values.ts';
import { type InstrumentKind, translateToPrometheus } from './prometheus-name.ts';

/** Allowed values of one attribute: a closed list, or application-defined (`'free'`). */
export type AttributeValues = readonly string[] | 'free';

export interface InstrumentDefinition {
  /** OpenTelemetry instrument name, e.g. `auth.login.attempts`. */
  readonly name: string;
  readonly kind: InstrumentKind;
  /** UCUM unit: `s`, `1`, `By` or an annotation such as `{attempt}`. */
  readonly unit: string;
  readonly description: string;
  /** Allowed attribute keys and their values; any other key is dropped by the guard. */
  readonly attributes: Readonly<Record<string, AttributeValues>>;
  /** Base Prometheus name (histograms add `_bucket`, `_sum`, `_count`). */
  readonly prometheusName: string;
  /** Who emits it: the auth-domain recorders, the SDK core, the Node runtime instrumentation or the status API. */
  readonly source: 'domain' | 'sdk-core' | 'runtime' | 'status-api';
  /** Histogram bucket boundaries the recorders ask for (advisory), when not the SDK default. */
  readonly buckets?: readonly number[];
}

/** The value every out-of-set attribute value becomes. */
export const OTHER = 'other';

type Entry = Omit<InstrumentDefinition, 'prometheusName'> & { prometheusName?: string };

const define = (entry: Entry): InstrumentDefinition =>
  Object.freeze({
    ...entry,
    attributes: Object.freeze({ ...entry.attributes }),
    prometheusName: entry.prometheusName ?? translateToPrometheus(entry.name, entry.kind, entry.unit),
  });

const method = { 'auth.method': auth.methods } as const;
const outcome = { 'auth.outcome': auth.outcomes } as const;
const mfaMethod = { 'auth.mfa.method': auth.mfaMethods } as const;

export const instrumentCatalogue: readonly InstrumentDefinition[] = Object.freeze([
  // SDK core
  define({
    name: 'http.server.request.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Duration of inbound HTTP requests (OpenTelemetry semantic convention).',
    attributes: {
      'http.request.method': platform.httpMethods,
      'http.route': 'free',
      'http.response.status_code': 'free',
      'url.scheme': ['http', 'https'],
      // The 5xx status code as a string, or `_OTHER` for a response aborted before its end.
      'error.type': 'free',
    },
    source: 'sdk-core',
  }),
  define({
    name: 'authlens.telemetry.dropped',
    kind: 'counter',
    unit: '{item}',
    description: 'Telemetry items (spans, metric points, log records) dropped before export.',
    attributes: { 'authlens.signal': platform.telemetrySignals },
    source: 'sdk-core',
  }),
  // Node runtime (@opentelemetry/instrumentation-runtime-node, exact names it emits)
  ...(
    [
      ['nodejs.eventloop.delay.min', 'Event loop minimum delay.'],
      ['nodejs.eventloop.delay.max', 'Event loop maximum delay.'],
      ['nodejs.eventloop.delay.mean', 'Event loop mean delay.'],
      ['nodejs.eventloop.delay.stddev', 'Event loop standard deviation delay.'],
      ['nodejs.eventloop.delay.p50', 'Event loop 50 percentile delay.'],
      ['nodejs.eventloop.delay.p90', 'Event loop 90 percentile delay.'],
      ['nodejs.eventloop.delay.p99', 'Event loop 99 percentile delay.'],
    ] as const
  ).map(([name, description]) =>
    define({ name, kind: 'gauge', unit: 's', description, attributes: {}, source: 'runtime' }),
  ),
  define({
    name: 'nodejs.eventloop.utilization',
    kind: 'gauge',
    unit: '1',
    description: 'Event loop utilization.',
    attributes: {},
    source: 'runtime',
  }),
  define({
    name: 'nodejs.eventloop.time',
    kind: 'counter',
    unit: 's',
    description: 'Cumulative duration of time the event loop has been in each state.',
    attributes: { 'nodejs.eventloop.state': ['active', 'idle'] },
    source: 'runtime',
  }),
  define({
    name: 'v8js.gc.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
    attributes: { 'v8js.gc.type': ['major', 'minor', 'incremental', 'weakcb'] },
    source: 'runtime',
  }),
  define({
    name: 'v8js.memory.heap.space.size',
    kind: 'updowncounter',
    unit: 'By',
    description: 'Total heap memory size pre-allocated for a heap space.',
    attributes: { 'v8js.heap.space.name': 'free' },
    source: 'runtime',
  }),
  define({
    name: 'v8js.memory.heap.used',
    kind: 'gauge',
    unit: 'By',
    description: 'Heap Memory size allocated.',
    attributes: { 'v8js.heap.space.name': 'free' },
    source: 'runtime',
  }),
  define({
    name: 'v8js.memory.heap.space.available_size',
    kind: 'gauge',
    unit: 'By',
    description: 'Heap space available size.',
    attributes: { 'v8js.heap.space.name': 'free' },
    source: 'runtime',
  }),
  define({
    name: 'v8js.memory.heap.space.physical_size',
    kind: 'gauge',
    unit: 'By',
    description: 'Committed size of a heap space.',
    attributes: { 'v8js.heap.space.name': 'free' },
    source: 'runtime',
  }),
  define({
    name: 'v8js.resource.active',
    kind: 'gauge',
    unit: '{resource}',
    description: 'Count of the active resources that are currently keeping the event loop alive.',
    attributes: { 'v8js.resource.type': 'free' },
    source: 'runtime',
  }),
  // Authentication
  define({
    name: 'auth.login.attempts',
    kind: 'counter',
    unit: '{attempt}',
    description: 'Login attempts by method and outcome, with a bounded failure reason (`none` on success).',
    attributes: { ...method, ...outcome, 'auth.failure_reason': auth.failureReasons },
    source: 'domain',
  }),
  define({
    name: 'auth.login.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Time to process a login attempt, by method and outcome.',
    attributes: { ...method, ...outcome },
    source: 'domain',
    buckets: HistogramBuckets.latencySeconds,
  }),
  define({
    name: 'auth.mfa.challenges',
    kind: 'counter',
    unit: '{challenge}',
    description: 'MFA challenges issued, by MFA method.',
    attributes: { ...mfaMethod },
    source: 'domain',
  }),
  define({
    name: 'auth.mfa.verifications',
    kind: 'counter',
    unit: '{verification}',
    description: 'MFA verifications, by MFA method and outcome.',
    attributes: { ...mfaMethod, ...outcome },
    source: 'domain',
  }),
  define({
    name: 'auth.mfa.enrollments',
    kind: 'counter',
    unit: '{enrollment}',
    description: 'MFA factors enrolled or removed, by MFA method.',
    attributes: { ...mfaMethod, 'auth.mfa.action': auth.mfaActions },
    source: 'domain',
  }),
  define({
    name: 'auth.mfa.adoption',
    kind: 'gauge',
    unit: '1',
    description: 'Share of active accounts with at least one MFA factor (0..1).',
    attributes: {},
    source: 'domain',
  }),
  define({
    name: 'auth.oauth.requests',
    kind: 'counter',
    unit: '{request}',
    description: 'Calls to OAuth/OIDC providers, by provider and outcome.',
    attributes: { 'auth.oauth.provider': auth.oauthProviders, ...outcome },
    source: 'domain',
  }),
  define({
    name: 'auth.oauth.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Latency of calls to OAuth/OIDC providers, by provider and outcome.',
    attributes: { 'auth.oauth.provider': auth.oauthProviders, ...outcome },
    source: 'domain',
    buckets: HistogramBuckets.latencySeconds,
  }),
  define({
    name: 'auth.tokens',
    kind: 'counter',
    unit: '{token}',
    description: 'Tokens issued, refreshed or revoked, by token type.',
    attributes: { 'auth.token.type': auth.tokenTypes, 'auth.token.action': auth.tokenActions },
    source: 'domain',
  }),
  define({
    name: 'auth.sessions.active',
    kind: 'updowncounter',
    unit: '{session}',
    description: 'Sessions currently open (started minus ended) in this process.',
    attributes: {},
    source: 'domain',
  }),
  define({
    name: 'auth.password_resets',
    kind: 'counter',
    unit: '{reset}',
    description: 'Password resets by stage (requested, completed, failed).',
    attributes: { 'auth.password_reset.stage': auth.passwordResetStages },
    source: 'domain',
  }),
  // Security
  define({
    name: 'security.auth.failures',
    kind: 'counter',
    unit: '{failure}',
    description: 'Failed authentications, by method and failure reason.',
    attributes: { ...method, 'auth.failure_reason': auth.failureReasons },
    source: 'domain',
  }),
  define({
    name: 'security.events',
    kind: 'counter',
    unit: '{event}',
    description:
      'Detected security events (brute force, credential stuffing, lockouts, …) by type and severity.',
    attributes: { 'security.event.type': security.eventTypes, 'security.severity': security.severities },
    source: 'domain',
  }),
  define({
    name: 'security.risk_score',
    kind: 'histogram',
    unit: '1',
    description: 'Risk score (0..1) assigned to authentication attempts, by method.',
    attributes: { ...method },
    source: 'domain',
    buckets: HistogramBuckets.riskScore,
  }),
  define({
    name: 'security.account_lockouts',
    kind: 'counter',
    unit: '{lockout}',
    description: 'Accounts locked, by reason.',
    attributes: { 'security.lockout.reason': security.lockoutReasons },
    source: 'domain',
  }),
  // Business
  define({
    name: 'business.registrations',
    kind: 'counter',
    unit: '{registration}',
    description: 'User registrations by source, method, country (ISO 3166-1 alpha-2) and device type.',
    attributes: {
      'business.source': business.registrationSources,
      'business.method': business.registrationMethods,
      'business.country': business.countryCodes,
      'business.device_type': business.deviceTypes,
    },
    source: 'domain',
  }),
  define({
    name: 'business.feature_usage',
    kind: 'counter',
    unit: '{use}',
    description: 'Feature usage by application-defined feature and action, and by user type.',
    attributes: {
      'business.feature': 'free',
      'business.action': 'free',
      'business.user_type': business.userTypes,
    },
    source: 'domain',
  }),
  define({
    name: 'business.funnel.steps',
    kind: 'counter',
    unit: '{step}',
    description: 'Conversion funnel steps reached, by application-defined funnel and step.',
    attributes: { 'business.funnel': 'free', 'business.funnel.step': 'free' },
    source: 'domain',
  }),
  define({
    name: 'business.active_users',
    kind: 'gauge',
    unit: '{user}',
    description:
      'Distinct active users in the current UTC day, ISO week and month (HyperLogLog estimate, no per-user labels).',
    attributes: { 'business.period': business.activeUserPeriods },
    source: 'domain',
  }),
  // Compliance
  define({
    name: 'compliance.dsr.requests',
    kind: 'counter',
    unit: '{request}',
    description: 'Data-subject request status changes, by regulation, request type and status.',
    attributes: {
      'compliance.regulation': compliance.regulations,
      'compliance.request.type': compliance.dsrTypes,
      'compliance.request.status': compliance.dsrStatuses,
    },
    source: 'domain',
  }),
  define({
    name: 'compliance.dsr.completion_time',
    kind: 'histogram',
    unit: 's',
    description: 'Time from receipt to completion of data-subject requests, by regulation and type.',
    attributes: {
      'compliance.regulation': compliance.regulations,
      'compliance.request.type': compliance.dsrTypes,
    },
    source: 'domain',
    buckets: HistogramBuckets.dsrCompletionSeconds,
  }),
  define({
    name: 'compliance.dsr.open',
    kind: 'gauge',
    unit: '{request}',
    description: 'Data-subject requests received and not yet completed or rejected, by regulation and type.',
    attributes: {
      'compliance.regulation': compliance.regulations,
      'compliance.request.type': compliance.dsrTypes,
    },
    source: 'domain',
  }),
  define({
    name: 'compliance.dsr.overdue',
    kind: 'gauge',
    unit: '{request}',
    description:
      'Open data-subject requests past their deadline (GDPR 30 days, CCPA 45 days), by regulation.',
    attributes: { 'compliance.regulation': compliance.regulations },
    source: 'domain',
  }),
  define({
    name: 'compliance.consent.changes',
    kind: 'counter',
    unit: '{change}',
    description: 'Consent granted or withdrawn, by purpose.',
    attributes: {
      'compliance.consent.purpose': compliance.consentPurposes,
      'compliance.consent.action': compliance.consentActions,
    },
    source: 'domain',
  }),
  define({
    name: 'compliance.retention.purged',
    kind: 'counter',
    unit: '{record}',
    description: 'Records deleted by retention policies, by data category.',
    attributes: { 'compliance.data.category': compliance.dataCategories },
    source: 'domain',
  }),
  define({
    name: 'compliance.retention.oldest_record_age',
    kind: 'gauge',
    unit: 's',
    description:
      'Age of the oldest record kept, by data category (as last reported by the application; 0 when none is kept).',
    attributes: { 'compliance.data.category': compliance.dataCategories },
    source: 'domain',
  }),
  define({
    name: 'compliance.audit.events',
    kind: 'counter',
    unit: '{event}',
    description: 'Audit log records written, by category and outcome.',
    attributes: { 'audit.category': compliance.auditCategories, 'audit.outcome': compliance.auditOutcomes },
    source: 'domain',
  }),
  // Status API
  define({
    name: 'authlens.health.check.status',
    kind: 'gauge',
    unit: '1',
    description: 'Result of each health check: 1 pass, 0.5 warn, 0 fail.',
    attributes: { 'health.check': 'free' },
    source: 'status-api',
  }),
  define({
    name: 'authlens.alerts.notifications',
    kind: 'counter',
    unit: '{notification}',
    description: 'Alert notifications sent, by channel and outcome.',
    attributes: { 'alert.channel': platform.alertChannels, 'alert.outcome': platform.alertOutcomes },
    source: 'status-api',
  }),
  define({
    name: 'authlens.alerts.open',
    kind: 'gauge',
    unit: '{alert}',
    description: 'Alerts not yet resolved, by severity.',
    attributes: { 'alert.severity': security.severities },
    source: 'status-api',
  }),
  define({
    name: 'authlens.alerts.deliveries.pending',
    kind: 'gauge',
    unit: '{notification}',
    description: 'Alert notifications queued or being sent (not yet sent or failed).',
    attributes: {},
    source: 'status-api',
  }),
  define({
    name: 'authlens.jobs.runs',
    kind: 'counter',
    unit: '{run}',
    description: 'Scheduled job runs, by job and outcome.',
    attributes: { 'job.name': 'free', 'job.outcome': platform.jobOutcomes },
    source: 'status-api',
  }),
]);

const byName = new Map(instrumentCatalogue.map((entry) => [entry.name, entry]));
const byPrometheusName = new Map(instrumentCatalogue.map((entry) => [entry.prometheusName, entry]));

/** The catalogue entry of an OpenTelemetry instrument name; throws when it is not catalogued. */
export function catalogueEntry(otelName: string): InstrumentDefinition {
  const entry = byName.get(otelName);
  if (!entry)
    throw new AuthlensError(
      'unknown_instrument',
      `Unknown instrument "${otelName}": it is not in the authlens catalogue`,
    );
  return entry;
}

/** The base Prometheus name of a catalogued instrument (e.g. `auth_login_attempts_total`). */
export function prometheusName(otelName: string): string {
  return catalogueEntry(otelName).prometheusName;
}

/** Every Prometheus series name of an instrument: histograms give `_bucket`, `_sum` and `_count`. */
export function prometheusSeriesNames(otelName: string): readonly string[] {
  const entry = catalogueEntry(otelName);
  const base = entry.prometheusName;
  return entry.kind === 'histogram' ? [`${base}_bucket`, `${base}_sum`, `${base}_count`] : [base];
}

/**
 * The catalogue entry a Prometheus series name belongs to (accepts `_bucket`, `_sum`, `_count`
 * of histograms), or `undefined`. For checking dashboard queries and alert rules.
 */
export function findByPrometheusName(series: string): InstrumentDefinition | undefined {
  const direct = byPrometheusName.get(series);
  if (direct) return direct;
  const match = /^(.*)_(bucket|sum|count)$/.exec(series);
  const entry = match ? byPrometheusName.get(match[1]!) : undefined;
  return entry?.kind === 'histogram' ? entry : undefined;
}
