/** Public incidents and scheduled maintenance: what the status page, its feeds and the API show. */

export const IMPACTS = ['none', 'minor', 'major', 'critical'] as const;
export type Impact = (typeof IMPACTS)[number];

export const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export const MAINTENANCE_STATUSES = ['scheduled', 'in_progress', 'verifying', 'completed'] as const;
export const UPDATE_STATUSES = [...INCIDENT_STATUSES, ...MAINTENANCE_STATUSES] as const;
export type IncidentStatus = (typeof UPDATE_STATUSES)[number];

export const INCIDENT_KINDS = ['incident', 'maintenance'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

/** Who opened it: the API, an alert routed by a public rule, or a routing maintenance window. */
export type IncidentOrigin = 'api' | 'alert' | 'maintenance' | 'demo';

export interface IncidentUpdate {
  id: number;
  status: IncidentStatus;
  body: string;
  createdAt: Date;
}

export interface Incident {
  id: string;
  kind: IncidentKind;
  title: string;
  impact: Impact;
  /** The latest update's status (maintenance: moved on by its schedule, see `effectiveStatus`). */
  status: IncidentStatus;
  /** Health check names of the affected components (the page shows their display names). */
  components: string[];
  origin: IncidentOrigin;
  scheduledFor: Date | null;
  scheduledUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
  resolvedAt: Date | null;
  /** Oldest first. */
  updates: IncidentUpdate[];
}

/** Text a public routing rule or maintenance window gives the status page (never the alert's). */
export interface PublicIncidentTemplate {
  title: string;
  impact: Impact;
  components: string[];
  /** First update's text. */
  message: string;
  /** The "monitoring" update added when the alert resolves. */
  resolvedMessage?: string;
}

export const isClosed = (status: IncidentStatus) => status === 'resolved' || status === 'completed';
