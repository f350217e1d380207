/**
 * The health registry: runs checks concurrently, each under its own timeout, caches results
 * for a TTL and refreshes stale ones in the background (stale-while-revalidate with a single
 * run in flight per check), so a burst of probes costs one run per check per TTL.
 */
import { metrics } from '@opentelemetry/api';
import { MonitoringConfigError } from '../errors.ts';
import type { HealthCheck, HealthCheckResult, HealthReport, HealthStatus } from './types.ts';

export interface HealthRegistryOptions {
  /** Default per-check timeout (ms). Default 5000. */
  timeoutMs?: number;
  /** How long a result is served from cache (ms). Default 30000; 0 disables caching. */
  cacheTtlMs?: number;
  checks?: HealthCheck[];
}

export interface RunOptions {
  /** Only these checks (by name). */
  names?: string[];
  /** Only critical checks (readiness). */
  criticalOnly?: boolean;
  /** Ignore the cache and run now. */
  fresh?: boolean;
}

export interface HealthRegistry {
  register(check: HealthCheck): void;
  unregister(name: string): boolean;
  names(): string[];
  /** Runs (or serves from cache) the selected checks concurrently. */
  run(options?: RunOptions): Promise<HealthReport>;
  /** Number of times each check function has actually run (for tests and diagnostics). */
  runCounts(): Record<string, number>;
  /** Stops the gauge and closes every check that owns resources. Safe to call twice. */
  close(): Promise<void>;
}

interface Entry {
  check: HealthCheck;
  result?: HealthCheckResult;
  finishedAt: number;
  inflight?: Promise<HealthCheckResult>;
  runs: number;
}

const NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const STATUS_VALUE: Record<HealthStatus, number> = { pass: 1, warn: 0.5, fail: 0 };

/**
 * Overall score 0–100: the weighted mean of check values (pass 1, warn 0.5, fail 0),
 * critical checks weighing 2 and non-critical ones 1, rounded to an integer. No checks → 100.
 */
export function healthScore(results: readonly Pick<HealthCheckResult, 'status' | 'critical'>[]): number {
  let total = 0;
  let weight = 0;
  for (const r of results) {
    const w = r.critical ? 2 : 1;
    total += w * STATUS_VALUE[r.status];
    weight += w;
  }
  return weight === 0 ? 100 : Math.round((100 * total) / weight);
}

/** fail if a critical check fails; warn if any check warns or a non-critical one fails; else pass. */
export function overallStatus(
  results: readonly Pick<HealthCheckResult, 'status' | 'critical'>[],
): HealthStatus {
  let status: HealthStatus = 'pass';
  for (const r of results) {
    if (r.status === 'fail' && r.critical) return 'fail';
    if (r.status !== 'pass') status = 'warn';
  }
  return status;
}

function errorMessage(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return errorMessage(err.errors[0]);
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

export function createHealthRegistry(options: HealthRegistryOptions = {}): HealthRegistry {
  const timeoutMs = options.timeoutMs ?? 5000;
  const ttlMs = options.cacheTtlMs ?? 30_000;
  if (!(timeoutMs > 0)) throw new MonitoringConfigError('timeoutMs', 'must be a positive number');
  if (!(ttlMs >= 0)) throw new MonitoringConfigError('cacheTtlMs', 'must be zero or positive');
  const entries = new Map<string, Entry>();
  let closed = false;

  const gauge = metrics
    .getMeter('@authlens/status-api')
    .createObservableGauge('authlens.health.check.status', {
      unit: '1',
      description: 'Last result of each health check: 1 pass, 0.5 warn, 0 fail',
    });
  const observe = (result: { observe(value: number, attributes: Record<string, string>): void }) => {
    for (const entry of entries.values()) {
      if (entry.result)
        result.observe(STATUS_VALUE[entry.result.status], { 'health.check': entry.check.name });
    }
  };
  gauge.addCallback(observe);

  function execute(entry: Entry): Promise<HealthCheckResult> {
    if (entry.inflight) return entry.inflight;
    const { check } = entry;
    const limit = check.timeoutMs ?? timeoutMs;
    const controller = new AbortController();
    const started = performance.now();
    entry.runs += 1;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new Error(`timed out after ${limit} ms`);
        controller.abort(err);
        reject(err);
      }, limit);
    });
    const base = {
      name: check.name,
      critical: check.critical ?? true,
      componentType: check.componentType ?? 'component',
      displayName: check.displayName ?? check.name,
    };
    const run = Promise.race([Promise.resolve().then(() => check.check(controller.signal)), timeout])
      .then(
        (outcome): HealthCheckResult => ({
          ...base,
          ...outcome,
          time: new Date().toISOString(),
          durationMs: Math.round(performance.now() - started),
        }),
        (err: unknown): HealthCheckResult => ({
          ...base,
          status: 'fail',
          message: 'check failed',
          error: errorMessage(err),
          time: new Date().toISOString(),
          durationMs: Math.round(performance.now() - started),
        }),
      )
      .then((result) => {
        clearTimeout(timer);
        entry.result = result;
        entry.finishedAt = Date.now();
        entry.inflight = undefined;
        return result;
      });
    entry.inflight = run;
    return run;
  }

  function get(entry: Entry, fresh: boolean): Promise<HealthCheckResult> {
    if (fresh || !entry.result) return execute(entry);
    const age = Date.now() - entry.finishedAt;
    if (age < ttlMs) return Promise.resolve(entry.result);
    // Stale: serve the last result while one refresh runs, unless it is far too old.
    const refresh = execute(entry);
    return age < 2 * ttlMs ? Promise.resolve(entry.result) : refresh;
  }

  const registry: HealthRegistry = {
    register(check) {
      if (!NAME.test(check.name)) {
        throw new MonitoringConfigError('check.name', `'${check.name}' must match ${NAME.source}`);
      }
      if (entries.has(check.name)) {
        throw new MonitoringConfigError('check.name', `a check named '${check.name}' is already registered`);
      }
      entries.set(check.name, { check, finishedAt: 0, runs: 0 });
    },
    unregister(name) {
      return entries.delete(name);
    },
    names() {
      return [...entries.keys()];
    },
    async run(runOptions = {}) {
      const selected = [...entries.values()].filter(
        (e) =>
          (!runOptions.names || runOptions.names.includes(e.check.name)) &&
          (!runOptions.criticalOnly || (e.check.critical ?? true)),
      );
      const checks = await Promise.all(selected.map((e) => get(e, runOptions.fresh === true)));
      return { status: overallStatus(checks), score: healthScore(checks), checks };
    },
    runCounts() {
      return Object.fromEntries([...entries.values()].map((e) => [e.check.name, e.runs]));
    },
    async close() {
      if (closed) return;
      closed = true;
      gauge.removeCallback(observe);
      await Promise.allSettled([...entries.values()].map((e) => e.check.close?.()));
    },
  };
  for (const check of options.checks ?? []) registry.register(check);
  return registry;
}
