/**
 * The plugin's options, resolved once at registration: explicit option → environment
 * variable → default. A malformed value throws `MonitoringConfigError` naming the variable.
 */
import type { AlertRoutesOptions } from './alerts/index.ts';
import { type ApiKey, parseApiKeys } from './auth.ts';
import { DEFAULTS } from './defaults.ts';
import { MonitoringConfigError } from './errors.ts';
import type { HealthRegistry } from './health/registry.ts';
import type { HealthCheck } from './health/types.ts';
import type { RetentionPolicy } from './metrics/reports.ts';
import type { MetricsSource } from './metrics/source.ts';
import { readSettings } from './settings.ts';
import type { StatusPageOptions } from './status-page/service.ts';

export interface MonitoringOptions {
  /** Shown in health+json `serviceId`/`description`. Env `OTEL_SERVICE_NAME`. */
  serviceName?: string;
  /** API keys, or the `name:key:role,…` string. Env `MONITORING_API_KEYS`. No keys: every protected endpoint answers 401. */
  apiKeys?: ApiKey[] | string;
  /** Health checks to register (ignored when `healthRegistry` is given). A `process` check is always added. */
  checks?: HealthCheck[];
  /** An existing registry (e.g. shared with scheduled jobs); the plugin does not close it. */
  healthRegistry?: HealthRegistry;
  /** Per-check timeout in seconds. Env `HEALTH_CHECK_TIMEOUT_SECONDS`, default 5. */
  healthCheckTimeoutSeconds?: number;
  /** Health result cache TTL in seconds. Env `HEALTH_CHECK_CACHE_TTL_SECONDS`, default 30. */
  healthCheckCacheTtlSeconds?: number;
  /** Query KPIs from this Prometheus instead of the in-process SDK. Env `PROMETHEUS_URL`. */
  prometheusUrl?: string;
  /** Extra PromQL label matchers for every KPI query, e.g. `job="authlens"`. Env `PROMETHEUS_SELECTOR`. */
  prometheusSelector?: string;
  /** In-process metrics; default: `currentHandle().metrics` of `@authlens/sdk`. */
  metricsSource?: MetricsSource;
  /**
   * Without `prometheusUrl`, compute the KPIs from the in-process metrics (default true). `authlens
   * serve` sets false: its own metrics hold no auth-service events, so its KPI endpoints answer 503.
   */
  kpisFromProcess?: boolean;
  /** Availability objective, 0–1 exclusive. Env `MONITORING_SLO_TARGET`, default 0.999. */
  sloTarget?: number;
  /** Retention policies the compliance report checks. Default: `METRICS_RETENTION_DAYS` (90) and `ALERT_HISTORY_RETENTION_DAYS` (30). */
  retention?: RetentionPolicy[];
  /** Directory holding `index.json` + dashboard files. Default: `@authlens/dashboards`'s `generated/`. */
  dashboardsDir?: string;
  /** Requests per minute per client (API key name, else IP). Env `MONITORING_RATE_LIMIT_PER_MINUTE`, default 120; `false` (option or variable) disables. */
  rateLimitPerMinute?: number | false;
  /** Largest accepted request body in bytes. Env `MONITORING_BODY_LIMIT_BYTES`, default 16384. */
  bodyLimitBytes?: number;
  /**
   * Largest Alertmanager webhook body in bytes (a whole group: up to 1,000 alerts). Env
   * `MONITORING_WEBHOOK_BODY_LIMIT_BYTES`, default 10 MiB; at least `bodyLimitBytes`.
   */
  webhookBodyLimitBytes?: number;
  /** Serve the OpenAPI document and docs page at `/docs`: `true` (read key required, default), `'public'`, or `false`. */
  docs?: boolean | 'public';
  /** Passed to the alert routes (`src/alerts`) as is; `authorize` is supplied by this plugin. */
  alerts?: Omit<AlertRoutesOptions, 'authorize'>;
  /**
   * Status page history and incidents, kept in the alert store: its database (default: opened
   * from the alert store URL and shared with the alert manager the plugin creates), bar length and
   * public URL; `false` shows the present only.
   */
  statusPage?: StatusPageOptions | false;
  /** Environment to read instead of `process.env` (tests). */
  env?: Record<string, string | undefined>;
}

/** What `normalizeOptions` returns: every option with its environment value or default applied. */
export interface ResolvedOptions {
  serviceName: string;
  apiKeys: ApiKey[];
  checks: HealthCheck[];
  healthRegistry?: HealthRegistry;
  timeoutMs: number;
  cacheTtlMs: number;
  prometheusUrl?: string;
  prometheusSelector?: string;
  metricsSource?: MetricsSource;
  kpisFromProcess: boolean;
  sloTarget: number;
  retention: RetentionPolicy[];
  dashboardsDir?: string;
  rateLimitPerMinute: number | false;
  bodyLimitBytes: number;
  webhookBodyLimitBytes: number;
  docs: boolean | 'public';
  alerts: Omit<AlertRoutesOptions, 'authorize'>;
  statusPage: StatusPageOptions | false | undefined;
  env: Record<string, string | undefined>;
}

