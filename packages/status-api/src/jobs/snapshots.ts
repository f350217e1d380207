/** KPI snapshots (`kpi_snapshots`): one row per kind and period start, so trends can be shown. */
import type { Executor } from '../store/database.ts';

export type SnapshotKind = 'business_daily' | 'business_monthly' | 'security' | 'sla' | 'compliance';

export interface Snapshot<T = Record<string, unknown>> {
  kind: SnapshotKind;
  periodStart: Date;
  period: string;
  source: string;
  data: T;
  updatedAt: Date;
}

const DAY = 86_400_000;
export const dayStart = (d: Date) => new Date(Math.floor(d.getTime() / DAY) * DAY);
export const monthStart = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));

/** Inserts or replaces the snapshot of `kind` for `periodStart`. */
export async function saveSnapshot(db: Executor, s: Omit<Snapshot, 'updatedAt'>, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO kpi_snapshots (kind, period_start, period, source, data, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $6)
     ON CONFLICT (kind, period_start)
     DO UPDATE SET period = excluded.period, source = excluded.source, data = excluded.data, updated_at = excluded.updated_at`,
    [s.kind, s.periodStart.getTime(), s.period, s.source, JSON.stringify(s.data), now.getTime()],
  );
}

/** The latest snapshots of `kind` (newest first), optionally before `before`. */
export async function latestSnapshots<T = Record<string, unknown>>(
  db: Executor,
  kind: SnapshotKind,
  limit = 1,
  before?: Date,
): Promise<Snapshot<T>[]> {
  const rows = await db.query<{
    period_start: number | string;
    period: string;
    source: string;
    data: string;
    updated_at: number | string;
  }>(
    `SELECT period_start, period, source, data, updated_at FROM kpi_snapshots
     WHERE kind = $1 AND period_start < $2 ORDER BY period_start DESC LIMIT $3`,
    [kind, before ? before.getTime() : Number.MAX_SAFE_INTEGER, limit],
  );
  return rows.map((r) => ({
    kind,
    periodStart: new Date(Number(r.period_start)),
    period: r.period,
    source: r.source,
    data: JSON.parse(r.data) as T,
    updatedAt: new Date(Number(r.updated_at)),
  }));
}
