/**
 * Which period a business KPI snapshot covers, and that with `PROMETHEUS_URL` its queries cover
 * exactly that period: the jobs run against the real Prometheus through a recording proxy, and
 * every query must be evaluated at the period's end over a range of the period's length.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePrometheus, services } from '../../../test/support/services.ts';
import { createJobRuntime, type JobRuntime, jobDefinitions, runJobNow } from '../src/index.ts';
import { snapshotPeriod } from '../src/jobs/business-task.ts';
import { latestSnapshots } from '../src/jobs/snapshots.ts';
import { runScheduledSlot, type TempDb, tempSqlite } from './support/jobs-support.ts';

const DAY = 86_400_000;
/** The jobs' clock, fixed for the file, so no case races midnight UTC. */
const clock = Date.now();
const today = new Date(Math.floor(clock / DAY) * DAY);
const at = (iso: string) => new Date(iso);
const jobs = jobDefinitions();

describe('snapshotPeriod', () => {
  it('a scheduled run covers the whole day or month before its slot', () => {
    expect(snapshotPeriod(false, at('2028-03-01T00:12:00Z'), at('2028-03-01T00:10:00Z'))).toEqual({
      start: at('2028-02-29T00:00:00Z'),
      end: at('2028-03-01T00:00:00Z'),
      complete: true,
    });
    // A retry an hour later still belongs to its slot.
    expect(snapshotPeriod(true, at('2028-03-01T01:20:00Z'), at('2028-03-01T00:20:00Z'))).toEqual({
      start: at('2028-02-01T00:00:00Z'),
      end: at('2028-03-01T00:00:00Z'),
      complete: true,
    });
    expect(snapshotPeriod(true, at('2027-01-01T00:20:00Z'), at('2027-01-01T00:20:00Z')).start).toEqual(
      at('2026-12-01T00:00:00Z'),
    );
  });

  it('a manual run covers the current day or month so far', () => {
    const now = at('2028-03-15T13:45:00Z');
    expect(snapshotPeriod(false, now)).toEqual({
      start: at('2028-03-15T00:00:00Z'),
      end: now,
      complete: false,
    });
    expect(snapshotPeriod(true, now)).toEqual({
      start: at('2028-03-01T00:00:00Z'),
      end: now,
      complete: false,
    });
  });
});

describe('KPI snapshots from Prometheus cover exactly their period', () => {
  let temp: TempDb;
  let rt: JobRuntime;
  let proxy: http.Server;
  /** `time` and the range selectors of every query the jobs sent. */
  const queries: Array<{ time: number; ranges: string[] }> = [];

  beforeAll(async () => {
    await requirePrometheus();
    // Forwards to the real Prometheus and records what was asked.
    proxy = http.createServer(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://proxy');
      const query = url.searchParams.get('query') ?? '';
      queries.push({
        time: Number(url.searchParams.get('time')),
        ranges: [...query.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1] as string),
      });
      const upstream = await fetch(new URL(`${url.pathname}${url.search}`, services.prometheusUrl));
      res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    temp = tempSqlite();
    rt = await createJobRuntime({
      storeUrl: temp.url,
      now: () => new Date(clock),
      env: {
        PROMETHEUS_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
        PROMETHEUS_SELECTOR: 'job="authlens-jobs-periods-test"',
      },
      checks: [],
    });
  }, 30_000);

  afterAll(async () => {
    await rt?.close();
    await temp?.drop();
    await new Promise((resolve) => proxy?.close(resolve));
  });

  const sent = async (run: () => Promise<unknown>) => {
    queries.length = 0;
    await run();
    expect(queries.length).toBeGreaterThan(0);
    return [...queries];
  };

  it('the scheduled daily run after midnight asks for yesterday: evaluated at midnight over 86400 s', async () => {
    const asked = await sent(() => runScheduledSlot(rt, jobs.update_daily_business_metrics, 'daily@00:00'));
    for (const q of asked) {
      expect(q.time).toBe(today.getTime() / 1000);
      for (const r of q.ranges) expect(r).toBe('86400s');
    }
    expect(asked.some((q) => q.ranges.length > 0)).toBe(true);
    const [snap] = await latestSnapshots<{ window: string }>(rt.db, 'business_daily');
    expect(snap).toMatchObject({ periodStart: new Date(today.getTime() - DAY), source: 'prometheus' });
    expect(snap?.data.window).toBe(`${new Date(today.getTime() - DAY).toISOString()}/${today.toISOString()}`);
  });

  it('the scheduled monthly run asks for last month: evaluated at the 1st over the month length', async () => {
    const now = new Date(clock);
    const thisMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    const lastMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1);
    const asked = await sent(() =>
      runScheduledSlot(rt, jobs.update_monthly_business_metrics, 'monthly@00:00'),
    );
    for (const q of asked) {
      expect(q.time).toBe(thisMonth / 1000);
      for (const r of q.ranges) expect(r).toBe(`${(thisMonth - lastMonth) / 1000}s`);
    }
    const [snap] = await latestSnapshots(rt.db, 'business_monthly');
    expect(snap?.periodStart).toEqual(new Date(lastMonth));
  });

  it('a manual daily run asks for today so far: evaluated now over the time since midnight', async () => {
    const asked = await sent(() => runJobNow(rt, jobs.update_daily_business_metrics));
    const midnight = today.getTime();
    const sinceMidnight = `${Math.max(1, Math.round((clock - midnight) / 1000))}s`;
    for (const q of asked) {
      expect(q.time).toBe(clock / 1000);
      for (const r of q.ranges) expect(r).toBe(sinceMidnight);
    }
    expect(asked.some((q) => q.ranges.length > 0)).toBe(true);
    const [snap] = await latestSnapshots(rt.db, 'business_daily');
    expect(snap?.periodStart).toEqual(new Date(midnight));
  });
});
