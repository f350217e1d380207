/**
 * The job scheduler inside `authlens serve`. Every tick it works out each job's latest slot and
 * claims it by inserting `job_runs(run_key = job@slot)`: the unique key lets exactly one replica
 * on a shared PostgreSQL win, and on SQLite the same insert keeps the record. The winner holds
 * a lease it renews while running; failed runs are retried with backoff, and a run whose owner
 * died (lease expired) is taken over, both claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { metrics } from '@opentelemetry/api';
import { DEFAULTS } from '../defaults.ts';
import type { HealthCheck } from '../health/types.ts';
import { readSettings } from '../settings.ts';
import type { Executor } from '../store/database.ts';
import type { JobResult } from './result.ts';
import type { JobRuntime } from './runtime.ts';
import {
  describeSchedule,
  latestSlot,
  nominalIntervalMs,
  parseScheduleOverrides,
  type Schedule,
} from './schedule.ts';
import { isMetricsUnavailable, type JobDefinition, jobDefinitions } from './tasks.ts';

export type RunStatus = 'running' | 'retry' | 'succeeded' | 'failed' | 'skipped';

export interface JobRun {
  id: number;
  job: string;
  slot: Date;
  trigger: 'schedule' | 'manual';
  status: RunStatus;
  attempts: number;
  owner: string;
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
  error: string | null;
  result: JobResult | null;
}

export type LogEntry = { level: 'info' | 'warn' | 'error'; message: string } & Record<string, unknown>;

export interface SchedulerOptions {
  /** Default: every job of `jobDefinitions()`. */
  jobs?: Record<string, JobDefinition>;
  /** Per-job schedule overrides; default `AUTHLENS_JOBS_SCHEDULE` of the runtime's environment. */
  schedules?: Map<string, Schedule>;
  /** How often due work is looked for; default `AUTHLENS_JOBS_TICK_MS`, then 5000. */
  tickMs?: number;
  /** How long a claimed run is held before another replica may take it over (default 10 min; renewed while running). */
  leaseMs?: number;
  /** Attempts per scheduled run, first included (default 3). */
  maxAttempts?: number;
  /** Delay before the first retry, doubled for each further one (default 60 s). */
  retryDelayMs?: number;
  /** A slot missed (e.g. while no replica ran) is still run when it is at most this old (default 1 h). */
  catchUpMs?: number;
  /** Identifies this replica in `job_runs.owner` (default `<hostname>:<pid>:<random>`). */
  instanceId?: string;
  /** Structured log lines (default none). */
  log?: (entry: LogEntry) => void;
}

export interface Scheduler {
  readonly instanceId: string;
  /** The effective schedule of each job, readable (`every 300s`, `daily@08:00 UTC`). */
  schedules(): Record<string, string>;
  /** The effective schedules (for `jobsHealthCheck`). */
  readonly scheduleTable: ReadonlyMap<string, Schedule>;
  start(): void;
  /** Stops ticking and waits for runs in progress. */
  stop(): Promise<void>;
  /** One pass: claims due slots and retries and starts them (resolves when they are started). */
  tick(): Promise<void>;
  /** Resolves when every run this instance started has finished. */
  idle(): Promise<void>;
}

const MAX_ERROR = 500;
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR);

function toRun(r: Record<string, unknown>): JobRun {
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: Number(r.id),
    job: String(r.job),
    slot: new Date(Number(r.slot)),
    trigger: r.trigger as JobRun['trigger'],
    status: r.status as RunStatus,
    attempts: Number(r.attempts),
    owner: String(r.owner),
    startedAt: new Date(Number(r.started_at)),
    finishedAt: n(r.finished_at) === null ? null : new Date(Number(r.finished_at)),
    durationMs: n(r.duration_ms),
    error: r.error === null || r.error === undefined ? null : String(r.error),
    result: r.result ? (JSON.parse(String(r.result)) as JobResult) : null,
  };
}

/** Runs recorded for `job` (all jobs when omitted), newest first. */
export async function listRuns(db: Executor, job?: string, limit = 50): Promise<JobRun[]> {
  const rows = job
    ? await db.query('SELECT * FROM job_runs WHERE job = $1 ORDER BY id DESC LIMIT $2', [job, limit])
    : await db.query('SELECT * FROM job_runs ORDER BY id DESC LIMIT $1', [limit]);
  return rows.map(toRun);
}

