/**
 * What every job works with: one database (the alert store's, `ALERT_STORE_URL`) holding the
 * alert tables and the job tables, an alert manager on it, a health registry and a KPI backend.
 * One connection pool per process: on SQLite a second connection to the same file inside one
 * process could wait on itself, so the alert store is built over the same `Database`.
 */
import { type AlertManager, createAlertManager } from '../alerts/index.ts';
import { checksFromEnv } from '../health/checks.ts';
import { processCheck } from '../health/process-check.ts';
import { createHealthRegistry, type HealthRegistry } from '../health/registry.ts';
import type { HealthCheck } from '../health/types.ts';
import { createIncidents } from '../incidents/service.ts';
import {
  createPrometheusBackend,
  createSdkBackend,
  type KpiBackend,
  type KpiPeriod,
  type MetricsSource,
  sdkMetricsSource,
} from '../metrics/source.ts';
import { type Database, migrate, openDatabase, storeOver } from '../store/index.ts';
import { type Env, type JobSettings, resolveJobSettings } from './config.ts';
import { jobMigrations } from './migrations.ts';

export interface JobRuntimeOptions {
  /** Environment to read (default `process.env`). */
  env?: Env;
  /** Default `ALERT_STORE_URL`, then `sqlite:./data/authlens.db`. */
  storeUrl?: string;
  /** KPI backend; default Prometheus when `PROMETHEUS_URL` is set, else the in-process SDK metrics. */
  kpis?: KpiBackend;
  /** In-process metrics for the default backend (default: `currentHandle().metrics` of `@authlens/sdk`). */
  metricsSource?: MetricsSource;
  /** Health checks; default `process`, the store, and `DATABASE_URL` / `REDIS_URL` when set. */
  checks?: HealthCheck[];
  /** Run the alert manager's delivery/escalation workers in this process (default false). */
  alertWorkers?: boolean;
  /** Clock (tests). */
  now?: () => Date;
  /** Progress lines for long runs (the CLI prints them on stderr). */
  progress?: (line: string) => void;
}

export interface JobRuntime {
  readonly settings: JobSettings;
  readonly env: Env;
  readonly db: Database;
  readonly alerts: AlertManager;
  readonly health: HealthRegistry;
  readonly kpis: KpiBackend;
  /**
   * KPIs over exactly `period` when the source can answer any period (`PROMETHEUS_URL`: queries
   * evaluated at its end over its length); undefined for in-process metrics and a given `kpis`.
   */
  kpisOver(period: KpiPeriod): KpiBackend | undefined;
  now(): Date;
  progress(line: string): void;
  close(): Promise<void>;
}

/** The `alert_store` health check: a round trip to the job/alert database. */
export function storeCheck(db: Database): HealthCheck {
  return {
    name: 'alert_store',
    displayName: 'Alert store',
    componentType: 'datastore',
    critical: true,
    async check() {
      const started = performance.now();
      await db.query('SELECT 1 AS ok');
      const ms = Math.round((performance.now() - started) * 100) / 100;
      return {
        status: ms > 1000 ? 'warn' : 'pass',
        observations: [{ measurement: 'responseTime', observedValue: ms, observedUnit: 'ms' }],
        details: { dialect: db.dialect },
      };
    },
  };
}

/** The checks `authlens serve` and the health job run: process, store, and env-declared services. */
export function defaultChecks(db: Database, env: Env): HealthCheck[] {
  return [processCheck(), storeCheck(db), ...checksFromEnv(env)];
}

/** Opens the store, applies the alert and job migrations, and builds the rest. */
export async function createJobRuntime(options: JobRuntimeOptions = {}): Promise<JobRuntime> {
  const env = options.env ?? process.env;
  const settings = resolveJobSettings(env, options.storeUrl);
  const db = openDatabase(settings.storeUrl);
  let alerts: AlertManager | undefined;
  let health: HealthRegistry | undefined;
  try {
    await migrate(db);
    await migrate(db, jobMigrations);
    alerts = await createAlertManager({
      store: storeOver(db),
      env,
      workers: options.alertWorkers ?? false,
      // Alerts of public routing rules open status-page incidents (src/incidents/alert-hook.ts).
      statusPageHook: createIncidents(db).onAlert,
    });
    health = createHealthRegistry({
      timeoutMs: settings.healthTimeoutMs,
      cacheTtlMs: settings.healthCacheTtlMs,
      checks: options.checks ?? defaultChecks(db, env),
    });
  } catch (err) {
    await alerts?.close();
    await db.close();
    throw err;
  }
  const prometheus = (over?: KpiPeriod) =>
    createPrometheusBackend({
      url: settings.prometheusUrl as string,
      timeoutMs: settings.healthTimeoutMs,
      ...(settings.prometheusSelector && { selector: settings.prometheusSelector }),
      ...(over && { over }),
    });
  const kpis =
    options.kpis ??
    (settings.prometheusUrl
      ? prometheus()
      : createSdkBackend(() => options.metricsSource ?? sdkMetricsSource()));
  const manager = alerts;
  const registry = health;
  let closed = false;
  return {
    settings,
    env,
    db,
    alerts: manager,
    health: registry,
    kpis,
    kpisOver: (period) => (!options.kpis && settings.prometheusUrl ? prometheus(period) : undefined),
    now: options.now ?? (() => new Date()),
    progress: options.progress ?? (() => undefined),
    async close() {
      if (closed) return;
      closed = true;
      await registry.close();
      await manager.close();
      await db.close();
    },
  };
}
