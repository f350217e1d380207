/**
 * When each job runs. A schedule is one of `every <n>s|m|h|d` (slots aligned to the Unix
 * epoch), `daily@HH:MM` or `monthly@HH:MM` (UTC, first day of the month), or `off`. A slot is
 * the scheduled instant; each (job, slot) runs once across every replica.
 */
import { MonitoringConfigError } from '../errors.ts';

export type Schedule =
  | { kind: 'every'; intervalMs: number }
  | { kind: 'daily'; minuteOfDay: number }
  | { kind: 'monthly'; minuteOfDay: number }
  | { kind: 'off' };

const DAY = 86_400_000;
const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: DAY };

/** Parses one schedule; `setting` names where it came from in the error. */
export function parseSchedule(raw: string, setting: string): Schedule {
  const spec = raw.trim();
  if (spec === 'off') return { kind: 'off' };
  const every = /^(?:every\s*)?(\d+)(s|m|h|d)$/.exec(spec);
  if (every) {
    const intervalMs = Number(every[1]) * (UNITS[every[2] as string] as number);
    if (intervalMs < 1000) throw new MonitoringConfigError(setting, `'${raw}' must be at least 1s`);
    return { kind: 'every', intervalMs };
  }
  const at = /^(daily|monthly)@(\d{2}):(\d{2})$/.exec(spec);
  if (at) {
    const h = Number(at[2]);
    const m = Number(at[3]);
    if (h > 23 || m > 59) throw new MonitoringConfigError(setting, `'${raw}' is not a time of day`);
    return { kind: at[1] as 'daily' | 'monthly', minuteOfDay: h * 60 + m };
  }
  throw new MonitoringConfigError(
    setting,
    `'${raw}' is not a schedule (use 30s, 5m, 1h, 1d, daily@HH:MM, monthly@HH:MM or off)`,
  );
}

/** The latest slot at or before `now` (ms), or undefined for `off`. */
export function latestSlot(schedule: Schedule, now: number): number | undefined {
  switch (schedule.kind) {
    case 'off':
      return undefined;
    case 'every':
      return Math.floor(now / schedule.intervalMs) * schedule.intervalMs;
    case 'daily': {
      const today = Math.floor(now / DAY) * DAY + schedule.minuteOfDay * 60_000;
      return today <= now ? today : today - DAY;
    }
    case 'monthly': {
      const d = new Date(now);
      const offset = schedule.minuteOfDay * 60_000;
      const thisMonth = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) + offset;
      return thisMonth <= now ? thisMonth : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1) + offset;
    }
  }
}

/** Nominal distance between two slots (monthly: 31 days), for staleness checks. */
export function nominalIntervalMs(schedule: Schedule): number | undefined {
  if (schedule.kind === 'every') return schedule.intervalMs;
  if (schedule.kind === 'daily') return DAY;
  if (schedule.kind === 'monthly') return 31 * DAY;
  return undefined;
}

export function describeSchedule(schedule: Schedule): string {
  const hhmm = (m: number) =>
    `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  if (schedule.kind === 'every') return `every ${schedule.intervalMs / 1000}s`;
  if (schedule.kind === 'off') return 'off';
  return `${schedule.kind}@${hhmm(schedule.minuteOfDay)} UTC`;
}

/**
 * `AUTHLENS_JOBS_SCHEDULE`: comma-separated `job=spec` overrides; `*=spec` sets every job
 * first, so `*=off,send_monitoring_digest=daily@08:00` runs only the digest.
 */
export function parseScheduleOverrides(
  raw: string | undefined,
  jobs: readonly string[],
  setting = 'AUTHLENS_JOBS_SCHEDULE',
): Map<string, Schedule> {
  const out = new Map<string, Schedule>();
  if (raw === undefined || raw.trim() === '') return out;
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
    .map((entry) => {
      const eq = entry.indexOf('=');
      if (eq <= 0) throw new MonitoringConfigError(setting, `'${entry}' is not job=schedule`);
      return [entry.slice(0, eq).trim(), entry.slice(eq + 1)] as const;
    });
  for (const [job, spec] of entries) {
    if (job === '*') for (const j of jobs) out.set(j, parseSchedule(spec, setting));
  }
  for (const [job, spec] of entries) {
    if (job === '*') continue;
    if (!jobs.includes(job))
      throw new MonitoringConfigError(setting, `unknown job '${job}' (known: ${jobs.join(', ')})`);
    out.set(job, parseSchedule(spec, setting));
  }
  return out;
}