interface Finish {
  status: RunStatus;
  result?: JobResult;
  error?: string;
  nextAttemptAt?: number;
}

async function finishRun(
  db: Executor,
  id: number,
  owner: string,
  startedMs: number,
  f: Finish,
): Promise<boolean> {
  const now = Date.now();
  const rows = await db.query(
    `UPDATE job_runs SET status = $1, finished_at = $2, duration_ms = $3, error = $4, result = $5,
       next_attempt_at = $6, lease_until = $2
     WHERE id = $7 AND owner = $8 RETURNING id`,
    [
      f.status,
      now,
      Math.round(now - startedMs),
      f.error ?? null,
      f.result ? JSON.stringify(f.result) : null,
      f.nextAttemptAt ?? null,
      id,
      owner,
    ],
  );
  return rows.length > 0;
}

async function insertRun(
  db: Executor,
  job: string,
  runKey: string,
  slot: number,
  trigger: JobRun['trigger'],
  owner: string,
  leaseMs: number,
): Promise<number | undefined> {
  const now = Date.now();
  const rows = await db.query<{ id: number | string }>(
    `INSERT INTO job_runs (run_key, job, slot, trigger, status, attempts, owner, lease_until, started_at, created_at)
     VALUES ($1, $2, $3, $4, 'running', 1, $5, $6, $7, $7)
     ON CONFLICT (run_key) DO NOTHING RETURNING id`,
    [runKey, job, slot, trigger, owner, now + leaseMs, now],
  );
  return rows[0] ? Number(rows[0].id) : undefined;
}

/**
 * Runs one job now (the CLI's `update-metrics`), recorded as a manual run. Throws the job's
 * error after recording it.
 */
export async function runJobNow(
  rt: JobRuntime,
  def: JobDefinition,
  owner = `cli:${process.pid}`,
): Promise<JobResult> {
  const started = Date.now();
  const id = await insertRun(
    rt.db,
    def.name,
    `${def.name}@manual:${randomUUID()}`,
    started,
    'manual',
    owner,
    3_600_000,
  );
  if (id === undefined) throw new Error('could not record the job run');
  try {
    const result = await def.run(rt, {});
    await finishRun(rt.db, id, owner, started, { status: 'succeeded', result });
    return result;
  } catch (err) {
    await finishRun(rt.db, id, owner, started, { status: 'failed', error: errorText(err) }).catch(
      () => undefined,
    );
    throw err;
  }
}

