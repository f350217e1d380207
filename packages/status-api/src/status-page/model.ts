/**
 * What the public page, the Atom feed and the Statuspage-shaped JSON show, built once per request
 * from the current check results, the stored history and the incidents. Only public text goes in:
 * display names, states, uptime figures and incident text written for the page.
 */
import { createHash } from 'node:crypto';
import {
  type ComponentState,
  componentState,
  STATE_DESCRIPTIONS,
  STATE_RANK,
} from '../health/status-page.ts';
import type { HealthCheckResult } from '../health/types.ts';
import { effectiveStatus } from '../incidents/service.ts';
import type { Impact, Incident, IncidentStatus } from '../incidents/types.ts';
import type { ComponentHistory } from '../status-history/history.ts';

export type PageIndicator = 'none' | 'minor' | 'major' | 'critical';

export interface PageComponent {
  /** Stable opaque id (a hash of the check name: the name itself stays internal). */
  id: string;
  name: string;
  status: ComponentState;
  position: number;
  history: ComponentHistory | null;
}

export interface PageIncident {
  incident: Incident;
  /** Maintenance moves on by its schedule. */
  status: IncidentStatus;
  /** Display names of the affected components that exist. */
  components: PageComponent[];
}

export interface PageModel {
  name: string;
  updatedAt: Date;
  indicator: PageIndicator;
  description: string;
  components: PageComponent[];
  /** Open incidents, newest first. */
  active: PageIncident[];
  /** Maintenance scheduled or in progress, soonest first. */
  maintenance: PageIncident[];
  /** Incidents and maintenance closed in the recent past, newest first. */
  recent: PageIncident[];
  /** Number of days of the uptime bars. */
  days: number;
  /** Some history shown is demo data. */
  demo: boolean;
}

export const componentId = (checkName: string) =>
  createHash('sha256').update(`component:${checkName}`).digest('hex').slice(0, 12);

const INCIDENT_DESCRIPTIONS: Record<Impact, string> = {
  none: 'All Systems Operational',
  minor: 'Minor Service Outage',
  major: 'Major Service Outage',
  critical: 'Critical Service Outage',
};
const INDICATOR_RANK: Record<PageIndicator, number> = { none: 0, minor: 1, major: 2, critical: 3 };

export interface ModelInput {
  name: string;
  checks: readonly HealthCheckResult[];
  history: readonly ComponentHistory[];
  incidents: readonly Incident[];
  days: number;
  now: Date;
}

export function buildPageModel(input: ModelInput): PageModel {
  const now = input.now.getTime();
  const historyBy = new Map(input.history.map((h) => [h.component, h]));
  const byName = new Map<string, PageComponent>();
  const components = input.checks.map((c, i) => {
    const pc: PageComponent = {
      id: componentId(c.name),
      name: c.displayName,
      status: componentState(c),
      position: i + 1,
      history: historyBy.get(c.name) ?? null,
    };
    byName.set(c.name, pc);
    return pc;
  });
  const page = (incident: Incident): PageIncident => ({
    incident,
    status: effectiveStatus(incident, now),
    components: incident.components.flatMap((n) => byName.get(n) ?? []),
  });
  const all = input.incidents.map(page);
  const closed = (p: PageIncident) => p.status === 'resolved' || p.status === 'completed';
  const active = all.filter((p) => p.incident.kind === 'incident' && !closed(p));
  const maintenance = all
    .filter((p) => p.incident.kind === 'maintenance' && !closed(p))
    .sort((a, b) => (a.incident.scheduledFor?.getTime() ?? 0) - (b.incident.scheduledFor?.getTime() ?? 0));
  const recent = all.filter(closed);

  const worst = components.reduce<ComponentState>(
    (w, c) => (STATE_RANK[c.status] > STATE_RANK[w] ? c.status : w),
    'operational',
  );
  let indicator: PageIndicator =
    worst === 'operational' ? 'none' : worst === 'major_outage' ? 'major' : 'minor';
  let description = STATE_DESCRIPTIONS[worst];
  for (const p of active) {
    if (INDICATOR_RANK[p.incident.impact] > INDICATOR_RANK[indicator]) {
      indicator = p.incident.impact;
      description = INCIDENT_DESCRIPTIONS[p.incident.impact];
    }
  }
  if (indicator === 'none' && maintenance.some((p) => p.status === 'in_progress'))
    description = 'Service Under Maintenance';
  return {
    name: input.name,
    updatedAt: input.now,
    indicator,
    description,
    components,
    active,
    maintenance,
    recent,
    days: input.days,
    demo: input.history.some((h) => h.days.some((d) => d.demo)),
  };
}
