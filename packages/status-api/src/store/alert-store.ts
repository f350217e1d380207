/**
 * The alert store: one repository written once in SQL that both SQLite (`node:sqlite`) and
 * PostgreSQL (`pg`) run. All times are epoch milliseconds (BIGINT); labels and annotations are
 * JSON text. Row locks (`FOR UPDATE SKIP LOCKED`) make claims exclusive across replicas on
 * PostgreSQL; on SQLite every transaction is `BEGIN IMMEDIATE`, i.e. one writer at a time.
 */

import { DEFAULTS } from '../defaults.ts';
import { type Database, type Executor, openDatabase, type Row, type SqlValue } from './database.ts';
import { migrate } from './migrations.ts';
import type {
  Alert,
  AlertFilter,
  AlertPage,
  AlertStatus,
  AttemptOutcome,
  ChannelType,
  Delivery,
  DeliveryAttempt,
  DeliveryState,
  DeliveryWithHistory,
  Labels,
  NotificationEvent,
  Severity,
  Silence,
} from './types.ts';

/** A create: the alert's identity and content, at `now`. */
export type NewAlertRow = Pick<
  Alert,
  'id' | 'fingerprint' | 'name' | 'severity' | 'message' | 'source' | 'labels' | 'annotations'
> & {
  now: number;
  /** The state the alert starts in if this creates it (default: firing, nothing scheduled). */
  initial?: InitialState;
  /** Occurrences this upsert counts (default 1; coalesced repeats count several at once). */
  occurrences?: number;
};

export interface InitialState {
  status: 'firing' | 'suppressed';
  suppressedReason?: string | null;
  suppressionCheckAt?: number | null;
  lastNotifiedAt?: number | null;
  nextEscalationAt?: number | null;
}

/** The caches every replica keeps, each with a generation bumped by the transaction that changes it. */
export type CacheName = 'silences' | 'inhibit';

export interface AlertPatch {
  status?: AlertStatus;
  suppressedReason?: string | null;
  acknowledgedAt?: number | null;
  acknowledgedBy?: string | null;
  resolvedAt?: number | null;
  resolvedBy?: string | null;
  escalationLevel?: number;
  nextEscalationAt?: number | null;
  lastNotifiedAt?: number | null;
  /** When a suppressed alert is next re-evaluated (null: not suppressed). */
  suppressionCheckAt?: number | null;
  updatedAt: number;
}

/** An outbox row to queue: when it is first due (`nextAttemptAt`, epoch ms). */
export type NewDelivery = Pick<
  Delivery,
  'alertId' | 'channel' | 'channelType' | 'event' | 'escalationLevel' | 'idempotencyKey'
> & {
  nextAttemptAt: number;
  /** The alert as it was at the event (JSON), sent instead of its state at send time. */
  payload?: string;
};

export interface DeliveryOutcome {
  state: DeliveryState;
  nextAttemptAt: number;
  lastError: string | null;
  attempt: {
    outcome: AttemptOutcome;
    statusCode: number | null;
    error: string | null;
    durationMs: number;
    at: number;
  };
}

