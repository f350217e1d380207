/**
 * Two replicas of `authlens serve` (each its own job runtime, connection pool, scheduler and
 * API, as the CLI wires them) on one real PostgreSQL, and a restart of one of them: they keep
 * one status history (one sample per component and minute, whoever wrote it first), one set of
 * incidents, and the same page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildServer,
  createJobRuntime,
  createScheduler,
  createStatusHistory,
  defineHealthCheck,
  type JobRuntime,
  jobDefinitions,
  type StandaloneServer,
} from '../src/index.ts';
import { parseSchedule } from '../src/jobs/schedule.ts';
import { type TempDb, tempPostgres } from './support/jobs-support.ts';
import { apiKeys, bearer, writeKey } from './support/monitoring-support.ts';
import { pastDayCells } from './support/status-support.ts';

interface Replica {
  name: string;
  rt: JobRuntime;
  server: StandaloneServer;
}

let temp: TempDb;
const replicas: Replica[] = [];
let flaky = 'pass' as 'pass' | 'fail';

async function startReplica(name: string): Promise<Replica> {
  const rt = await createJobRuntime({
    env: { ALERT_STORE_URL: temp.url },
    checks: [
      defineHealthCheck('login', async () => ({ status: 'pass' }), { displayName: 'Sign-in' }),
      defineHealthCheck('sms', async () => ({ status: flaky }), {
        critical: false,
        displayName: 'SMS codes',
      }),
    ],
  });
  const server = await buildServer({
    port: 0,
    host: '127.0.0.1',
    logger: false,
    apiKeys,
    env: {},
    serviceName: 'Replicated Auth',
    healthRegistry: rt.health,
    healthCheckCacheTtlSeconds: 0,
    alerts: { manager: rt.alerts },
    statusPage: { db: rt.db },
  });
  const replica = { name, rt, server };
  replicas.push(replica);
  return replica;
}

async function stopReplica(r: Replica): Promise<void> {
  await r.server.close();
  await r.rt.close();
  replicas.splice(replicas.indexOf(r), 1);
}

beforeAll(async () => {
  temp = await tempPostgres('authlens_status');
});
afterAll(async () => {
  for (const r of [...replicas]) await stopReplica(r);
  await temp?.drop();
});

/** The page's day cells (today's left out). */
const page = async (r: Replica) =>
  pastDayCells((await r.server.app.inject({ url: '/monitoring/status/?format=html' })).body);

describe('status history across replicas and restarts (PostgreSQL)', () => {
  it('two replicas write one sample per component and minute, and show the same page', async () => {
    const a = await startReplica('a');
    const b = await startReplica('b');
    // Earlier job runs on A: a sample every 5 minutes for an hour yesterday, SMS failing for 20 min.
    const yesterday = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000 + 10 * 3_600_000;
    const onA = createStatusHistory(a.rt.db);
    const onB = createStatusHistory(b.rt.db);
    const states = Array.from({ length: 12 }, (_, i) => ({
      component: 'sms',
      state: i >= 4 && i < 8 ? ('partial_outage' as const) : ('operational' as const),
      at: yesterday + i * 300_000,
    }));
    expect(await onA.recordStates(states, 'job')).toBe(12);
    // B reports the same minutes (a live check at the same time): nothing new is written.
    expect(
      await onB.recordStates(
        states.map((s) => ({ ...s, state: 'major_outage' as const })),
        'live',
      ),
    ).toBe(0);
    // Both replicas serve the page at once: each records its live sample; one per minute is kept.
    await Promise.all([page(a), page(b)]);
    const [dupes] = (await a.rt.db.query(
      `SELECT COUNT(*) AS n FROM (SELECT component, slot FROM status_samples GROUP BY component, slot HAVING COUNT(*) > 1) d`,
    )) as Array<{ n: number | string }>;
    expect(Number(dupes?.n)).toBe(0);
    const [fromA, fromB] = await Promise.all([page(a), page(b)]);
    expect(fromA).toHaveLength(89 * 2);
    expect(fromA).toEqual(fromB);
    expect(fromA.filter((t) => /Partial outage, partial outage 20 min, uptime 91\.42%/.test(t))).toHaveLength(
      1,
    );
  });

  it('the scheduled health job runs once per slot across replicas and lands in the same history', async () => {
    const [a, b] = replicas as [Replica, Replica];
    flaky = 'fail';
    const def = jobDefinitions().run_system_health_checks;
    const schedules = new Map([[def.name, parseSchedule('1m', 'test')]]);
    const sa = createScheduler(a.rt, { jobs: { [def.name]: def }, schedules, instanceId: 'a' });
    const sb = createScheduler(b.rt, { jobs: { [def.name]: def }, schedules, instanceId: 'b' });
    await Promise.all([sa.tick(), sb.tick()]);
    await Promise.all([sa.idle(), sb.idle()]);
    await Promise.all([sa.stop(), sb.stop()]);
    const runs = await a.rt.db.query(`SELECT owner, status FROM job_runs WHERE job = $1`, [def.name]);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.status).toBe('succeeded');
    // The job's sample, or the live one of the same minute written first: one per component.
    const slot = Math.floor(Date.now() / 60_000) * 60_000;
    const samples = await b.rt.db.query(
      `SELECT component, COUNT(*) AS n FROM status_samples WHERE slot >= $1 GROUP BY component ORDER BY component`,
      [slot - 60_000],
    );
    expect(samples.map((r) => r.component)).toEqual(['login', 'sms']);
    const today = Math.floor(Date.now() / 86_400_000) * 86_400_000;
    const row = `SELECT worst, observed_s FROM status_daily WHERE component = 'sms' AND day = $1`;
    expect(await a.rt.db.query(row, [today])).toEqual(await b.rt.db.query(row, [today]));
    flaky = 'pass';
  });

  it('an incident opened on one replica is on both; a restart keeps history and incidents', async () => {
    const [a, b] = replicas as [Replica, Replica];
    const res = await a.server.app.inject({
      method: 'POST',
      url: '/monitoring/incidents/',
      headers: bearer(writeKey),
      payload: { title: 'SMS codes delayed', impact: 'minor', components: ['sms'], body: 'Looking into it.' },
    });
    expect(res.statusCode).toBe(201);
    const names = async (r: Replica) =>
      (
        (await r.server.app.inject({ url: '/monitoring/status/summary.json' })).json() as {
          incidents: Array<{ name: string }>;
        }
      ).incidents.map((i) => i.name);
    expect(await names(b)).toEqual(['SMS codes delayed']);
    const before = await page(b);
    await stopReplica(a);
    const restarted = await startReplica('a again');
    expect(await names(restarted)).toEqual(['SMS codes delayed']);
    const after = await page(restarted);
    expect(after).toEqual(before);
    expect(after.some((t) => /partial outage 20 min/.test(t))).toBe(true);
  });
});
