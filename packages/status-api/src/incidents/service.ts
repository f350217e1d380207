/**
 * Incidents and scheduled maintenance over the alert store: created and updated through the
 * keyed API, opened by alerts that a public routing rule matches (text from the rule, never from
 * the alert), and scheduled from the routing file's public maintenance windows.
 */
import { AuthlensError } from '@authlens/sdk';
import type { Database } from '../store/database.ts';
import {
  addUpdate,
  getIncident,
  incidentByOrigin,
  insertIncident,
  listIncidents,
  pruneIncidents,
} from './store.ts';
import {
  type Impact,
  INCIDENT_STATUSES,
  type Incident,
  type IncidentKind,
  type IncidentStatus,
  isClosed,
  MAINTENANCE_STATUSES,
  type PublicIncidentTemplate,
} from './types.ts';

/** A refused incident change: `code` is its problem type, `field` the request field at fault. */
export class IncidentError extends AuthlensError {
  declare readonly code: 'invalid_field' | 'not_found' | 'conflict';
  readonly field: string;
  constructor(code: IncidentError['code'], message: string, field: string) {
    super(code, message);
    this.name = 'IncidentError';
    this.field = field;
  }
}

export interface CreateIncidentInput {
  kind?: IncidentKind;
  title: string;
  impact: Impact;
  status?: IncidentStatus;
  components?: string[];
  body: string;
  scheduledFor?: Date;
  scheduledUntil?: Date;
}

export interface AddUpdateInput {
  status: IncidentStatus;
  body: string;
  impact?: Impact;
}

/** A maintenance window from the routing file with the public text it shows. */
export interface PublicMaintenanceWindow {
  name: string;
  start: number;
  end: number;
  statusPage: Omit<PublicIncidentTemplate, 'impact' | 'resolvedMessage'> & { impact?: Impact };
}

/** What the alert manager tells the incidents module (see `alert-hook.ts`). */
export interface PublicAlertEvent {
  event: 'raised' | 'resolved';
  alertId: string;
  template: PublicIncidentTemplate;
}

export interface Incidents {
  create(input: CreateIncidentInput): Promise<Incident>;
  addUpdate(id: string, input: AddUpdateInput): Promise<Incident>;
  get(id: string): Promise<Incident | null>;
  /** Open incidents and those closed in the last `days` days, newest first. */
  list(opts?: { days?: number; limit?: number; kind?: IncidentKind; now?: Date }): Promise<Incident[]>;
  /** Opens (raised) or moves to "monitoring" (resolved) the incident of a public alert. Idempotent. */
  onAlert(event: PublicAlertEvent): Promise<Incident | null>;
  /** Creates the maintenance incident of each public window not yet known. Idempotent. */
  syncMaintenance(windows: readonly PublicMaintenanceWindow[], now?: Date): Promise<number>;
  prune(retentionDays: number, now: Date): Promise<number>;
}

const DEFAULT_RESOLVED_MESSAGE = 'A fix has been applied and we are monitoring the results.';

/** Maintenance moves on by its schedule: scheduled → in progress at its start, completed at its end. */
export function effectiveStatus(incident: Incident, now: number): IncidentStatus {
  if (incident.kind !== 'maintenance' || isClosed(incident.status)) return incident.status;
  const start = incident.scheduledFor?.getTime();
  const end = incident.scheduledUntil?.getTime();
  if (end !== undefined && now >= end) return 'completed';
  if (incident.status === 'scheduled' && start !== undefined && now >= start) return 'in_progress';
  return incident.status;
}

function checkStatus(kind: IncidentKind, status: IncidentStatus, field: string): void {
  const allowed: readonly string[] = kind === 'maintenance' ? MAINTENANCE_STATUSES : INCIDENT_STATUSES;
  if (!allowed.includes(status)) {
    throw new IncidentError('invalid_field', `a ${kind} takes one of ${allowed.join(', ')}`, field);
  }
}

export interface IncidentsOptions {
  /** Known component (health check) names; unknown ones in a request are refused naming the field. */
  components?: () => readonly string[];
}

