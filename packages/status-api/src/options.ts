/**
 * The plugin's options, resolved once at registration: explicit option → environment
 * variable → default. A malformed value throws `MonitoringConfigError` naming the variable.
 */
import type { AlertRoutesOptions } from './alerts/index.ts';
import { DEFAULT_WEBHOOK_BODY_LIMIT } from './alerts/routes.ts';
import { type ApiKey, parseApiKeys } from './auth.ts';
import { MonitoringConfigError } from './errors.ts';
import type { HealthRegistry } from './health/registry.ts';
import type { HealthCheck } from './health/types.ts';
import type { RetentionPolicy } from './metrics/reports.ts';
import type { MetricsSource } from './metrics/source.ts';
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

function numberFrom(
  setting: string,
  explicit: number | undefined,
  raw: string | undefined,
  fallback: number,
  valid: (n: number) => boolean,
  expectation: string,
): number {
  let value = explicit;
  if (value === undefined && raw !== undefined && raw.trim() !== '') {
    value = Number(raw);
    if (!Number.isFinite(value)) throw new MonitoringConfigError(setting, `'${raw}' is not a number`);
  }
  value ??= fallback;
  if (!valid(value)) throw new MonitoringConfigError(setting, `${value} ${expectation}`);
  return value;
}

function urlFrom(setting: string, value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return url.href;
  } catch {
    throw new MonitoringConfigError(setting, `'${value}' is not an http(s) URL`);
  }
}

export function normalizeOptions(options: MonitoringOptions = {}): ResolvedOptions {
  const env = options.env ?? process.env;
  const apiKeys =
    typeof options.apiKeys === 'string'
      ? parseApiKeys(options.apiKeys, 'apiKeys')
      : (options.apiKeys ?? parseApiKeys(env.MONITORING_API_KEYS ?? ''));
  const timeoutSeconds = numberFrom(
    options.healthCheckTimeoutSeconds !== undefined
      ? 'healthCheckTimeoutSeconds'
      : 'HEALTH_CHECK_TIMEOUT_SECONDS',
    options.healthCheckTimeoutSeconds,
    env.HEALTH_CHECK_TIMEOUT_SECONDS,
    5,
    (n) => n > 0 && n <= 300,
    'must be > 0 and ≤ 300',
  );
  const ttlSeconds = numberFrom(
    options.healthCheckCacheTtlSeconds !== undefined
      ? 'healthCheckCacheTtlSeconds'
      : 'HEALTH_CHECK_CACHE_TTL_SECONDS',
    options.healthCheckCacheTtlSeconds,
    env.HEALTH_CHECK_CACHE_TTL_SECONDS,
    30,
    (n) => n >= 0 && n <= 3600,
    'must be ≥ 0 and ≤ 3600',
  );
  const sloTarget = numberFrom(
    options.sloTarget !== undefined ? 'sloTarget' : 'MONITORING_SLO_TARGET',
    options.sloTarget,
    env.MONITORING_SLO_TARGET,
    0.999,
    (n) => n > 0 && n < 1,
    'must be between 0 and 1 (exclusive)',
  );
  const rateLimitPerMinute =
    options.rateLimitPerMinute === false ||
    (options.rateLimitPerMinute === undefined && env.MONITORING_RATE_LIMIT_PER_MINUTE?.trim() === 'false')
      ? false
      : numberFrom(
          options.rateLimitPerMinute !== undefined
            ? 'rateLimitPerMinute'
            : 'MONITORING_RATE_LIMIT_PER_MINUTE',
          options.rateLimitPerMinute,
          env.MONITORING_RATE_LIMIT_PER_MINUTE,
          120,
          (n) => Number.isInteger(n) && n > 0,
          'must be a positive integer',
        );
  const bodyLimitBytes = numberFrom(
    options.bodyLimitBytes !== undefined ? 'bodyLimitBytes' : 'MONITORING_BODY_LIMIT_BYTES',
    options.bodyLimitBytes,
    env.MONITORING_BODY_LIMIT_BYTES,
    16_384,
    (n) => Number.isInteger(n) && n >= 256,
    'must be an integer ≥ 256',
  );
  const webhookBodyLimitBytes = numberFrom(
    options.webhookBodyLimitBytes !== undefined
      ? 'webhookBodyLimitBytes'
      : 'MONITORING_WEBHOOK_BODY_LIMIT_BYTES',
    options.webhookBodyLimitBytes,
    env.MONITORING_WEBHOOK_BODY_LIMIT_BYTES,
    Math.max(DEFAULT_WEBHOOK_BODY_LIMIT, bodyLimitBytes),
    (n) => Number.isInteger(n) && n >= bodyLimitBytes && n <= 100 * 1024 * 1024,
    `must be an integer ≥ the body limit (${bodyLimitBytes}) and ≤ 104857600`,
  );
  const days = (setting: string, fallback: number) =>
    numberFrom(
      setting,
      undefined,
      env[setting],
      fallback,
      (n) => Number.isInteger(n) && n > 0,
      'must be a positive integer',
    );
  const retention = options.retention ?? [
    { category: 'metrics', maxAgeDays: days('METRICS_RETENTION_DAYS', 90) },
    { category: 'alert_history', maxAgeDays: days('ALERT_HISTORY_RETENTION_DAYS', 30) },
  ];
  for (const [i, p] of retention.entries()) {
    if (!p.category || !(Number.isInteger(p.maxAgeDays) && p.maxAgeDays > 0)) {
      throw new MonitoringConfigError(
        `retention[${i}]`,
        'needs a category and a positive integer maxAgeDays',
      );
    }
  }
  const prometheusUrl =
    options.prometheusUrl !== undefined
      ? urlFrom('prometheusUrl', options.prometheusUrl)
      : urlFrom('PROMETHEUS_URL', env.PROMETHEUS_URL);
  const prometheusSelector = options.prometheusSelector ?? env.PROMETHEUS_SELECTOR;
  return {
    serviceName: options.serviceName ?? env.OTEL_SERVICE_NAME ?? 'authlens',
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