export function createScheduler(rt: JobRuntime, options: SchedulerOptions = {}): Scheduler {
  const jobs: Record<string, JobDefinition> = options.jobs ?? jobDefinitions();
  const names = Object.keys(jobs);
  const overrides = options.schedules ?? parseScheduleOverrides(rt.env.AUTHLENS_JOBS_SCHEDULE, names);
  const schedules = new Map<string, Schedule>(
    names.map((n) => [n, overrides.get(n) ?? (jobs[n] as JobDefinition).defaultSchedule]),
  );
  const tickMs =
    options.tickMs ??
    readSettings(rt.env).integer('AUTHLENS_JOBS_TICK_MS', {
      default: DEFAULTS.jobs.tickMs,
      min: 10,
      expected: 'an integer ≥ 10 (milliseconds)',
    });
  const leaseMs = options.leaseMs ?? 600_000;
  const maxAttempts = options.maxAttempts ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 60_000;
  // Scheduled runs by job and outcome, on the meter provider registered when the scheduler is made.
  const runs = metrics.getMeter('@authlens/status-api').createCounter('authlens.jobs.runs', {
    unit: '{run}',
    description: 'Scheduled job runs by job and outcome',
  });
  const catchUpMs = options.catchUpMs ?? 3_600_000;
  const instanceId =
    options.instanceId ?? `${process.env.HOSTNAME ?? 'authlens'}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = options.log ?? (() => undefined);
  const db = rt.db;

  const lastSlot = new Map<string, number>();
  const running = new Map<string, Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;
  let stopped = false;

  function execute(def: JobDefinition, id: number, slot: number, attempt: number): void {
    const started = Date.now();
    log({
      level: 'info',
      message: 'job started',
      job: def.name,
      slot: new Date(slot).toISOString(),
      attempt,
      runId: id,
      instance: instanceId,
    });
    const heartbeat = setInterval(
      () => {
        void db
          .query('UPDATE job_runs SET lease_until = $1 WHERE id = $2 AND owner = $3 AND status = $4', [
            Date.now() + leaseMs,
            id,
            instanceId,
            'running',
          ])
          .catch(() => undefined);
      },
      Math.max(1000, Math.floor(leaseMs / 3)),
    );
    heartbeat.unref();
    const done = (async () => {
      let finish: Finish;
      try {
        const result = await def.run(rt, { slot: new Date(slot) });
        finish = { status: 'succeeded', result };
      } catch (err) {
        if (isMetricsUnavailable(err)) {
          finish = { status: 'skipped', error: errorText(err) };
        } else if (attempt < maxAttempts) {
          finish = {
            status: 'retry',
            error: errorText(err),
            nextAttemptAt: Date.now() + retryDelayMs * 2 ** (attempt - 1),
          };
        } else {
          finish = { status: 'failed', error: errorText(err) };
        }
      } finally {
        clearInterval(heartbeat);
      }
      const kept = await finishRun(db, id, instanceId, started, finish).catch((err) => {
        log({
          level: 'error',
          message: 'job run could not be recorded',
          job: def.name,
          runId: id,
          error: errorText(err),
        });
        return false;
      });
      runs.add(1, { 'job.name': def.name, 'job.outcome': kept ? finish.status : 'lease_lost' });
      log({
        level: finish.status === 'succeeded' || finish.status === 'skipped' ? 'info' : 'warn',
        message: 'job finished',
        job: def.name,
        slot: new Date(slot).toISOString(),
        attempt,
        runId: id,
        instance: instanceId,
        status: kept ? finish.status : 'lease_lost',
        durationMs: Date.now() - started,
        ...(finish.result && { summary: finish.result.summary }),
        ...(finish.error && { error: finish.error }),
      });
    })();
    const tracked = done.finally(() => running.delete(def.name));
    running.set(def.name, tracked);
  }

  async function claimRetry(
    now: number,
  ): Promise<{ def: JobDefinition; id: number; slot: number; attempt: number } | undefined> {
    const eligible = names.filter((n) => !running.has(n));
    if (eligible.length === 0) return undefined;
    const inList = eligible.map((_, i) => `$${i + 2}`).join(', ');
    const lock = db.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
    return db.transaction(async (tx) => {
      const [row] = await tx.query<{
        id: number | string;
        job: string;
        slot: number | string;
        attempts: number | string;
        status: string;
      }>(
        `SELECT id, job, slot, attempts, status FROM job_runs
         WHERE ((status = 'retry' AND next_attempt_at <= $1) OR (status = 'running' AND lease_until < $1))
           AND trigger = 'schedule' AND job IN (${inList})
         ORDER BY id LIMIT 1${lock}`,
        [now, ...eligible],
      );
      if (!row) return undefined;
      const id = Number(row.id);
      const attempts = Number(row.attempts);
      if (row.status === 'running' && attempts >= maxAttempts) {
        await tx.query(`UPDATE job_runs SET status = 'failed', finished_at = $1, error = $2 WHERE id = $3`, [
          now,
          'lease expired: the replica running it stopped',
          id,
        ]);
        return undefined;
      }
      await tx.query(
        `UPDATE job_runs SET status = 'running', attempts = $1, owner = $2, lease_until = $3, next_attempt_at = NULL,
           started_at = $4, finished_at = NULL WHERE id = $5`,
        [attempts + 1, instanceId, now + leaseMs, now, id],
      );
      return { def: jobs[row.job] as JobDefinition, id, slot: Number(row.slot), attempt: attempts + 1 };
    });
  }

  async function tickOnce(): Promise<void> {
    // Which slot is due follows the runtime's clock, the one the jobs read (tests set it).
    const now = rt.now().getTime();
    for (const [name, schedule] of schedules) {
      if (stopped) return;
      if (running.has(name)) continue;
      const slot = latestSlot(schedule, now);
      if (slot === undefined || slot <= (lastSlot.get(name) ?? Number.NEGATIVE_INFINITY)) continue;
      lastSlot.set(name, slot);
      if (now - slot > catchUpMs) continue;
      const def = jobs[name] as JobDefinition;
      const id = await insertRun(
        db,
        name,
        `${name}@${new Date(slot).toISOString()}`,
        slot,
        'schedule',
        instanceId,
        leaseMs,
      );
      if (id !== undefined) execute(def, id, slot, 1);
    }
    // Retries and runs whose owner stopped, one at a time until none is due.
    for (let i = 0; i < names.length && !stopped; i++) {
      const claimed = await claimRetry(Date.now());
      if (!claimed) break;
      execute(claimed.def, claimed.id, claimed.slot, claimed.attempt);
    }
  }

  const tick = (): Promise<void> => {
    if (ticking) return ticking;
    ticking = tickOnce()
      .catch((err) =>
        log({
          level: 'error',
          message: 'scheduler tick failed',
          instance: instanceId,
          error: errorText(err),
        }),
      )
      .finally(() => {
        ticking = undefined;
      });
    return ticking;
  };

  return {
    instanceId,
    scheduleTable: schedules,
    schedules: () => Object.fromEntries([...schedules].map(([n, s]) => [n, describeSchedule(s)])),
    start() {
      if (timer || stopped) return;
      void tick();
      timer = setInterval(() => void tick(), tickMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await ticking;
      await Promise.allSettled([...running.values()]);
    },
    tick,
    async idle() {
      await ticking;
      await Promise.allSettled([...running.values()]);
    },
  };
}

export interface JobsHealthCheckOptions {
  /** Schedules, for staleness: a job whose last success is older than 2 intervals + 1 h warns. */
  schedules?: ReadonlyMap<string, Schedule>;
  /** Queue depth (runs waiting to retry or running) above which the check warns (default 10). */
  maxQueueDepth?: number;
}

/**
 * The job-queue health check (`jobs`): last success per job, failed runs in the last 24 h and
 * the queue depth. Fails when a job's latest run failed for good, warns on retries, a deep
 * queue or a stale job. Not critical: jobs failing degrades, it does not take readiness down.
 */
export function jobsHealthCheck(db: Executor, options: JobsHealthCheckOptions = {}): HealthCheck {
  const maxQueue = options.maxQueueDepth ?? 10;
  return {
    name: 'jobs',
    displayName: 'Scheduled jobs',
    componentType: 'component',
    critical: false,
    async check() {
      const now = Date.now();
      const latest = await db.query<{ job: string; status: string }>(
        `SELECT r.job, r.status FROM job_runs r
         JOIN (SELECT job, MAX(id) AS id FROM job_runs WHERE status <> 'running' GROUP BY job) l ON l.id = r.id`,
      );
      const success = await db.query<{ job: string; at: number | string }>(
        `SELECT job, MAX(finished_at) AS at FROM job_runs WHERE status = 'succeeded' GROUP BY job`,
      );
      const [depth] = await db.query<{ n: number | string }>(
        `SELECT COUNT(*) AS n FROM job_runs WHERE status IN ('retry', 'running')`,
      );
      const [retrying] = await db.query<{ n: number | string }>(
        `SELECT COUNT(*) AS n FROM job_runs WHERE status = 'retry'`,
      );
      const [failed] = await db.query<{ n: number | string }>(
        `SELECT COUNT(*) AS n FROM job_runs WHERE status = 'failed' AND finished_at >= $1`,
        [now - 86_400_000],
      );
      const queueDepth = Number(depth?.n ?? 0);
      const failing = latest.filter((r) => r.status === 'failed').map((r) => r.job);
      const stale: string[] = [];
      const details: Record<string, string | number | boolean | null> = {};
      for (const s of success) {
        details[`lastSuccess.${s.job}`] = new Date(Number(s.at)).toISOString();
        const schedule = options.schedules?.get(s.job);
        const interval = schedule ? nominalIntervalMs(schedule) : undefined;
        if (interval !== undefined && now - Number(s.at) > 2 * interval + 3_600_000) stale.push(s.job);
      }
      const status =
        failing.length > 0
          ? 'fail'
          : Number(retrying?.n ?? 0) > 0 || queueDepth > maxQueue || stale.length > 0
            ? 'warn'
            : 'pass';
      const problems = [
        failing.length ? `failed: ${failing.join(', ')}` : '',
        Number(retrying?.n ?? 0) > 0 ? `${retrying?.n} runs waiting to retry` : '',
        stale.length ? `stale: ${stale.join(', ')}` : '',
      ].filter(Boolean);
      return {
        status,
        message: problems.length ? problems.join('; ') : 'all jobs healthy',
        observations: [
          { measurement: 'queueDepth', observedValue: queueDepth, observedUnit: 'runs' },
          { measurement: 'failedRuns24h', observedValue: Number(failed?.n ?? 0), observedUnit: 'runs' },
        ],
        details,
      };
    },
  };
}
