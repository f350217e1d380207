/**
 * Status page history: the uptime maths (Statuspage's way) on hand-made samples, and the store
 * on real SQLite and PostgreSQL — one sample per component per minute, daily roll-ups, 7/30/90-day
 * uptime, retention, and incidents opened by public alerts (text from the rule, not the alert).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertManager } from '../src/alerts/index.ts';
import { createIncidents } from '../src/incidents/service.ts';
import { createJobRuntime, jobDefinitions } from '../src/index.ts';
import { createStatusHistory } from '../src/status-history/history.ts';
import {
  DAY_MS,
  formatUptime,
  MAX_SAMPLE_SPAN_MS,
  secondsBetween,
  uptime,
} from '../src/status-history/uptime.ts';
import { type Database, migrate, openDatabase, storeOver } from '../src/store/index.ts';
import { backends, type TempStore } from './support/alerts-support.ts';

const MIN = 60_000;
const day0 = Date.UTC(2026, 10, 1);

describe('uptime maths', () => {
  it('counts each state until the next sample, capped at the span; partial outages weigh 30%', () => {
    const s = secondsBetween(
      [
        { slot: day0, state: 'operational' },
        { slot: day0 + 10 * MIN, state: 'partial_outage' },
        { slot: day0 + 20 * MIN, state: 'major_outage' },
        { slot: day0 + 30 * MIN, state: 'degraded_performance' },
        // a gap longer than the span: only the span counts, the rest is no data
        { slot: day0 + 40 * MIN, state: 'operational' },
      ],
      day0,
      day0 + DAY_MS,
    );
    const span = MAX_SAMPLE_SPAN_MS / 1000;
    expect(s).toEqual({
      observed: 4 * 600 + span,
      degraded: 600,
      partial: 600,
      major: 600,
      worst: 'major_outage',
    });
    // (observed − major − 0.3 × partial) / observed; degraded costs nothing
    expect(uptime(s)).toBeCloseTo((s.observed - 600 - 180) / s.observed, 10);
  });

  it('a sample before the day carries into it; the last one stops at "until"', () => {
    const s = secondsBetween(
      [
        { slot: day0 - 5 * MIN, state: 'major_outage' },
        { slot: day0 + 5 * MIN, state: 'operational' },
      ],
      day0,
      day0 + DAY_MS,
      day0 + 7 * MIN,
    );
    expect(s).toMatchObject({ observed: 7 * 60, major: 5 * 60, worst: 'major_outage' });
  });

  it('formats without rounding a lost minute up to 100%', () => {
    expect(formatUptime(null)).toBe('no data');
    expect(formatUptime(1)).toBe('100%');
    expect(formatUptime(0.99999)).toBe('99.99%');
    expect(formatUptime(0.5)).toBe('50.00%');
  });
});

describe.each(backends)('status history on $name', ({ make }) => {
  let temp: TempStore;
  let db: Database;
  beforeAll(async () => {
    temp = await make();
    db = openDatabase(temp.url);
    await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
    await temp?.drop();
  });

  it('keeps one sample per component and minute and rolls each day up', async () => {
    const history = createStatusHistory(db);
    const at = (d: number, m: number) => day0 + d * DAY_MS + m * MIN;
    // day 0: 10 min partial outage inside operational time; day 1: operational only
    const states = [
      { component: 'api', state: 'operational' as const, at: at(0, 0) },
      { component: 'api', state: 'partial_outage' as const, at: at(0, 10) },
      { component: 'api', state: 'operational' as const, at: at(0, 20) },
      { component: 'api', state: 'operational' as const, at: at(1, 0) },
    ];
    expect(await history.recordStates(states, 'job', at(1, 5))).toBe(4);
    // a second writer (another replica) for the same minute adds nothing
    expect(
      await history.recordStates(
        [{ component: 'api', state: 'major_outage', at: at(0, 10) + 30_000 }],
        'live',
        at(1, 5),
      ),
    ).toBe(0);
    const [api] = await history.history(['api'], 3, new Date(at(2, 0)));
    expect(api?.days.map((d) => d.worst)).toEqual(['partial_outage', 'operational', null]);
    const first = api?.days[0];
    expect(first).toMatchObject({ observed: 35 * 60, partial: 10 * 60, major: 0, demo: false });
    expect(api?.uptime.d7).toBeCloseTo(1 - (0.3 * 600) / (35 * 60 + 5 * 60), 10);
  });

  it('records check results as component states and prunes by retention', async () => {
    const history = createStatusHistory(db);
    const now = new Date(day0 + 40 * DAY_MS);
    const n = await history.record(
      [
        { name: 'db', status: 'fail', critical: true },
        { name: 'sms', status: 'warn', critical: false },
      ],
      now,
      'job',
    );
    expect(n).toBe(2);
    const [dbHist, sms] = await history.history(['db', 'sms'], 1, now);
    expect(dbHist?.days[0]?.worst).toBe('major_outage');
    expect(sms?.days[0]?.worst).toBe('degraded_performance');
    const pruned = await history.prune(30, now);
    expect(pruned.days).toBeGreaterThanOrEqual(2); // the two days of the first test, 40 days ago
    expect((await history.history(['api'], 45, now))[0]?.days.every((d) => d.worst === null)).toBe(true);
  });

  it('a public routing rule opens an incident with its own text; resolving adds "monitoring", never closes', async () => {
    const incidents = createIncidents(db);
    const manager = await createAlertManager({
      store: storeOver(db),
      workers: false,
      env: {},
      statusPageHook: incidents.onAlert,
      routing: {
        routes: [
          {
            matchers: ['alertname=login_errors'],
            channels: [],
            statusPage: {
              title: 'Sign-in problems',
              impact: 'major',
              components: ['db'],
              message: 'We are looking into failed sign-ins.',
            },
          },
          { channels: [] },
        ],
      },
    });
    try {
      const { alert } = await manager.raise({
        name: 'login_errors',
        severity: 'high',
        message: 'db-primary.corp.internal refused 58 connections',
        labels: { host: 'db-primary.corp.internal' },
      });
      await manager.raise({ name: 'private_alert', severity: 'high', message: 'not public' });
      const open = await incidents.list();
      const mine = open.filter((i) => i.origin === 'alert');
      expect(mine).toHaveLength(1);
      const incident = mine[0];
      expect(incident).toMatchObject({ title: 'Sign-in problems', impact: 'major', status: 'investigating' });
      expect(JSON.stringify(incident)).not.toMatch(/corp\.internal|refused/);
      await manager.resolve(alert.id, 'ops');
      await manager.resolve(alert.id, 'ops'); // again: no second update
      const after = await incidents.get(incident?.id as string);
      expect(after?.status).toBe('monitoring');
      expect(after?.resolvedAt).toBeNull();
      expect(after?.updates.map((u) => u.status)).toEqual(['investigating', 'monitoring']);
    } finally {
      await manager.close();
    }
  });

  it('a failing incident hook is reported and never fails the alert change', async () => {
    const errors: string[] = [];
    const manager = await createAlertManager({
      store: storeOver(db),
      workers: false,
      env: {},
      onError: (_err, context) => errors.push(context),
      statusPageHook: async () => {
        throw new Error('store down');
      },
      routing: {
        routes: [
          {
            channels: [],
            statusPage: { title: 'Outage', impact: 'minor', components: [], message: 'Looking.' },
          },
        ],
      },
    });
    try {
      const { alert, created } = await manager.raise({ name: 'hook_fails', severity: 'low', message: 'm' });
      expect(created).toBe(true);
      expect((await manager.resolve(alert.id)).status).toBe('resolved');
      expect(errors).toEqual(['status page incident', 'status page incident']);
    } finally {
      await manager.close();
    }
  });

  it('public maintenance windows become scheduled maintenance once, moving on by their schedule', async () => {
    const incidents = createIncidents(db);
    const start = Date.now() + 3_600_000;
    const window = {
      name: 'db-upgrade',
      start,
      end: start + 3_600_000,
      statusPage: { title: 'Database upgrade', components: ['db'], message: 'Sign-in may be slow.' },
    };
    expect(await incidents.syncMaintenance([window])).toBe(1);
    expect(await incidents.syncMaintenance([window])).toBe(0);
    const [m] = await incidents.list({ kind: 'maintenance' });
    expect(m).toMatchObject({
      title: 'Database upgrade',
      status: 'scheduled',
      impact: 'none',
      origin: 'maintenance',
    });
    expect(m?.scheduledFor?.getTime()).toBe(start);
  });
});

describe('retention through the cleanup job', () => {
  it('deletes daily rows and closed incidents past METRICS_RETENTION_DAYS, samples past 7 days', async () => {
    const temp = await backends[0].make();
    const now = Date.UTC(2026, 11, 1);
    const rt = await createJobRuntime({
      env: { ALERT_STORE_URL: temp.url, METRICS_RETENTION_DAYS: '30' },
      checks: [],
      now: () => new Date(now),
    });
    try {
      const history = createStatusHistory(rt.db);
      const at = (daysAgo: number) => now - daysAgo * DAY_MS + 3_600_000;
      await history.recordStates(
        [40, 20, 3].map((d) => ({ component: 'api', state: 'operational' as const, at: at(d) })),
        'job',
        now,
      );
      const incidents = createIncidents(rt.db);
      const old = await incidents.create({ title: 'Old', impact: 'minor', body: 'x' });
      await incidents.addUpdate(old.id, { status: 'resolved', body: 'done' });
      await rt.db.query('UPDATE status_incidents SET resolved_at = $1 WHERE id = $2', [at(45), old.id]);
      const open = await incidents.create({ title: 'Open', impact: 'minor', body: 'x' });
      const result = await jobDefinitions().cleanup_monitoring_data.run(rt);
      // day rows: 40 days ago goes, 20 and 3 stay; samples: 40 and 20 days ago go (> 7 days)
      expect(result.details).toMatchObject({ statusDays: 1, statusSamples: 2, incidents: 1 });
      const days = await rt.db.query('SELECT day FROM status_daily ORDER BY day');
      expect(days.map((r) => Number(r.day))).toEqual([20, 3].map((d) => now - d * DAY_MS));
      expect(await incidents.get(old.id)).toBeNull();
      expect((await incidents.get(open.id))?.title).toBe('Open');
    } finally {
      await rt.close();
      await temp.drop();
    }
  });
});