export function createIncidents(db: Database, options: IncidentsOptions = {}): Incidents {
  const checkComponents = (list: readonly string[]) => {
    const known = options.components?.();
    if (!known) return;
    list.forEach((c, i) => {
      if (!known.includes(c)) {
        throw new IncidentError(
          'invalid_field',
          `unknown component "${c}" (known: ${known.join(', ')})`,
          `components[${i}]`,
        );
      }
    });
  };

  return {
    async create(input) {
      const kind = input.kind ?? 'incident';
      const status = input.status ?? (kind === 'maintenance' ? 'scheduled' : 'investigating');
      checkStatus(kind, status, 'status');
      const components = [...new Set(input.components ?? [])];
      checkComponents(components);
      if (kind === 'maintenance') {
        if (!input.scheduledFor)
          throw new IncidentError('invalid_field', 'maintenance needs scheduledFor', 'scheduledFor');
        if (!input.scheduledUntil)
          throw new IncidentError('invalid_field', 'maintenance needs scheduledUntil', 'scheduledUntil');
        if (input.scheduledUntil <= input.scheduledFor)
          throw new IncidentError('invalid_field', 'must be after scheduledFor', 'scheduledUntil');
      } else if (input.scheduledFor || input.scheduledUntil) {
        throw new IncidentError(
          'invalid_field',
          'only maintenance is scheduled',
          input.scheduledFor ? 'scheduledFor' : 'scheduledUntil',
        );
      }
      const created = await db.transaction((tx) =>
        insertIncident(tx, {
          kind,
          title: input.title,
          impact: input.impact,
          status,
          components,
          body: input.body,
          origin: 'api',
          ...(input.scheduledFor && { scheduledFor: input.scheduledFor.getTime() }),
          ...(input.scheduledUntil && { scheduledUntil: input.scheduledUntil.getTime() }),
          now: Date.now(),
        }),
      );
      if (!created) throw new Error('incident insert returned nothing');
      return created;
    },
    async addUpdate(id, input) {
      return db.transaction(async (tx) => {
        const incident = await getIncident(tx, id);
        if (!incident) throw new IncidentError('not_found', `incident ${id} does not exist`, 'id');
        checkStatus(incident.kind, input.status, 'status');
        if (isClosed(incident.status)) {
          throw new IncidentError('conflict', `the ${incident.kind} is already ${incident.status}`, 'status');
        }
        await addUpdate(tx, incident, { ...input, now: Math.max(Date.now(), incident.updatedAt.getTime()) });
        return (await getIncident(tx, id)) as Incident;
      });
    },
    get: (id) => getIncident(db, id),
    list(opts = {}) {
      const now = (opts.now ?? new Date()).getTime();
      return listIncidents(db, {
        closedSince: now - (opts.days ?? 14) * 86_400_000,
        limit: opts.limit ?? 50,
        ...(opts.kind && { kind: opts.kind }),
      });
    },
    async onAlert({ event, alertId, template }) {
      const key = `alert:${alertId}`;
      const now = Date.now();
      return db.transaction(async (tx) => {
        if (event === 'raised') {
          return (
            (await insertIncident(tx, {
              kind: 'incident',
              title: template.title,
              impact: template.impact,
              status: 'investigating',
              components: template.components,
              body: template.message,
              origin: 'alert',
              originKey: key,
              now,
            })) ?? incidentByOrigin(tx, key)
          );
        }
        const incident = await incidentByOrigin(tx, key);
        // Never closes it: a person says when it is resolved.
        if (!incident || isClosed(incident.status) || incident.status === 'monitoring') return incident;
        await addUpdate(tx, incident, {
          status: 'monitoring',
          body: template.resolvedMessage ?? DEFAULT_RESOLVED_MESSAGE,
          idempotencyKey: `${key}:resolved`,
          now,
        });
        return getIncident(tx, incident.id);
      });
    },
    async syncMaintenance(windows, now = new Date()) {
      let created = 0;
      for (const w of windows) {
        if (w.end <= now.getTime()) continue;
        const made = await db.transaction((tx) =>
          insertIncident(tx, {
            kind: 'maintenance',
            title: w.statusPage.title,
            impact: w.statusPage.impact ?? 'none',
            status: 'scheduled',
            components: w.statusPage.components,
            body: w.statusPage.message,
            origin: 'maintenance',
            originKey: `maintenance:${w.name}@${w.start}`,
            scheduledFor: w.start,
            scheduledUntil: w.end,
            now: now.getTime(),
          }),
        );
        if (made) created++;
      }
      return created;
    },
    prune: (retentionDays, now) => pruneIncidents(db, now.getTime() - retentionDays * 86_400_000),
  };
}
