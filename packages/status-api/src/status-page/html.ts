/**
 * The public status page as one self-contained HTML document: no scripts, inline CSS, light and
 * dark (`prefers-color-scheme`), readable at 360 px (the bars show 30 days there, 90 wider).
 * Every uptime cell carries a text alternative.
 */
import type { ComponentState } from '../health/status-page.ts';
import type { Impact, IncidentStatus } from '../incidents/types.ts';
import type { DayRecord } from '../status-history/history.ts';
import { formatUptime, uptime } from '../status-history/uptime.ts';
import type { PageComponent, PageIncident, PageIndicator, PageModel } from './model.ts';

export const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const STATE_LABELS: Record<ComponentState, string> = {
  operational: 'Operational',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
};
const STATUS_LABELS: Record<IncidentStatus, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
  scheduled: 'Scheduled',
  in_progress: 'In progress',
  verifying: 'Verifying',
  completed: 'Completed',
};
const IMPACT_LABELS: Record<Impact, string> = {
  none: 'No impact',
  minor: 'Minor impact',
  major: 'Major impact',
  critical: 'Critical impact',
};
const BANNER: Record<PageIndicator, string> = {
  none: 'ok',
  minor: 'partial',
  major: 'major',
  critical: 'major',
};
const CELL: Record<ComponentState, string> = {
  operational: 'ok',
  degraded_performance: 'degraded',
  partial_outage: 'partial',
  major_outage: 'major',
};

/** `2026-12-04 18:05 UTC` */
export const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const minutes = (seconds: number) => Math.round(seconds / 60);

function cellText(d: DayRecord): string {
  const date = new Date(d.day).toISOString().slice(0, 10);
  const demo = d.demo ? ' (demo data)' : '';
  if (d.worst === null) return `${date}: no data`;
  const parts: string[] = [];
  if (d.major) parts.push(`major outage ${minutes(d.major)} min`);
  if (d.partial) parts.push(`partial outage ${minutes(d.partial)} min`);
  if (d.degraded) parts.push(`degraded ${minutes(d.degraded)} min`);
  const detail = parts.length ? `, ${parts.join(', ')}` : '';
  return `${date}: ${STATE_LABELS[d.worst]}${detail}, uptime ${formatUptime(uptime(d))}${demo}`;
}

function bar(c: PageComponent, days: number): string {
  const h = c.history;
  if (!h) return '';
  const cells = h.days
    .map((d) => {
      const text = escapeHtml(cellText(d));
      const cls = d.worst === null ? 'none' : CELL[d.worst];
      return `<li class="day c-${cls}${d.demo ? ' demo' : ''}" title="${text}"><span class="sr">${text}</span></li>`;
    })
    .join('');
  return `
        <ol class="days" aria-label="${escapeHtml(c.name)}: daily uptime, oldest first">${cells}</ol>
        <p class="legend"><span class="wide">${days} days ago</span><span class="narrow">30 days ago</span><span>Today</span></p>
        <p class="uptime">${formatUptime(h.uptime.d90)} uptime over ${days} days · ${formatUptime(h.uptime.d30)} over 30 · ${formatUptime(h.uptime.d7)} over 7</p>`;
}

function component(c: PageComponent, days: number): string {
  return `
      <li class="component" data-status="${c.status}">
        <div class="row"><span class="name">${escapeHtml(c.name)}</span><span class="state t-${CELL[c.status]}">${STATE_LABELS[c.status]}</span></div>${bar(c, days)}
      </li>`;
}

function incident(p: PageIncident): string {
  const i = p.incident;
  const affects = p.components.length
    ? ` · Affects: ${p.components.map((c) => escapeHtml(c.name)).join(', ')}`
    : '';
  const window =
    i.kind === 'maintenance' && i.scheduledFor && i.scheduledUntil
      ? `<p class="meta">Scheduled for <time datetime="${i.scheduledFor.toISOString()}">${utc(i.scheduledFor)}</time> until <time datetime="${i.scheduledUntil.toISOString()}">${utc(i.scheduledUntil)}</time></p>`
      : '';
  const updates = [...i.updates]
    .reverse()
    .map(
      (u) =>
        `<li><span class="status">${STATUS_LABELS[u.status]}</span> — ${escapeHtml(u.body)} <time datetime="${u.createdAt.toISOString()}">${utc(u.createdAt)}</time></li>`,
    )
    .join('');
  return `
      <article class="incident" id="incident-${i.id}" data-kind="${i.kind}" data-status="${p.status}">
        <h3>${escapeHtml(i.title)}</h3>
        <p class="meta"><span class="impact i-${i.impact}">${IMPACT_LABELS[i.impact]}</span> · ${STATUS_LABELS[p.status]}${affects}</p>${window}
        <ol class="timeline">${updates}</ol>
      </article>`;
}

function section(id: string, title: string, items: PageIncident[], empty?: string): string {
  if (items.length === 0 && !empty) return '';
  const body = items.length ? items.map(incident).join('') : `<p class="empty">${empty}</p>`;
  return `
    <section aria-labelledby="${id}"><h2 id="${id}">${title}</h2>${body}
    </section>`;
}

export interface HtmlLinks {
  atom: string;
  summary: string;
}