export interface NewSilence {
  id: string;
  matchers: string[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
  now: number;
}

export interface AlertRepo {
  upsertAlert(row: NewAlertRow): Promise<{ alert: Alert; created: boolean }>;
  /**
   * Creates or repeats several alerts in one statement, answered in the order of `rows`. The
   * fingerprints must be distinct (coalesce repeats into one row with `occurrences`).
   */
  upsertAlerts(rows: readonly NewAlertRow[]): Promise<Array<{ alert: Alert; created: boolean }>>;
  /** The current generation of each cache. */
  generations(): Promise<Record<CacheName, number>>;
  /** Marks a cache changed for every replica (in the transaction that changed it); returns the new generation. */
  bumpGeneration(name: CacheName): Promise<number>;
  getAlert(id: string): Promise<Alert | null>;
  /** Sets `patch`; when `onlyIf` is given, only if the current status is one of them. Returns null if no row changed. */
  updateAlert(id: string, patch: AlertPatch, onlyIf?: readonly AlertStatus[]): Promise<Alert | null>;
  findOpenByFingerprint(fingerprint: string): Promise<Alert | null>;
  /** Open alerts that are not suppressed (candidates for inhibition sources). */
  activeAlerts(filter?: { names?: string[]; severities?: Severity[] }): Promise<Alert[]>;
  listAlerts(filter: AlertFilter): Promise<AlertPage>;
  countOpenBySeverity(): Promise<Partial<Record<Severity, number>>>;
  /** Locks and returns alerts whose escalation timer is due (skipping rows other replicas hold). */
  claimDueEscalations(now: number, limit: number): Promise<Alert[]>;
  /** Locks and returns alerts whose suppression re-check is due (skipping rows other replicas hold). */
  claimDueSuppressionChecks(now: number, limit: number): Promise<Alert[]>;
  /** Makes suppressed alerts with this `suppressed_reason` due for a re-check at `at`; returns how many. */
  recheckSuppressed(reason: string, at: number): Promise<number>;

  /**
   * Reserves the next send slot of a paced channel: the later of `now` and its stored next slot,
   * unless that is more than `maxWaitMs` away (then `reserved` is false and nothing changes).
   * The slot after it is `intervalMs` later. One atomic upsert (a row lock on PostgreSQL), so
   * replicas never get the same slot.
   */
  reserveChannelSlot(
    channel: string,
    now: number,
    intervalMs: number,
    maxWaitMs: number,
  ): Promise<{ slot: number; reserved: boolean }>;
  /** Holds a paced channel's sends until `until` (after a 429 with Retry-After). */
  pauseChannel(channel: string, until: number): Promise<void>;

  /** Inserts deliveries; a repeated idempotency key is ignored. Returns how many were new. */
  enqueueDeliveries(rows: readonly NewDelivery[], now: number): Promise<number>;
  /** Channels that were sent (or are sending) a trigger, repeat or escalation for the alert. */
  notifiedChannels(alertId: string): Promise<Array<{ channel: string; channelType: ChannelType }>>;
  /**
   * Leases due deliveries (oldest first, one in flight per alert and channel). A delivery being
   * sent is taken over when its lease expired, or when `staleBefore` is given and its owner's
   * last heartbeat is older than that (the replica died).
   */
  claimDeliveries(
    owner: string,
    now: number,
    leaseMs: number,
    limit: number,
    staleBefore?: number,
  ): Promise<Delivery[]>;
  /** Records that replica `instanceId` is alive at `now`. */
  heartbeat(instanceId: string, now: number): Promise<void>;
  /** Forgets a replica (on a clean shutdown), and replicas silent since before `before`. */
  removeReplica(instanceId: string, before: number): Promise<void>;
  /** Records an attempt and the delivery's new state, if `owner` still holds the lease. */
  finishDelivery(id: number, owner: string, outcome: DeliveryOutcome): Promise<boolean>;
  /** Puts a leased delivery back without counting an attempt (e.g. rate limit pacing). */
  releaseDelivery(id: number, owner: string, nextAttemptAt: number): Promise<void>;
  deliveriesFor(alertId: string): Promise<DeliveryWithHistory[]>;
  pendingDeliveries(): Promise<number>;

  insertSilence(row: NewSilence): Promise<Silence>;
  getSilence(id: string): Promise<Silence | null>;
  /** All silences; with `activeAt`, those active then; with `endingAfter`, those that end later (active or future). */
  listSilences(opts: { activeAt?: number; endingAfter?: number }): Promise<Silence[]>;
  /** Sets `ends_at = now` on an active silence; returns it, or null if missing. */
  expireSilence(id: string, now: number): Promise<Silence | null>;

