/**
 * The health-check API: a check is a name, a criticality and an async function that reports
 * `pass`, `warn` or `fail` (the `application/health+json` statuses) with observed values.
 */

export type HealthStatus = 'pass' | 'warn' | 'fail';

/** One measurement of a component, as in the `checks` object of `application/health+json`. */
export interface HealthObservation {
  /** What is measured, e.g. `responseTime`, `connections`, `memory`. */
  measurement: string;
  observedValue: number | string | boolean;
  /** e.g. `ms`, `bytes`, `percent`, `connections`. */
  observedUnit?: string;
  /** Status of this measurement; defaults to the check's status. */
  status?: HealthStatus;
}

/** What a check function returns. */
export interface HealthCheckOutcome {
  status: HealthStatus;
  /** Short human-readable summary; shown only on authenticated endpoints. */
  message?: string;
  observations?: HealthObservation[];
  /** Extra detail (counts, settings); shown only on authenticated endpoints. */
  details?: Record<string, number | string | boolean | null>;
}

export interface HealthCheck {
  /** Unique, stable name: `[a-z0-9_.-]+`, also the `health.check` metric attribute. */
  name: string;
  /** A failing critical check fails readiness and the overall status; a non-critical one degrades. Default true. */
  critical?: boolean;
  /** `componentType` in health+json: `datastore`, `system`, `component`, `http`. */
  componentType?: string;
  /** Name on the public status page (no hostnames); defaults to `name`. */
  displayName?: string;
  /** Overrides the registry timeout for this check. */
  timeoutMs?: number;
  /** Runs the check. The signal aborts when the timeout expires; a throw counts as `fail`. */
  check(signal: AbortSignal): Promise<HealthCheckOutcome>;
  /** Releases resources the check owns (connections, timers); called by `registry.close()`. */
  close?(): Promise<void> | void;
}

/** A check's last result, as cached by the registry. */
export interface HealthCheckResult extends HealthCheckOutcome {
  name: string;
  critical: boolean;
  componentType: string;
  displayName: string;
  /** ISO time the check finished. */
  time: string;
  durationMs: number;
  /** Error message when the check threw or timed out (authenticated endpoints only). */
  error?: string;
}

export interface HealthReport {
  status: HealthStatus;
  /** 0–100; see `healthScore()`. */
  score: number;
  checks: HealthCheckResult[];
}