export function statusPageHtml(m: PageModel, links: HtmlLinks): string {
  const name = escapeHtml(m.name);
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="color-scheme" content="light dark">
  <title>${name} status</title>
  <link rel="alternate" type="application/atom+xml" title="${name} incidents" href="${escapeHtml(links.atom)}">
  <style>
    :root { color-scheme: light dark; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
      --bg: #ffffff; --fg: #1f2328; --muted: #57606a; --line: #d0d7de; --on: #ffffff;
      --ok: #1a7f37; --degraded: #9a6700; --partial: #bc4c00; --major: #cf222e; --none: #d0d7de; }
    @media (prefers-color-scheme: dark) {
      :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9da7b3; --line: #30363d; --on: #0d1117;
        --ok: #3fb950; --degraded: #d29922; --partial: #f0883e; --major: #ff7b72; --none: #30363d; }
    }
    body { margin: 0; padding: 1rem; background: var(--bg); color: var(--fg); line-height: 1.45; }
    header, main, footer { max-width: 46rem; margin: 0 auto; }
    h1 { font-size: 1.4rem; margin: 0.5rem 0 1rem; }
    h2 { font-size: 1.1rem; margin: 1.75rem 0 0.75rem; }
    h3 { font-size: 1rem; margin: 0 0 0.25rem; }
    .banner { padding: 1rem; border-radius: 0.5rem; color: var(--on); font-weight: 600; font-size: 1.1rem; margin: 0; }
    .banner.ok { background: var(--ok); } .banner.partial { background: var(--partial); } .banner.major { background: var(--major); }
    .demo-note { border: 1px dashed var(--muted); border-radius: 0.5rem; padding: 0.5rem 0.75rem; color: var(--fg); }
    ul.components { list-style: none; padding: 0; margin: 1rem 0; border: 1px solid var(--line); border-radius: 0.5rem; }
    .component { padding: 0.9rem 1rem; border-top: 1px solid var(--line); }
    .component:first-child { border-top: 0; }
    .row { display: flex; justify-content: space-between; gap: 1rem; }
    .name { font-weight: 500; overflow-wrap: anywhere; }
    .state { white-space: nowrap; font-weight: 600; }
    .t-ok { color: var(--ok); } .t-degraded { color: var(--degraded); } .t-partial { color: var(--partial); } .t-major { color: var(--major); }
    ol.days { display: flex; gap: 2px; list-style: none; padding: 0; margin: 0.6rem 0 0.25rem; height: 2rem; }
    .day { flex: 1 1 0; min-width: 0; border-radius: 1px; }
    .c-ok { background: var(--ok); } .c-degraded { background: var(--degraded); } .c-partial { background: var(--partial); }
    .c-major { background: var(--major); } .c-none { background: var(--none); }
    .legend { display: flex; justify-content: space-between; gap: 0.5rem; font-size: 0.8rem; color: var(--muted); margin: 0; }
    .uptime { font-size: 0.85rem; color: var(--muted); margin: 0.2rem 0 0; }
    .narrow { display: none; }
    @media (max-width: 600px) {
      .day:nth-child(-n+60) { display: none; }
      .wide { display: none; } .narrow { display: inline; }
    }
    .sr { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
    .incident { border: 1px solid var(--line); border-radius: 0.5rem; padding: 0.75rem 1rem; margin: 0 0 0.75rem; }
    .meta { color: var(--muted); font-size: 0.9rem; margin: 0 0 0.5rem; }
    .impact { font-weight: 600; }
    .i-minor { color: var(--degraded); } .i-major { color: var(--partial); } .i-critical { color: var(--major); }
    .timeline { list-style: none; padding: 0; margin: 0; }
    .timeline li { padding: 0.35rem 0; border-top: 1px solid var(--line); overflow-wrap: anywhere; }
    .timeline li:first-child { border-top: 0; }
    .timeline .status { font-weight: 600; }
    .timeline time { display: block; color: var(--muted); font-size: 0.85rem; }
    .empty { color: var(--muted); }
    a { color: inherit; }
    footer { font-size: 0.85rem; color: var(--muted); margin-top: 2rem; }
  </style>
</head>
<body>
  <header>
    <h1>${name} status</h1>
  </header>
  <main>
    <p class="banner ${BANNER[m.indicator]}" id="overall">${escapeHtml(m.description)}</p>${
      m.demo
        ? '\n    <p class="demo-note" id="demo-note"><strong>Demo data:</strong> part of the history below was seeded for demonstration (for example by <code>pnpm demo</code>), not measured.</p>'
        : ''
    }${section('h-active', 'Current incidents', m.active)}${section('h-maintenance', 'Scheduled maintenance', m.maintenance)}
    <section aria-labelledby="h-components"><h2 id="h-components">Components</h2>
    <ul class="components" id="components">${m.components.map((c) => component(c, m.days)).join('')}
    </ul>
    </section>${section('h-recent', 'Past incidents', m.recent, 'No incidents reported in the last 14 days.')}
  </main>
  <footer>
    <p>Updated <time datetime="${m.updatedAt.toISOString()}">${utc(m.updatedAt)}</time> · <a href="${escapeHtml(links.atom)}">Incident feed (Atom)</a> · <a href="${escapeHtml(links.summary)}">JSON summary</a></p>
  </footer>
</body>
</html>
`;
}
