/**
 * Component health history in the alert store (migration 5): one sample per component per
 * minute (`status_samples`, first writer wins, so replicas and restarts keep one history), rolled
 * up per UTC day (`status_daily`) whenever a new sample lands. Retention: daily rows
 * `METRICS_RETENTION_DAYS`, raw samples at most 7 days of that.
 */
import { type ComponentState, componentState } from '../health/status-page.ts';
import type { HealthCheckResult } from '../health/types.ts';
import type { Database, Executor } from '../store/database.ts';
import {
  addSeconds,
  DAY_MS,
  dayStartOf,
  emptySeconds,
  MAX_SAMPLE_SPAN_MS,
  type Sample,
  type StateSeconds,
  secondsBetween,
  slotOf,
  uptime,
} from './uptime.ts';

export type SampleSource = 'job' | 'live' | 'demo';
/** Raw samples are kept this many days at most (the daily roll-ups keep the history). */
export const SAMPLE_RETENTION_DAYS = 7;

export interface DayRecord extends StateSeconds {
  /** UTC day start. */
  day: number;
  /** The day holds demo samples (`pnpm demo`). */
  demo: boolean;
}

export interface ComponentHistory {
  component: string;
  /** Oldest first; `days` entries, days without data have `worst: null`. */
  days: DayRecord[];
  /** Uptime 0–1 over the last 7, 30 and 90 days (null: no data). */
  uptime: { d7: number | null; d30: number | null; d90: number | null };
}

export interface StatusHistory {
  /** Records one sample per check for the minute of `now`; returns how many were new. */
  record(
    checks: readonly Pick<HealthCheckResult, 'name' | 'status' | 'critical'>[],
    now: Date,
    source: SampleSource,
  ): Promise<number>;
  /** Records explicit states (demo seeding, tests). */
  recordStates(
    states: ReadonlyArray<{ component: string; state: ComponentState; at: number }>,
    source: SampleSource,
    now?: number,
  ): Promise<number>;
  /** The last `days` days (today included) of each component. */
  history(components: readonly string[], days: number, now: Date): Promise<ComponentHistory[]>;
  /** Deletes daily rows older than `retentionDays` and samples older than min(7, retention) days. */
  prune(retentionDays: number, now: Date): Promise<{ days: number; samples: number }>;
}

const STATES = new Set<ComponentState>([
  'operational',
  'degraded_performance',
  'partial_outage',
  'major_outage',
]);
const asState = (v: unknown): ComponentState | null =>
  typeof v === 'string' && STATES.has(v as ComponentState) ? (v as ComponentState) : null;

async function rollupDay(db: Executor, component: string, day: number, now: number): Promise<void> {
  const end = day + DAY_MS;
  const rows = await db.query<{ slot: number | string; state: string; source: string }>(
    'SELECT slot, state, source FROM status_samples WHERE component = $1 AND slot >= $2 AND slot < $3 ORDER BY slot',
    [component, day - MAX_SAMPLE_SPAN_MS, end],
  );
  const samples: Sample[] = [];
  let demo = false;
  let through = 0;
  for (const r of rows) {
    const state = asState(r.state);
    if (!state) continue;
    const slot = Number(r.slot);
    samples.push({ slot, state });
    if (slot >= day) {
      if (r.source === 'demo') demo = true;
      through = Math.max(through, slot);
    }
  }
  const s = secondsBetween(samples, day, end, now);
  // The newest computation wins: a replica that saw fewer samples does not overwrite it.
  await db.query(
    `INSERT INTO status_daily (component, day, observed_s, degraded_s, partial_s, major_s, worst, demo, through_slot)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (component, day) DO UPDATE SET observed_s = excluded.observed_s, degraded_s = excluded.degraded_s,
       partial_s = excluded.partial_s, major_s = excluded.major_s, worst = excluded.worst, demo = excluded.demo,
       through_slot = excluded.through_slot
     WHERE status_daily.through_slot <= excluded.through_slot`,
    [component, day, s.observed, s.degraded, s.partial, s.major, s.worst, demo ? 1 : 0, through],
  );
}

export function createStatusHistory(db: Database): StatusHistory {
  async function recordStates(
    states: ReadonlyArray<{ component: string; state: ComponentState; at: number }>,
    source: SampleSource,
    now = Date.now(),
  ): Promise<number> {
    let inserted = 0;
    const days = new Map<string, Set<number>>();
    for (const s of states) {
      const slot = slotOf(s.at);
      const rows = await db.query(
        `INSERT INTO status_samples (component, slot, state, source) VALUES ($1, $2, $3, $4)
         ON CONFLICT (component, slot) DO NOTHING RETURNING slot`,
        [s.component, slot, s.state, source],
      );
      if (rows.length === 0) continue;
      inserted++;
      const set = days.get(s.component) ?? new Set<number>();
      // The day of the sample, and the day before when the previous sample may end in it.
      set.add(dayStartOf(slot));
      set.add(dayStartOf(slot - MAX_SAMPLE_SPAN_MS));
      days.set(s.component, set);
    }
    for (const [component, set] of days) {
      for (const day of set) await rollupDay(db, component, day, Math.max(now, ...states.map((s) => s.at)));
    }
    return inserted;
  }

  return {
    recordStates,
    record: (checks, now, source) =>
      recordStates(
        checks.map((c) => ({ component: c.name, state: componentState(c), at: now.getTime() })),
        source,
        now.getTime(),
      ),
    async history(components, days, now) {
      const today = dayStartOf(now.getTime());
      const first = today - (days - 1) * DAY_MS;
      if (components.length === 0) return [];
      const list = components.map((_, i) => `$${i + 2}`).join(', ');
      const rows = await db.query<Record<string, unknown>>(
        `SELECT component, day, observed_s, degraded_s, partial_s, major_s, worst, demo FROM status_daily
         WHERE day >= $1 AND component IN (${list})`,
        [first, ...components],
      );
      const byKey = new Map<string, DayRecord>();
      for (const r of rows) {
        byKey.set(`${r.component}@${Number(r.day)}`, {
          day: Number(r.day),
          observed: Number(r.observed_s),
          degraded: Number(r.degraded_s),
          partial: Number(r.partial_s),
          major: Number(r.major_s),
          worst: asState(r.worst),
          demo: Number(r.demo) === 1,
        });
      }
      return components.map((component) => {
        const list: DayRecord[] = [];
        for (let d = first; d <= today; d += DAY_MS) {
          list.push(byKey.get(`${component}@${d}`) ?? { ...emptySeconds(), day: d, demo: false });
        }
        const over = (n: number) =>
          uptime(list.slice(-n).reduce<StateSeconds>((a, b) => addSeconds(a, b), emptySeconds()));
        return { component, days: list, uptime: { d7: over(7), d30: over(30), d90: over(90) } };
      });
    },
    async prune(retentionDays, now) {
      const ms = now.getTime();
      const days = await db.query('DELETE FROM status_daily WHERE day < $1 RETURNING day', [
        dayStartOf(ms) - retentionDays * DAY_MS,
      ]);
      const samples = await db.query('DELETE FROM status_samples WHERE slot < $1 RETURNING slot', [
        ms - Math.min(retentionDays, SAMPLE_RETENTION_DAYS) * DAY_MS,
      ]);
      return { days: days.length, samples: samples.length };
    },
  };
}
