/**
 * The scheduler on real stores: each (job, slot) runs once even with two schedulers on one
 * database, failed runs are retried with backoff and recorded, a run whose owner died is taken
 * over, and the job-queue health check reflects it all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres } from '../../../test/support/services.ts';
import {
  createJobRuntime,
  createScheduler,
  type JobDefinition,
  type JobRuntime,
  jobsHealthCheck,
} from '../src/index.ts';
import { parseSchedule, parseScheduleOverrides } from '../src/jobs/schedule.ts';
import { listRuns } from '../src/jobs/scheduler.ts';
import { type TempDb, tempDb } from './support/jobs-support.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const job = (name: string, run: JobDefinition['run'], schedule = '1s'): JobDefinition => ({
  name,
  title: name,
  needsMetrics: false,
  defaultSchedule: parseSchedule(schedule, 'test'),
  run,
});

describe('schedules', () => {
  it('parses overrides and rejects bad ones naming the variable', () => {
    const s = parseScheduleOverrides('*=off, b=daily@08:30', ['a', 'b']);
    expect(s.get('a')).toEqual({ kind: 'off' });
    expect(s.get('b')).toEqual({ kind: 'daily', minuteOfDay: 510 });
    expect(() => parseScheduleOverrides('c=1m', ['a'])).toThrow("AUTHLENS_JOBS_SCHEDULE: unknown job 'c'");
    expect(() => parseScheduleOverrides('a=sometimes', ['a'])).toThrow(
      "AUTHLENS_JOBS_SCHEDULE: 'sometimes' is not a schedule",
    );
    expect(() => parseScheduleOverrides('a=daily@25:00', ['a'])).toThrow('is not a time of day');
  });
});

describe.each(['sqlite', 'postgres'] as const)('scheduler on %s', (dialect) => {
  let temp: TempDb;
  let a: JobRuntime;
  let b: JobRuntime;

  beforeAll(async () => {
    if (dialect === 'postgres') await requirePostgres();
    temp = await tempDb(dialect);
    a = await createJobRuntime({ storeUrl: temp.url, env: {}, checks: [] });
    // SQLite is one process's store: a second runtime on the same file is only used on PostgreSQL.
    b = dialect === 'postgres' ? await createJobRuntime({ storeUrl: temp.url, env: {}, checks: [] }) : a;
  }, 30_000);

  afterAll(async () => {
    await a?.close();
    if (b !== a) await b?.close();
    await temp?.drop();
  });

  it('runs each slot once across two schedulers', async () => {
    const executions: string[] = [];
    const mk = (instance: string) =>
      job('tick', async () => {
        executions.push(instance);
        await sleep(30);
        return { summary: `ran on ${instance}` };
      });
    const s1 = createScheduler(a, { jobs: { tick: mk('one') }, instanceId: 'one', tickMs: 50 });
    const s2 = createScheduler(b, { jobs: { tick: mk('two') }, instanceId: 'two', tickMs: 50 });
    s1.start();
    s2.start();
    await sleep(3300);
    await Promise.all([s1.stop(), s2.stop()]);
    const runs = await listRuns(a.db, 'tick');
    const slots = runs.map((r) => r.slot.getTime());
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(new Set(slots).size).toBe(runs.length);
    expect(executions.length).toBe(runs.length);
    expect(runs.every((r) => r.status === 'succeeded' && r.trigger === 'schedule' && r.attempts === 1)).toBe(
      true,
    );
    for (const r of runs) expect(r.result?.summary).toBe(`ran on ${r.owner}`);
  });

  it('retries a failed run with backoff and records the attempts', async () => {
    let calls = 0;
    const flaky = job(
      'flaky',
      async () => {
        calls++;
        if (calls === 1) throw new Error('transient');
        return { summary: 'recovered' };
      },
      '1h',
    );
    const s = createScheduler(a, { jobs: { flaky }, instanceId: 'one', maxAttempts: 3, retryDelayMs: 200 });
    await s.tick();
    await s.idle();
    let [run] = await listRuns(a.db, 'flaky');
    expect(run).toMatchObject({ status: 'retry', attempts: 1, error: 'transient' });
    const health = jobsHealthCheck(a.db);
    expect((await health.check(AbortSignal.timeout(5000))).status).toBe('warn');
    await s.tick(); // too early: the retry is not due yet
    await s.idle();
    expect(calls).toBe(1);
    await sleep(250);
    await s.tick();
    await s.idle();
    [run] = await listRuns(a.db, 'flaky');
    expect(run).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      error: null,
      result: { summary: 'recovered' },
    });
    expect(await listRuns(a.db, 'flaky')).toHaveLength(1);
    await s.stop();
  });

  it('gives up after maxAttempts, and the jobs health check fails', async () => {
    const broken = job(
      'broken',
      async () => {
        throw new Error('always');
      },
      '1h',
    );
    const s = createScheduler(a, { jobs: { broken }, instanceId: 'one', maxAttempts: 2, retryDelayMs: 10 });
    await s.tick();
    await s.idle();
    await sleep(20);
    await s.tick();
    await s.idle();
    const [run] = await listRuns(a.db, 'broken');
    expect(run).toMatchObject({ status: 'failed', attempts: 2, error: 'always' });
    const result = await jobsHealthCheck(a.db).check(AbortSignal.timeout(5000));
    expect(result.status).toBe('fail');
    expect(result.message).toContain('failed: broken');
    await s.stop();
  });

  it('takes over a run whose owner stopped (lease expired)', async () => {
    const now = Date.now();
    const slot = Math.floor(now / 3_600_000) * 3_600_000;
    await a.db.query(
      `INSERT INTO job_runs (run_key, job, slot, trigger, status, attempts, owner, lease_until, started_at, created_at)
       VALUES ($1, 'orphan', $2, 'schedule', 'running', 1, 'dead-replica', $3, $3, $3)`,
      [`orphan@${new Date(slot).toISOString()}`, slot, now - 1000],
    );
    let ran = 0;
    const orphan = job(
      'orphan',
      async () => {
        ran++;
        return { summary: 'finished by the survivor' };
      },
      '1h',
    );
    const s = createScheduler(b, { jobs: { orphan }, instanceId: 'survivor' });
    await s.tick();
    await s.idle();
    expect(ran).toBe(1); // the slot was already claimed: only the takeover ran it
    const runs = await listRuns(a.db, 'orphan');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'succeeded', attempts: 2, owner: 'survivor' });
    await s.stop();
  });

  it('does not run a slot older than the catch-up window', async () => {
    let ran = 0;
    const day = job(
      'daily',
      async () => {
        ran++;
        return { summary: 'x' };
      },
      `daily@${new Date(Date.now() - 2 * 3_600_000).toISOString().slice(11, 16)}`,
    );
    const s = createScheduler(a, { jobs: { daily: day }, instanceId: 'one', catchUpMs: 3_600_000 });
    await s.tick();
    await s.idle();
    expect(ran).toBe(0);
    expect(await listRuns(a.db, 'daily')).toHaveLength(0);
    await s.stop();
  });
});