  /** Deletes resolved alerts (with their history) resolved before `before`, and silences that ended before it. */
  purgeResolved(before: number): Promise<{ alerts: number; silences: number }>;
}

export interface AlertStore extends AlertRepo {
  readonly dialect: 'sqlite' | 'postgres';
  transaction<T>(fn: (repo: AlertRepo) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export const DEFAULT_STORE_URL = DEFAULTS.storeUrl;

/** Opens the store at `url` (`sqlite:<path>` or `postgres://…`) and applies pending migrations. */
export async function createAlertStore(url: string = DEFAULT_STORE_URL): Promise<AlertStore> {
  const db = openDatabase(url);
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return storeOver(db);
}

export function storeOver(db: Database): AlertStore {
  return {
    ...repoOver(db, db.dialect),
    dialect: db.dialect,
    transaction: (fn) => db.transaction((tx) => fn(repoOver(tx, db.dialect))),
    close: () => db.close(),
  };
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const optNum = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));
const optDate = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(num(v)));
const optStr = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function toAlert(r: Row): Alert {
  return {
    id: String(r.id),
    fingerprint: String(r.fingerprint),
    name: String(r.name),
    severity: r.severity as Severity,
    message: String(r.message),
    source: String(r.source),
    labels: JSON.parse(String(r.labels)) as Labels,
    annotations: JSON.parse(String(r.annotations)) as Labels,
    status: r.status as AlertStatus,
    suppressedReason: optStr(r.suppressed_reason),
    occurrences: num(r.occurrences),
    createdAt: new Date(num(r.created_at)),
    updatedAt: new Date(num(r.updated_at)),
    lastSeenAt: new Date(num(r.last_seen_at)),
    acknowledgedAt: optDate(r.acknowledged_at),
    acknowledgedBy: optStr(r.acknowledged_by),
    resolvedAt: optDate(r.resolved_at),
    resolvedBy: optStr(r.resolved_by),
    escalationLevel: num(r.escalation_level),
    nextEscalationAt: optDate(r.next_escalation_at),
    lastNotifiedAt: optDate(r.last_notified_at),
  };
}

function toDelivery(r: Row): Delivery {
  return {
    id: num(r.id),
    alertId: String(r.alert_id),
    channel: String(r.channel),
    channelType: r.channel_type as ChannelType,
    event: r.event as NotificationEvent,
    escalationLevel: num(r.escalation_level),
    idempotencyKey: String(r.idempotency_key),
    state: r.state as DeliveryState,
    attempts: num(r.attempts),
    nextAttemptAt: new Date(num(r.next_attempt_at)),
    lastError: optStr(r.last_error),
    createdAt: new Date(num(r.created_at)),
    updatedAt: new Date(num(r.updated_at)),
    ...(r.payload !== null && r.payload !== undefined && { payload: String(r.payload) }),
  };
}

function toSilence(r: Row): Silence {
  return {
    id: String(r.id),
    matchers: JSON.parse(String(r.matchers)) as string[],
    startsAt: new Date(num(r.starts_at)),
    endsAt: new Date(num(r.ends_at)),
    createdBy: String(r.created_by),
    comment: String(r.comment),
    createdAt: new Date(num(r.created_at)),
    updatedAt: new Date(num(r.updated_at)),
  };
}

const PATCH_COLUMNS: Record<keyof AlertPatch, string> = {
  status: 'status',
  suppressedReason: 'suppressed_reason',
  acknowledgedAt: 'acknowledged_at',
  acknowledgedBy: 'acknowledged_by',
  resolvedAt: 'resolved_at',
  resolvedBy: 'resolved_by',
  escalationLevel: 'escalation_level',
  nextEscalationAt: 'next_escalation_at',
  lastNotifiedAt: 'last_notified_at',
  suppressionCheckAt: 'suppression_check_at',
  updatedAt: 'updated_at',
};

/**
 * Splits rows for multi-row statements into chunks of `max` (a power of two), then halves, …, 1
 * rows: few statements per batch, and at most log2(max) + 1 statement shapes to prepare and cache
 * per kind (each shape is one prepared statement on SQLite), far below either back end's
 * parameter limit. PostgreSQL takes 128 rows a statement (each statement is a round trip);
 * SQLite 8, because its cost per row grows with the rows of one statement: 13 µs per upserted
 * alert in statements of 8 rows, 22 µs in 32, 27-30 µs in 64 (`benchmarks/`, 2026-12-04).
 */
export function chunks<T>(rows: readonly T[], max = 128): T[][] {
  const out: T[][] = [];
  let start = 0;
  while (start < rows.length) {
    let size = max;
    while (size > rows.length - start) size /= 2;
    out.push(rows.slice(start, start + size));
    start += size;
  }
  return out;
}

/** `$1, $2, …` for `values`, starting after `offset` parameters. */
const placeholders = (count: number, offset = 0) =>
  Array.from({ length: count }, (_, i) => `$${i + 1 + offset}`).join(', ');

function repoOver(q: Executor, dialect: 'sqlite' | 'postgres'): AlertRepo {
  /** Rows per multi-row statement (see `chunks`). */
  const maxRows = dialect === 'sqlite' ? 8 : 128;
  const lock = dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
  // PostgreSQL cannot type a bare `$2 + $3`; the cast works on both.
  const int = (param: string) => `CAST(${param} AS BIGINT)`;
  const greatest = (a: string, b: string) =>
    dialect === 'postgres' ? `GREATEST(${a}, ${b})` : `max(${a}, ${b})`;
  const labelExpr = (param: string) =>
    dialect === 'postgres' ? `(labels::jsonb ->> ${param})` : `json_extract(labels, '$.' || ${param})`;
  // SQLite's json path needs quoting for keys with dots or dashes.
  const labelKey = (key: string) => (dialect === 'postgres' ? key : `"${key.replaceAll('"', '""')}"`);

  const getAlert = async (id: string) => {
    const rows = await q.query('SELECT * FROM alerts WHERE id = $1', [id]);
    return rows[0] ? toAlert(rows[0]) : null;
  };

  /** Locks due rows of a timer column (a fixed name, never input). */
  const claimDue = async (
    column: 'next_escalation_at' | 'suppression_check_at',
    now: number,
    limit: number,
  ) =>
    (
      await q.query(
        `SELECT * FROM alerts WHERE ${column} IS NOT NULL AND ${column} <= $1 ORDER BY ${column} LIMIT $2${lock}`,
        [now, limit],
      )
    ).map(toAlert);

  const silencesWhere = ({
    activeAt,
    endingAfter,
  }: {
    activeAt?: number;
    endingAfter?: number;
  }): [string, SqlValue[]] =>
    activeAt !== undefined
      ? [' WHERE starts_at <= $1 AND ends_at > $1', [activeAt]]
      : endingAfter !== undefined
        ? [' WHERE ends_at > $1', [endingAfter]]
        : ['', []];

  const bump = async (name: CacheName) => {
    const [row] = await q.query<{ generation: number | string }>(
      'UPDATE alert_generations SET generation = generation + 1 WHERE name = $1 RETURNING generation',
      [name],
    );
    return num(row?.generation ?? 0);
  };

  const UPSERT_COLUMNS = 15;
  /** One multi-row upsert (rows with distinct fingerprints), results by fingerprint. */
  const upsertChunk = async (rows: readonly NewAlertRow[]) => {
    const params: SqlValue[] = [];
    const values = rows.map((row, i) => {
      const init = row.initial ?? { status: 'firing' };
      params.push(
        row.id,
        row.fingerprint,
        row.name,
        row.severity,
        row.message,
        row.source,
        JSON.stringify(row.labels),
        JSON.stringify(row.annotations),
        init.status,
        init.suppressedReason ?? null,
        init.suppressionCheckAt ?? null,
        init.lastNotifiedAt ?? null,
        init.nextEscalationAt ?? null,
        row.occurrences ?? 1,
        row.now,
      );
      const p = (k: number) => `$${i * UPSERT_COLUMNS + k}`;
      return `(${Array.from({ length: 14 }, (_, k) => p(k + 1)).join(', ')}, ${p(15)}, ${p(15)}, ${p(15)}, 0)`;
    });
    const result = await q.query(
      `INSERT INTO alerts (id, fingerprint, name, severity, message, source, labels, annotations, status,
         suppressed_reason, suppression_check_at, last_notified_at, next_escalation_at, occurrences,
         created_at, updated_at, last_seen_at, escalation_level)
       VALUES ${values.join(', ')}
       ON CONFLICT (fingerprint) WHERE status <> 'resolved' DO UPDATE SET
         occurrences = alerts.occurrences + excluded.occurrences, last_seen_at = excluded.last_seen_at,
         updated_at = excluded.updated_at, message = excluded.message, annotations = excluded.annotations
       RETURNING *`,
      params,
    );
    return new Map(result.map((r) => [String(r.fingerprint), toAlert(r)]));
  };

  async function upsertAlerts(rows: readonly NewAlertRow[]) {
    const out: Array<{ alert: Alert; created: boolean }> = [];
    for (const chunk of chunks(rows, maxRows)) {
      const byFingerprint = await upsertChunk(chunk);
      if (byFingerprint.size !== chunk.length) throw new Error('upsertAlerts: fingerprints must be distinct');
      for (const row of chunk) {
        const alert = byFingerprint.get(row.fingerprint)!;
        out.push({ alert, created: alert.id === row.id });
      }
    }
    return out;
  }

  return {
    async upsertAlert(row) {
      return (await upsertAlerts([row]))[0]!;
    },

    upsertAlerts,

    async generations() {
      const rows = await q.query<{ name: CacheName; generation: number | string }>(
        'SELECT name, generation FROM alert_generations',
      );
      const out: Record<CacheName, number> = { silences: 0, inhibit: 0 };
      for (const r of rows) out[r.name] = num(r.generation);
      return out;
    },

    bumpGeneration: bump,

    getAlert,

    async updateAlert(id, patch, onlyIf) {
      const sets: string[] = [];
      const params: SqlValue[] = [];
      for (const [key, column] of Object.entries(PATCH_COLUMNS) as Array<[keyof AlertPatch, string]>) {
        const value = patch[key];
        if (value === undefined) continue;
        params.push(value);
        sets.push(`${column} = $${params.length}`);
      }
      params.push(id);
      let sql = `UPDATE alerts SET ${sets.join(', ')} WHERE id = $${params.length}`;
      if (onlyIf) {
        sql += ` AND status IN (${placeholders(onlyIf.length, params.length)})`;
        params.push(...onlyIf);
      }
      const rows = await q.query(`${sql} RETURNING *`, params);
      return rows[0] ? toAlert(rows[0]) : null;
    },

    async findOpenByFingerprint(fingerprint) {
      const rows = await q.query(`SELECT * FROM alerts WHERE fingerprint = $1 AND status <> 'resolved'`, [
        fingerprint,
      ]);
      return rows[0] ? toAlert(rows[0]) : null;
    },

    async activeAlerts(filter = {}) {
      const params: SqlValue[] = [];
      let sql = `SELECT * FROM alerts WHERE status IN ('firing', 'acknowledged')`;
      if (filter.names?.length) {
        sql += ` AND name IN (${placeholders(filter.names.length, params.length)})`;
        params.push(...filter.names);
      }
      if (filter.severities?.length) {
        sql += ` AND severity IN (${placeholders(filter.severities.length, params.length)})`;
        params.push(...filter.severities);
      }
      return (await q.query(sql, params)).map(toAlert);
    },

    async listAlerts(filter) {
      const where: string[] = [];
      const params: SqlValue[] = [];
      const add = (clause: (p: string) => string, value: SqlValue) => {
        params.push(value);
        where.push(clause(`$${params.length}`));
      };
      if (filter.status?.length) {
        where.push(`status IN (${placeholders(filter.status.length, params.length)})`);
        params.push(...filter.status);
      }
      if (filter.severity?.length) {
        where.push(`severity IN (${placeholders(filter.severity.length, params.length)})`);
        params.push(...filter.severity);
      }
      if (filter.name !== undefined) add((p) => `name = ${p}`, filter.name);
      if (filter.source !== undefined) add((p) => `source = ${p}`, filter.source);
      if (filter.fingerprint !== undefined) add((p) => `fingerprint = ${p}`, filter.fingerprint);
      if (filter.createdAfter) add((p) => `created_at >= ${p}`, filter.createdAfter.getTime());
      if (filter.createdBefore) add((p) => `created_at < ${p}`, filter.createdBefore.getTime());
      if (filter.deliveryState) {
        add(
          (p) => `EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.alert_id = alerts.id AND d.state = ${p})`,
          filter.deliveryState,
        );
      }
      for (const [key, value] of Object.entries(filter.labels ?? {})) {
        params.push(labelKey(key));
        const keyParam = `$${params.length}`;
        add((p) => `${labelExpr(keyParam)} = ${p}`, value);
      }
      const whereSql = where.length ? ` WHERE ${where.join(' AND ')}` : '';
      const limit = filter.limit ?? 50;
      const offset = filter.offset ?? 0;
      const [countRow] = await q.query<{ n: number | string }>(
        `SELECT COUNT(*) AS n FROM alerts${whereSql}`,
        params,
      );
      const rows = await q.query(
        `SELECT * FROM alerts${whereSql} ORDER BY created_at DESC, id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, limit, offset],
      );
      return { items: rows.map(toAlert), total: num(countRow?.n ?? 0), limit, offset };
    },

    async countOpenBySeverity() {
      const rows = await q.query<{ severity: Severity; n: number | string }>(
        `SELECT severity, COUNT(*) AS n FROM alerts WHERE status <> 'resolved' GROUP BY severity`,
      );
      return Object.fromEntries(rows.map((r) => [r.severity, num(r.n)]));
    },

    // Only firing alerts carry an escalation timer and only suppressed ones a re-check time (every
    // other transition clears them), so each partial index alone answers its claim; the caller
    // re-checks the status.
    claimDueEscalations: (now, limit) => claimDue('next_escalation_at', now, limit),
    claimDueSuppressionChecks: (now, limit) => claimDue('suppression_check_at', now, limit),

    async recheckSuppressed(reason, at) {
      const rows = await q.query(
        `UPDATE alerts SET suppression_check_at = $1
         WHERE status = 'suppressed' AND suppressed_reason = $2
           AND (suppression_check_at IS NULL OR suppression_check_at > $1) RETURNING id`,
        [at, reason],
      );
      return rows.length;
    },

    async reserveChannelSlot(channel, now, intervalMs, maxWaitMs) {
      const [row] = await q.query<{ next_slot: number | string }>(
        `INSERT INTO alert_channel_slots (channel, next_slot) VALUES ($1, ${int('$2')} + ${int('$3')})
         ON CONFLICT (channel) DO UPDATE
           SET next_slot = ${greatest('alert_channel_slots.next_slot', int('$2'))} + ${int('$3')}
           WHERE alert_channel_slots.next_slot <= ${int('$2')} + ${int('$4')}
         RETURNING next_slot`,
        [channel, now, intervalMs, maxWaitMs],
      );
      if (row) return { slot: num(row.next_slot) - intervalMs, reserved: true };
      const [held] = await q.query<{ next_slot: number | string }>(
        'SELECT next_slot FROM alert_channel_slots WHERE channel = $1',
        [channel],
      );
      return { slot: num(held?.next_slot ?? now), reserved: false };
    },

    async pauseChannel(channel, until) {
      await q.query(
        `INSERT INTO alert_channel_slots (channel, next_slot) VALUES ($1, ${int('$2')})
         ON CONFLICT (channel) DO UPDATE SET next_slot = ${greatest('alert_channel_slots.next_slot', int('$2'))}`,
        [channel, until],
      );
    },

    async enqueueDeliveries(rows, now) {
      let inserted = 0;
      for (const chunk of chunks(rows, maxRows)) {
        const params: SqlValue[] = [now];
        const values = chunk.map((d) => {
          params.push(
            d.alertId,
            d.channel,
            d.channelType,
            d.event,
            d.escalationLevel,
            d.idempotencyKey,
            d.nextAttemptAt,
            d.payload ?? null,
          );
          const p = (k: number) => `$${params.length - 8 + k}`;
          return `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, 'pending', 0, ${p(7)}, $1, $1, ${p(8)})`;
        });
        const result = await q.query(
          `INSERT INTO alert_deliveries (alert_id, channel, channel_type, event, escalation_level, idempotency_key,
             state, attempts, next_attempt_at, created_at, updated_at, payload)
           VALUES ${values.join(', ')}
           ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
          params,
        );
        inserted += result.length;
      }
      return inserted;
    },

