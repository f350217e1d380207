/**
 * The public status: Statuspage-style component states derived from check results, with no
 * internal detail (no messages, errors, observed values or host names) — as JSON and HTML.
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

const DESCRIPTIONS: Record<ComponentState, string> = {
  operational: 'All Systems Operational',
  degraded_performance: 'Degraded Performance',
  partial_outage: 'Partial System Outage',
  major_outage: 'Major System Outage',
};
const RANK: Record<ComponentState, number> = {
  operational: 0,
  degraded_performance: 1,
  partial_outage: 2,
  major_outage: 3,
};

export function publicStatus(pageName: string, results: HealthCheckResult[], now = new Date()): PublicStatus {
  const components = results.map((r) => ({ name: r.displayName, status: componentState(r) }));
  const worst = components.reduce<ComponentState>(
    (w, c) => (RANK[c.status] > RANK[w] ? c.status : w),
    'operational',
  );
  const indicator: Indicator =
    worst === 'operational' ? 'none' : worst === 'major_outage' ? 'major' : 'minor';
  return {
    page: { name: pageName, updated_at: now.toISOString() },
    status: { indicator, description: DESCRIPTIONS[worst] },
    components,
  };
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const LABELS: Record<ComponentState, string> = {
  operational: 'Operational',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
};

/** A self-contained page (no scripts, inline CSS) readable on a phone. */
export function statusHtml(status: PublicStatus): string {
  const rows = status.components
    .map(
      (c) =>
        `<li class="component" data-status="${c.status}"><span class="name">${escapeHtml(c.name)}</span>` +
        `<span class="state ${c.status}">${LABELS[c.status]}</span></li>`,
    )
    .join('\n      ');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta http-equiv="refresh" content="60">
  <title>${escapeHtml(status.page.name)} status</title>
  <style>
    :root { color-scheme: light dark; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
    body { margin: 0; padding: 1rem; background: Canvas; color: CanvasText; }
    main { max-width: 40rem; margin: 0 auto; }
    h1 { font-size: 1.4rem; margin: 0.5rem 0 1rem; }
    .banner { padding: 1rem; border-radius: 0.5rem; color: #fff; font-weight: 600; font-size: 1.1rem; }
    .banner.none { background: #2e7d32; } .banner.minor { background: #ef6c00; } .banner.major { background: #c62828; }
    ul { list-style: none; padding: 0; margin: 1rem 0; border: 1px solid #8884; border-radius: 0.5rem; }
    .component { display: flex; justify-content: space-between; gap: 1rem; padding: 0.9rem 1rem; border-top: 1px solid #8884; }
    .component:first-child { border-top: 0; }
    .name { font-weight: 500; overflow-wrap: anywhere; }
    .state { white-space: nowrap; font-weight: 600; }
    .operational { color: #2e7d32; } .degraded_performance { color: #b26a00; }
    .partial_outage { color: #ef6c00; } .major_outage { color: #c62828; }
    footer { font-size: 0.85rem; opacity: 0.75; }
  </style>
</head>
<body>
  <main>
    <h1>${escapeHtml(status.page.name)} status</h1>
    <div class="banner ${status.status.indicator}" id="overall">${escapeHtml(status.status.description)}</div>
    <ul id="components">
      ${rows}
    </ul>
    <footer>Updated <time datetime="${status.page.updated_at}">${status.page.updated_at.replace('T', ' ').slice(0, 19)} UTC</time></footer>
  </main>
</body>
</html>
`;
}
