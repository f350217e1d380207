/**
 * The public status: Statuspage-style component states derived from check results, with no
 * internal detail (no messages, errors, observed values or host names). The page itself is
 * rendered by `src/status-page/`.
 */
import type { HealthCheckResult } from './types.ts';

export type ComponentState = 'operational' | 'degraded_performance' | 'partial_outage' | 'major_outage';
export type Indicator = 'none' | 'minor' | 'major';

export interface PublicStatus {
  page: { name: string; updated_at: string };
  status: { indicator: Indicator; description: string };
  components: Array<{ name: string; status: ComponentState }>;
}

/** pass → operational; warn → degraded performance; failing non-critical → partial outage; failing critical → major outage. */
export function componentState(result: Pick<HealthCheckResult, 'status' | 'critical'>): ComponentState {
  if (result.status === 'pass') return 'operational';
  if (result.status === 'warn') return 'degraded_performance';
  return result.critical ? 'major_outage' : 'partial_outage';
}

export const STATE_DESCRIPTIONS: Record<ComponentState, string> = {
  operational: 'All Systems Operational',
  degraded_performance: 'Degraded Performance',
  partial_outage: 'Partial System Outage',
  major_outage: 'Major System Outage',
};
export const STATE_RANK: Record<ComponentState, number> = {
  operational: 0,
  degraded_performance: 1,
  partial_outage: 2,
  major_outage: 3,
};

export function publicStatus(pageName: string, results: HealthCheckResult[], now = new Date()): PublicStatus {
  const components = results.map((r) => ({ name: r.displayName, status: componentState(r) }));
  const worst = components.reduce<ComponentState>(
    (w, c) => (STATE_RANK[c.status] > STATE_RANK[w] ? c.status : w),
    'operational',
  );
  const indicator: Indicator =
    worst === 'operational' ? 'none' : worst === 'major_outage' ? 'major' : 'minor';
  return {
    page: { name: pageName, updated_at: now.toISOString() },
    status: { indicator, description: STATE_DESCRIPTIONS[worst] },
    components,
  };
}