    async notifiedChannels(alertId) {
      const rows = await q.query<{ channel: string; channel_type: ChannelType }>(
        `SELECT DISTINCT channel, channel_type FROM alert_deliveries
         WHERE alert_id = $1 AND event IN ('trigger', 'repeat', 'escalate') ORDER BY channel`,
        [alertId],
      );
      return rows.map((r) => ({ channel: r.channel, channelType: r.channel_type }));
    },

    async claimDeliveries(owner, now, leaseMs, limit, staleBefore) {
      // A lease whose owner stopped heartbeating is as good as expired.
      const orphaned =
        staleBefore === undefined
          ? ''
          : ` OR (d.state = 'sending' AND EXISTS (SELECT 1 FROM alert_replicas r
               WHERE r.instance_id = d.lease_owner AND r.heartbeat_at < ${int('$3')}))`;
      const ids = await q.query<{ id: number | string }>(
        `SELECT d.id FROM alert_deliveries d
         WHERE ((d.state = 'pending' AND d.next_attempt_at <= $1) OR (d.state = 'sending' AND d.lease_until < $1)${orphaned})
           AND NOT EXISTS (SELECT 1 FROM alert_deliveries e WHERE e.alert_id = d.alert_id AND e.channel = d.channel
                           AND e.id < d.id AND e.state IN ('pending', 'sending'))
         ORDER BY d.id LIMIT $2${dialect === 'postgres' ? ' FOR UPDATE OF d SKIP LOCKED' : ''}`,
        staleBefore === undefined ? [now, limit] : [now, limit, staleBefore],
      );
      if (ids.length === 0) return [];
      const idList = ids.map((r) => num(r.id));
      const rows = await q.query(
        `UPDATE alert_deliveries SET state = 'sending', lease_owner = $1, lease_until = $2, updated_at = $3
         WHERE id IN (${placeholders(idList.length, 3)}) RETURNING *`,
        [owner, now + leaseMs, now, ...idList],
      );
      return rows.map(toDelivery).sort((a, b) => a.id - b.id);
    },

