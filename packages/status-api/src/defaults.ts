/**
 * Every default of the status API's settings, in one frozen object: the plugin's options, the
 * standalone server, the alert store and manager, the scheduled jobs and the status page.
 * `docs/configuration.md` lists the same values. Imports nothing, so every module may use it.
 */
export const DEFAULTS = Object.freeze({
  serviceName: 'authlens',
  healthCheckTimeoutSeconds: 5,
  healthCheckCacheTtlSeconds: 30,
  sloTarget: 0.999,
  rateLimitPerMinute: 120,
  bodyLimitBytes: 16_384,
  /** The Alertmanager webhook's body limit: a whole group, up to 1,000 alerts (10 MiB). */
  webhookBodyLimitBytes: 10 * 1024 * 1024,
  metricsRetentionDays: 90,
  alertHistoryRetentionDays: 30,
  /** `ALERT_STORE_URL`: the embedded SQLite file. */
  storeUrl: 'sqlite:./data/authlens.db',
  /** `authlens serve`. */
  server: Object.freeze({ port: 8000, host: '0.0.0.0', prefix: '/monitoring' }),
  /** The SMTP port when `SMTP_HOST` is set without `SMTP_PORT`. */
  smtpPort: 25,
  alerts: Object.freeze({
    emailFrom: 'authlens@localhost',
    retry: Object.freeze({ maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 300_000 }),
    heartbeatMs: 1000,
    replicaTimeoutMs: 5000,
  }),
  jobs: Object.freeze({
    digestFrom: 'authlens@localhost',
    /** How often the scheduler looks for due jobs. */
    tickMs: 5000,
  }),
  /** Days of history on the status page. */
  statusPageDays: 90,
} as const);
