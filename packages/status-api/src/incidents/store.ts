/** SQL of the incident tables (migration 5), shared by SQLite and PostgreSQL. */
import { randomUUID } from 'node:crypto';
import type { Executor, Row } from '../store/database.ts';
import {
  type Impact,
  type Incident,
  type IncidentKind,
  type IncidentOrigin,
  type IncidentStatus,
  type IncidentUpdate,
  isClosed,
} from './types.ts';

export interface NewIncident {
  kind: IncidentKind;
  title: string;
  impact: Impact;
  status: IncidentStatus;
  components: string[];
  body: string;
  origin: IncidentOrigin;
  /** Makes the insert idempotent across replicas (`alert:<id>`, `maintenance:<name>@<start>`). */
  originKey?: string;
  scheduledFor?: number;
  scheduledUntil?: number;
  now: number;
}

const date = (v: unknown) => (v === null || v === undefined ? null : new Date(Number(v)));

function toIncident(r: Row, updates: IncidentUpdate[]): Incident {
  return {
    id: String(r.id),
    kind: r.kind as IncidentKind,
    title: String(r.title),
    impact: r.impact as Impact,
    status: r.status as IncidentStatus,
    components: JSON.parse(String(r.components)) as string[],
    origin: r.origin as IncidentOrigin,
    scheduledFor: date(r.scheduled_for),
    scheduledUntil: date(r.scheduled_until),
    createdAt: new Date(Number(r.created_at)),
    updatedAt: new Date(Number(r.updated_at)),
    resolvedAt: date(r.resolved_at),
    updates,
  };
}

async function withUpdates(db: Executor, rows: Row[]): Promise<Incident[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => String(r.id));
  const list = ids.map((_, i) => `$${i + 1}`).join(', ');
  const updates = await db.query(
    `SELECT id, incident_id, status, body, created_at FROM status_incident_updates WHERE incident_id IN (${list}) ORDER BY created_at, id`,
    ids,
  );
  const by = new Map<string, IncidentUpdate[]>();
  for (const u of updates) {
    const list = by.get(String(u.incident_id)) ?? [];
    list.push({
      id: Number(u.id),
      status: u.status as IncidentStatus,
      body: String(u.body),
      createdAt: new Date(Number(u.created_at)),
    });
    by.set(String(u.incident_id), list);
  }
  return rows.map((r) => toIncident(r, by.get(String(r.id)) ?? []));
}

export async function getIncident(db: Executor, id: string): Promise<Incident | null> {
  const rows = await db.query('SELECT * FROM status_incidents WHERE id = $1', [id]);
  return (await withUpdates(db, rows))[0] ?? null;
}

export async function incidentByOrigin(db: Executor, key: string): Promise<Incident | null> {
  const rows = await db.query('SELECT * FROM status_incidents WHERE origin_key = $1', [key]);
  return (await withUpdates(db, rows))[0] ?? null;
}

/** Inserts the incident and its first update; with an `originKey` already used, returns null. */
export async function insertIncident(db: Executor, n: NewIncident): Promise<Incident | null> {
  const id = randomUUID();
  const rows = await db.query(
    `INSERT INTO status_incidents (id, kind, title, impact, status, components, origin, origin_key,
       scheduled_for, scheduled_until, created_at, updated_at, resolved_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)
     ON CONFLICT (origin_key) DO NOTHING RETURNING id`,
    [
      id,
      n.kind,
      n.title,
      n.impact,
      n.status,
      JSON.stringify(n.components),
      n.origin,
      n.originKey ?? null,
      n.scheduledFor ?? null,
      n.scheduledUntil ?? null,
      n.now,
      isClosed(n.status) ? n.now : null,
    ],
  );
  if (rows.length === 0) return null;
  await db.query(
    'INSERT INTO status_incident_updates (incident_id, status, body, created_at) VALUES ($1, $2, $3, $4)',
    [id, n.status, n.body, n.now],
  );
  return getIncident(db, id);
}

export interface NewUpdate {
  status: IncidentStatus;
  body: string;
  impact?: Impact;
  /** A repeated key adds nothing (the alert hook on several replicas). */
  idempotencyKey?: string;
  now: number;
}

/** Adds an update and moves the incident to its status; false when the key was used already. */
export async function addUpdate(db: Executor, incident: Incident, u: NewUpdate): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO status_incident_updates (incident_id, status, body, idempotency_key, created_at)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
    [incident.id, u.status, u.body, u.idempotencyKey ?? null, u.now],
  );
  if (rows.length === 0) return false;
  await db.query(
    'UPDATE status_incidents SET status = $1, impact = $2, updated_at = $3, resolved_at = $4 WHERE id = $5',
    [u.status, u.impact ?? incident.impact, u.now, isClosed(u.status) ? u.now : null, incident.id],
  );
  return true;
}

/** Open ones (any age) and those closed at or after `closedSince`, newest first, at most `limit`. */
export async function listIncidents(
  db: Executor,
  opts: { closedSince: number; limit: number; kind?: IncidentKind },
): Promise<Incident[]> {
  const rows = await db.query(
    `SELECT * FROM status_incidents
     WHERE (resolved_at IS NULL OR resolved_at >= $1) AND ($2 = '' OR kind = $2)
     ORDER BY COALESCE(scheduled_for, created_at) DESC, id LIMIT $3`,
    [opts.closedSince, opts.kind ?? '', opts.limit],
  );
  return withUpdates(db, rows);
}

/** Deletes incidents closed before `before` (with their updates). */
export async function pruneIncidents(db: Executor, before: number): Promise<number> {
  const rows = await db.query(
    'DELETE FROM status_incidents WHERE resolved_at IS NOT NULL AND resolved_at < $1 RETURNING id',
    [before],
  );
  return rows.length;
}
