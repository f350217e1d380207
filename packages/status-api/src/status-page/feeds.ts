/**
 * Machine-readable status: an Atom feed of incidents (RFC 4287) and JSON in the shape of
 * Statuspage's public API v2 `summary.json` / `status.json`, so aggregators and chat
 * integrations that read Statuspage pages read this one without code.
 */
import { createHash } from 'node:crypto';
import type { IncidentUpdate } from '../incidents/types.ts';
import { escapeHtml, utc } from './html.ts';
import type { PageIncident, PageModel } from './model.ts';

export const pageId = (name: string) =>
  createHash('sha256').update(`page:${name}`).digest('hex').slice(0, 12);
const iso = (d: Date | null) => (d ? d.toISOString() : null);

function updateJson(p: PageIncident, u: IncidentUpdate) {
  return {
    id: String(u.id),
    status: u.status,
    body: u.body,
    incident_id: p.incident.id,
    created_at: u.createdAt.toISOString(),
    updated_at: u.createdAt.toISOString(),
    display_at: u.createdAt.toISOString(),
    affected_components: null,
    deliver_notifications: true,
    custom_tweet: null,
    tweet_id: null,
  };
}

function incidentJson(m: PageModel, p: PageIncident, url: string) {
  const i = p.incident;
  const updates = [...i.updates].reverse();
  const monitoring = i.updates.find((u) => u.status === 'monitoring');
  const out: Record<string, unknown> = {
    id: i.id,
    name: i.title,
    status: p.status,
    created_at: i.createdAt.toISOString(),
    updated_at: i.updatedAt.toISOString(),
    monitoring_at: iso(monitoring?.createdAt ?? null),
    resolved_at: iso(i.resolvedAt),
    impact: i.impact,
    shortlink: `${url}#incident-${i.id}`,
    started_at: (i.scheduledFor ?? i.createdAt).toISOString(),
    page_id: pageId(m.name),
    incident_updates: updates.map((u) => updateJson(p, u)),
    components: p.components.map((c) => componentJson(m, c.id, c.name, c.status, c.position)),
  };
  if (i.kind === 'maintenance') {
    out.scheduled_for = iso(i.scheduledFor);
    out.scheduled_until = iso(i.scheduledUntil);
  }
  return out;
}

function componentJson(m: PageModel, id: string, name: string, status: string, position: number) {
  return {
    id,
    name,
    status,
    created_at: m.updatedAt.toISOString(),
    updated_at: m.updatedAt.toISOString(),
    position,
    description: null,
    showcase: true,
    start_date: null,
    group_id: null,
    page_id: pageId(m.name),
    group: false,
    only_show_if_degraded: false,
  };
}

function pageJson(m: PageModel, url: string) {
  return {
    id: pageId(m.name),
    name: m.name,
    url,
    time_zone: 'Etc/UTC',
    updated_at: m.updatedAt.toISOString(),
  };
}

/** Statuspage's `status.json`: the page and its indicator. */
export function statusJson(m: PageModel, url: string) {
  return { page: pageJson(m, url), status: { indicator: m.indicator, description: m.description } };
}

/** Statuspage's `summary.json`: components, unresolved incidents, upcoming or active maintenance. */
export function summaryJson(m: PageModel, url: string) {
  return {
    page: pageJson(m, url),
    components: m.components.map((c) => componentJson(m, c.id, c.name, c.status, c.position)),
    incidents: m.active.map((p) => incidentJson(m, p, url)),
    scheduled_maintenances: m.maintenance.map((p) => incidentJson(m, p, url)),
    status: { indicator: m.indicator, description: m.description },
  };
}

const xml = escapeHtml;

/** Atom feed: one entry per incident or maintenance (open and recent), newest first. */
export function atomFeed(m: PageModel, pageUrl: string, feedUrl: string): string {
  const all = [...m.active, ...m.maintenance, ...m.recent].sort(
    (a, b) => b.incident.updatedAt.getTime() - a.incident.updatedAt.getTime(),
  );
  const updated = all[0]?.incident.updatedAt ?? m.updatedAt;
  const entries = all
    .map((p) => {
      const i = p.incident;
      const timeline = [...i.updates]
        .reverse()
        .map((u) => `<p><strong>${xml(u.status)}</strong> (${utc(u.createdAt)}): ${xml(u.body)}</p>`)
        .join('');
      const affects = p.components.length
        ? `<p>Affects: ${p.components.map((c) => xml(c.name)).join(', ')}</p>`
        : '';
      return `
  <entry>
    <id>urn:uuid:${i.id}</id>
    <title>${xml(i.kind === 'maintenance' ? `Maintenance: ${i.title}` : i.title)}</title>
    <published>${i.createdAt.toISOString()}</published>
    <updated>${i.updatedAt.toISOString()}</updated>
    <link rel="alternate" type="text/html" href="${xml(`${pageUrl}#incident-${i.id}`)}"/>
    <category term="${i.impact}" label="impact"/>
    <content type="html">${xml(`<p>Status: ${p.status}, impact: ${i.impact}</p>${affects}${timeline}`)}</content>
  </entry>`;
    })
    .join('');
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>urn:authlens:status:${pageId(m.name)}</id>
  <title>${xml(m.name)} status: incidents</title>
  <updated>${updated.toISOString()}</updated>
  <link rel="alternate" type="text/html" href="${xml(pageUrl)}"/>
  <link rel="self" type="application/atom+xml" href="${xml(feedUrl)}"/>
  <author><name>${xml(m.name)}</name></author>${entries}
</feed>
`;
}
