/** What every built-in health check shares: its common options and the helpers that apply them. */
import type { HealthStatus } from './types.ts';

export interface CommonCheckOptions {
  /** Check name (also the `health.check` metric attribute); shown on authenticated endpoints only. */
  name?: string;
  critical?: boolean;
  /** Name on the public status page. Default: a generic label per kind (`Database`, `Cache`, …), never the name or a host. */
  displayName?: string;
  timeoutMs?: number;
  /** Latency above which the check reports `warn`. Default 1000 ms. */
  degradedMs?: number;
}

export const elapsed = (started: number) => Math.round((performance.now() - started) * 100) / 100;
export const latencyStatus = (ms: number, degradedMs: number): HealthStatus =>
  ms > degradedMs ? 'warn' : 'pass';

/**
 * Fields every built-in check shares. The public status page shows `displayName` only, so its
 * default is a generic label: a name (e.g. `httpCheck`'s host name, or `postgres`) would tell
 * the public what runs inside.
 */
export function common(
  options: CommonCheckOptions,
  defaults: { name: string; displayName: string; componentType: string; critical: boolean },
) {
  return {
    name: options.name ?? defaults.name,
    critical: options.critical ?? defaults.critical,
    componentType: defaults.componentType,
    displayName: options.displayName ?? defaults.displayName,
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
  };
}