    async finishDelivery(id, owner, o) {
      const rows = await q.query(
        `UPDATE alert_deliveries SET state = $1, attempts = attempts + 1, next_attempt_at = $2, last_error = $3,
           lease_owner = NULL, lease_until = NULL, updated_at = $4
         WHERE id = $5 AND lease_owner = $6 AND state = 'sending' RETURNING alert_id, attempts`,
        [o.state, o.nextAttemptAt, o.lastError, o.attempt.at, id, owner],
      );
      const row = rows[0];
      if (!row) return false;
      await q.query(
        `INSERT INTO alert_delivery_attempts (delivery_id, alert_id, attempt, at, outcome, status_code, error, duration_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          id,
          String(row.alert_id),
          num(row.attempts),
          o.attempt.at,
          o.attempt.outcome,
          o.attempt.statusCode,
          o.attempt.error,
          Math.round(o.attempt.durationMs),
        ],
      );
      return true;
    },

    async heartbeat(instanceId, now) {
      await q.query(
        `INSERT INTO alert_replicas (instance_id, started_at, heartbeat_at) VALUES ($1, $2, $2)
         ON CONFLICT (instance_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`,
        [instanceId, now],
      );
    },

    async removeReplica(instanceId, before) {
      await q.query('DELETE FROM alert_replicas WHERE instance_id = $1 OR heartbeat_at < $2', [
        instanceId,
        before,
      ]);
    },

    async releaseDelivery(id, owner, nextAttemptAt) {
      await q.query(
        `UPDATE alert_deliveries SET state = 'pending', next_attempt_at = $1, lease_owner = NULL, lease_until = NULL
         WHERE id = $2 AND lease_owner = $3 AND state = 'sending'`,
        [nextAttemptAt, id, owner],
      );
    },

    async deliveriesFor(alertId) {
      const deliveries = (
        await q.query('SELECT * FROM alert_deliveries WHERE alert_id = $1 ORDER BY id', [alertId])
      ).map(toDelivery);
      const attempts = await q.query(
        'SELECT * FROM alert_delivery_attempts WHERE alert_id = $1 ORDER BY delivery_id, id',
        [alertId],
      );
      const byDelivery = new Map<number, DeliveryAttempt[]>();
      for (const a of attempts) {
        const list = byDelivery.get(num(a.delivery_id)) ?? [];
        list.push({
          attempt: num(a.attempt),
          at: new Date(num(a.at)),
          outcome: a.outcome as AttemptOutcome,
          statusCode: optNum(a.status_code),
          error: optStr(a.error),
          durationMs: num(a.duration_ms),
        });
        byDelivery.set(num(a.delivery_id), list);
      }
      return deliveries.map((d) => ({ ...d, history: byDelivery.get(d.id) ?? [] }));
    },

    async pendingDeliveries() {
      const [row] = await q.query<{ n: number | string }>(
        `SELECT COUNT(*) AS n FROM alert_deliveries WHERE state IN ('pending', 'sending')`,
      );
      return num(row?.n ?? 0);
    },

    async insertSilence(s) {
      const rows = await q.query(
        `INSERT INTO alert_silences (id, matchers, starts_at, ends_at, created_by, comment, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING *`,
        [s.id, JSON.stringify(s.matchers), s.startsAt, s.endsAt, s.createdBy, s.comment, s.now],
      );
      await bump('silences');
      return toSilence(rows[0]!);
    },

    async getSilence(id) {
      const rows = await q.query('SELECT * FROM alert_silences WHERE id = $1', [id]);
      return rows[0] ? toSilence(rows[0]) : null;
    },

    async listSilences(opts) {
      const [where, params] = silencesWhere(opts);
      return (await q.query(`SELECT * FROM alert_silences${where} ORDER BY created_at DESC, id`, params)).map(
        toSilence,
      );
    },

    async expireSilence(id, now) {
      const ended = await q.query(
        'UPDATE alert_silences SET ends_at = $1, updated_at = $1 WHERE id = $2 AND ends_at > $1 RETURNING id',
        [now, id],
      );
      if (ended.length) await bump('silences');
      const rows = await q.query('SELECT * FROM alert_silences WHERE id = $1', [id]);
      return rows[0] ? toSilence(rows[0]) : null;
    },

    async purgeResolved(before) {
      const alerts = await q.query(
        `DELETE FROM alerts WHERE status = 'resolved' AND resolved_at < $1 RETURNING id`,
        [before],
      );
      const silences = await q.query('DELETE FROM alert_silences WHERE ends_at < $1 RETURNING id', [before]);
      return { alerts: alerts.length, silences: silences.length };
    },
  };
}
