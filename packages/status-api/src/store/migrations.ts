/**
 * Versioned schema migrations of the alert store. Each version is applied once, inside one
 * transaction, and recorded in `alert_schema_migrations`; concurrent starts on PostgreSQL
 * serialise on an advisory lock, on SQLite on `BEGIN IMMEDIATE`. Never edit a released
 * version: add a new one.
 */
import type { Database } from './database.ts';

export interface Migration {
  version: number;
  name: string;
  /** Statements; `{{id}}` becomes the dialect's auto-increment primary key. */
  statements: string[];
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'alerts, deliveries, attempts, silences',
    statements: [
      `CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        name TEXT NOT NULL,
        severity TEXT NOT NULL,
        message TEXT NOT NULL,
        source TEXT NOT NULL,
        labels TEXT NOT NULL,
        annotations TEXT NOT NULL,
        status TEXT NOT NULL,
        suppressed_reason TEXT,
        occurrences INTEGER NOT NULL DEFAULT 1,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        last_seen_at BIGINT NOT NULL,
        acknowledged_at BIGINT,
        acknowledged_by TEXT,
        resolved_at BIGINT,
        resolved_by TEXT,
        escalation_level INTEGER NOT NULL DEFAULT 0,
        next_escalation_at BIGINT,
        last_notified_at BIGINT
      )`,
      `CREATE UNIQUE INDEX alerts_open_fingerprint ON alerts (fingerprint) WHERE status <> 'resolved'`,
      'CREATE INDEX alerts_created ON alerts (created_at)',
      'CREATE INDEX alerts_status_created ON alerts (status, created_at)',
      'CREATE INDEX alerts_escalation_due ON alerts (next_escalation_at) WHERE next_escalation_at IS NOT NULL',
      'CREATE INDEX alerts_resolved_at ON alerts (resolved_at) WHERE resolved_at IS NOT NULL',
      `CREATE TABLE alert_deliveries (
        id {{id}},
        alert_id TEXT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
        channel TEXT NOT NULL,
        channel_type TEXT NOT NULL,
        event TEXT NOT NULL,
        escalation_level INTEGER NOT NULL DEFAULT 0,
        idempotency_key TEXT NOT NULL UNIQUE,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        lease_owner TEXT,
        lease_until BIGINT,
        last_error TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      )`,
      'CREATE INDEX alert_deliveries_due ON alert_deliveries (state, next_attempt_at)',
      'CREATE INDEX alert_deliveries_alert ON alert_deliveries (alert_id, channel, id)',
      `CREATE TABLE alert_delivery_attempts (
        id {{id}},
        delivery_id BIGINT NOT NULL REFERENCES alert_deliveries (id) ON DELETE CASCADE,
        alert_id TEXT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
        attempt INTEGER NOT NULL,
        at BIGINT NOT NULL,
        outcome TEXT NOT NULL,
        status_code INTEGER,
        error TEXT,
        duration_ms INTEGER NOT NULL
      )`,
      'CREATE INDEX alert_delivery_attempts_delivery ON alert_delivery_attempts (delivery_id, id)',
      'CREATE INDEX alert_delivery_attempts_alert ON alert_delivery_attempts (alert_id)',
      `CREATE TABLE alert_silences (
        id TEXT PRIMARY KEY,
        matchers TEXT NOT NULL,
        starts_at BIGINT NOT NULL,
        ends_at BIGINT NOT NULL,
        created_by TEXT NOT NULL,
        comment TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      )`,
      'CREATE INDEX alert_silences_ends ON alert_silences (ends_at)',
    ],
  },
  {
    version: 2,
    name: 'suppression re-check timer',
    statements: [
      // When a suppressed alert is next re-evaluated (its silence or window ends, or a bounded
      // re-check); an inhibiting alert that resolves or a silence that is expired early sets it to now.
      'ALTER TABLE alerts ADD COLUMN suppression_check_at BIGINT',
      'CREATE INDEX alerts_suppression_due ON alerts (suppression_check_at) WHERE suppression_check_at IS NOT NULL',
      `CREATE INDEX alerts_suppressed_reason ON alerts (suppressed_reason) WHERE status = 'suppressed'`,
      // Alerts suppressed before this version are re-evaluated on the first pass.
      `UPDATE alerts SET suppression_check_at = 0 WHERE status = 'suppressed'`,
    ],
  },
  {
    version: 3,
    name: 'channel send slots',
    statements: [
      // The next free send slot of a rate-limited channel (Slack: one message per second per
      // webhook), shared by every replica on the database.
      'CREATE TABLE alert_channel_slots (channel TEXT PRIMARY KEY, next_slot BIGINT NOT NULL)',
    ],
  },
  {
    version: 4,
    name: 'cache generations, replica heartbeats, notification snapshots',
    statements: [
      // A counter per cached set (`silences`, `inhibit` sources), bumped in the transaction that
      // changes the set: every replica compares it once per batch and reloads its cache on change.
      'CREATE TABLE alert_generations (name TEXT PRIMARY KEY, generation BIGINT NOT NULL)',
      `INSERT INTO alert_generations (name, generation) VALUES ('silences', 0), ('inhibit', 0)`,
      // Each running alert manager's last heartbeat: a lease held by a replica whose heartbeat
      // stopped is taken over before it expires.
      'CREATE TABLE alert_replicas (instance_id TEXT PRIMARY KEY, started_at BIGINT NOT NULL, heartbeat_at BIGINT NOT NULL)',
      // The alert as it was when the notification's event happened (JSON), sent instead of the
      // alert's current state. Rows queued before this version have none and send the current state.
      'ALTER TABLE alert_deliveries ADD COLUMN payload TEXT',
    ],
  },
  {
    version: 5,
    name: 'status page: component health samples, daily roll-ups, incidents',
    statements: [
      // One sample per component per minute: the first replica to write a minute keeps it.
      `CREATE TABLE status_samples (
        component TEXT NOT NULL,
        slot BIGINT NOT NULL,
        state TEXT NOT NULL,
        source TEXT NOT NULL,
        PRIMARY KEY (component, slot)
      )`,
      'CREATE INDEX status_samples_slot ON status_samples (slot)',
      // Seconds per state per component and UTC day, recomputed from the samples.
      `CREATE TABLE status_daily (
        component TEXT NOT NULL,
        day BIGINT NOT NULL,
        observed_s INTEGER NOT NULL,
        degraded_s INTEGER NOT NULL,
        partial_s INTEGER NOT NULL,
        major_s INTEGER NOT NULL,
        worst TEXT,
        demo INTEGER NOT NULL DEFAULT 0,
        through_slot BIGINT NOT NULL,
        PRIMARY KEY (component, day)
      )`,
      'CREATE INDEX status_daily_day ON status_daily (day)',
      `CREATE TABLE status_incidents (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        impact TEXT NOT NULL,
        status TEXT NOT NULL,
        components TEXT NOT NULL,
        origin TEXT NOT NULL,
        origin_key TEXT UNIQUE,
        scheduled_for BIGINT,
        scheduled_until BIGINT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        resolved_at BIGINT
      )`,
      'CREATE INDEX status_incidents_updated ON status_incidents (updated_at)',
      `CREATE TABLE status_incident_updates (
        id {{id}},
        incident_id TEXT NOT NULL REFERENCES status_incidents (id) ON DELETE CASCADE,
        status TEXT NOT NULL,
        body TEXT NOT NULL,
        idempotency_key TEXT UNIQUE,
        created_at BIGINT NOT NULL
      )`,
      'CREATE INDEX status_incident_updates_incident ON status_incident_updates (incident_id, id)',
    ],
  },
];

const ADVISORY_LOCK_KEY = 7_244_601_006;

/** Applies every migration not yet recorded; returns the versions it applied. */
export async function migrate(db: Database, list: readonly Migration[] = migrations): Promise<number[]> {
  const identity =
    db.dialect === 'postgres'
      ? 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY'
      : 'INTEGER PRIMARY KEY AUTOINCREMENT';
  return db.transaction(async (tx) => {
    if (db.dialect === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCK_KEY]);
    await tx.query(
      'CREATE TABLE IF NOT EXISTS alert_schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const rows = await tx.query<{ version: number | string }>('SELECT version FROM alert_schema_migrations');
    const applied = new Set(rows.map((r) => Number(r.version)));
    const done: number[] = [];
    for (const m of [...list].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      for (const sql of m.statements) await tx.query(sql.replaceAll('{{id}}', identity));
      await tx.query('INSERT INTO alert_schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        Date.now(),
      ]);
      done.push(m.version);
    }
    return done;
  });
}