/** The largest webhook body limit accepted (100 MiB). */
const MAX_WEBHOOK_BODY_LIMIT = 100 * 1024 * 1024;

export function normalizeOptions(options: MonitoringOptions = {}): ResolvedOptions {
  const env = options.env ?? process.env;
  const apiKeys =
    typeof options.apiKeys === 'string'
      ? parseApiKeys(options.apiKeys, 'apiKeys')
      : (options.apiKeys ?? parseApiKeys(env.MONITORING_API_KEYS ?? ''));
  const read = readSettings(env);
  const timeoutSeconds = read.number('HEALTH_CHECK_TIMEOUT_SECONDS', {
    default: DEFAULTS.healthCheckTimeoutSeconds,
    min: 0,
    minExclusive: true,
    max: 300,
    option: { name: 'healthCheckTimeoutSeconds', value: options.healthCheckTimeoutSeconds },
  });
  const ttlSeconds = read.number('HEALTH_CHECK_CACHE_TTL_SECONDS', {
    default: DEFAULTS.healthCheckCacheTtlSeconds,
    min: 0,
    max: 3600,
    option: { name: 'healthCheckCacheTtlSeconds', value: options.healthCheckCacheTtlSeconds },
  });
  const sloTarget = read.number('MONITORING_SLO_TARGET', {
    default: DEFAULTS.sloTarget,
    min: 0,
    max: 1,
    minExclusive: true,
    maxExclusive: true,
    option: { name: 'sloTarget', value: options.sloTarget },
  });
  const rateLimitPerMinute =
    options.rateLimitPerMinute === false ||
    (options.rateLimitPerMinute === undefined && read.string('MONITORING_RATE_LIMIT_PER_MINUTE') === 'false')
      ? false
      : read.integer('MONITORING_RATE_LIMIT_PER_MINUTE', {
          default: DEFAULTS.rateLimitPerMinute,
          min: 1,
          expected: 'a positive integer (or false)',
          option: { name: 'rateLimitPerMinute', value: options.rateLimitPerMinute },
        });
  const bodyLimitBytes = read.integer('MONITORING_BODY_LIMIT_BYTES', {
    default: DEFAULTS.bodyLimitBytes,
    min: 256,
    option: { name: 'bodyLimitBytes', value: options.bodyLimitBytes },
  });
  const webhookBodyLimitBytes = read.integer('MONITORING_WEBHOOK_BODY_LIMIT_BYTES', {
    default: Math.max(DEFAULTS.webhookBodyLimitBytes, bodyLimitBytes),
    min: bodyLimitBytes,
    max: MAX_WEBHOOK_BODY_LIMIT,
    expected: `an integer ≥ the body limit (${bodyLimitBytes}) and ≤ ${MAX_WEBHOOK_BODY_LIMIT}`,
    option: { name: 'webhookBodyLimitBytes', value: options.webhookBodyLimitBytes },
  });
  const days = (setting: string, fallback: number) =>
    read.integer(setting, { default: fallback, min: 1, expected: 'a positive integer' });
  const retention = options.retention ?? [
    { category: 'metrics', maxAgeDays: days('METRICS_RETENTION_DAYS', DEFAULTS.metricsRetentionDays) },
    {
      category: 'alert_history',
      maxAgeDays: days('ALERT_HISTORY_RETENTION_DAYS', DEFAULTS.alertHistoryRetentionDays),
    },
  ];
  for (const [i, p] of retention.entries()) {
    if (!p.category || !(Number.isInteger(p.maxAgeDays) && p.maxAgeDays > 0)) {
      throw new MonitoringConfigError(
        `retention[${i}]`,
        'needs a category and a positive integer maxAgeDays',
      );
    }
  }
  const prometheusUrl = read.url('PROMETHEUS_URL', {
    normalize: true,
    option: { name: 'prometheusUrl', value: options.prometheusUrl },
  });
  const prometheusSelector = options.prometheusSelector ?? env.PROMETHEUS_SELECTOR;
  return {
    serviceName: options.serviceName ?? env.OTEL_SERVICE_NAME ?? DEFAULTS.serviceName,
    apiKeys,
    checks: options.checks ?? [],
    ...(options.healthRegistry && { healthRegistry: options.healthRegistry }),
    timeoutMs: timeoutSeconds * 1000,
    cacheTtlMs: ttlSeconds * 1000,
    ...(prometheusUrl && { prometheusUrl }),
    ...(prometheusSelector && { prometheusSelector }),
    ...(options.metricsSource && { metricsSource: options.metricsSource }),
    kpisFromProcess: options.kpisFromProcess ?? true,
    sloTarget,
    retention,
    ...(options.dashboardsDir && { dashboardsDir: options.dashboardsDir }),
    rateLimitPerMinute,
    bodyLimitBytes,
    webhookBodyLimitBytes,
    docs: options.docs ?? true,
    alerts: options.alerts ?? {},
    statusPage: options.statusPage,
    env,
  };
}
