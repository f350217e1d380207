/**
 * Ingest at speed, durably: concurrent creates are group-committed (coalesced repeats counted),
 * an Alertmanager payload is all or nothing, and a create matches silences and inhibition
 * sources from per-replica caches that follow the store's generations across replicas.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertManager, createAlertManager } from '../src/alerts/index.ts';
import { openDatabase } from '../src/store/index.ts';
import { backends, type TempStore, tempPostgres } from './support/alerts-support.ts';

const routing = {
  routes: [{ channels: [] }],
  inhibitRules: [
    {
      sourceMatchers: ['alertname=ing_cluster_down'],
      targetMatchers: ['alertname=ing_pod_down'],
      equal: ['cluster'],
    },
  ],
};

describe.each(backends)('group-committed ingest on $name', ({ make }) => {
  let temp: TempStore;
  let manager: AlertManager;
  beforeAll(async () => {
    temp = await make();
    manager = await createAlertManager({ storeUrl: temp.url, env: {}, workers: false, routing });
  });
  afterAll(async () => {
    await manager?.close();
    await temp?.drop();
  });

  it('stores every concurrent create, each answered with its own alert', async () => {
    const run = randomUUID().slice(0, 8);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        manager.raise({
          name: `ing_new_${run}_${i}`,
          severity: 'high',
          message: `m${i}`,
          labels: { i: String(i) },
        }),
      ),
    );
    expect(results.every((r) => r.created)).toBe(true);
    expect(new Set(results.map((r) => r.alert.id)).size).toBe(200);
    results.forEach((r, i) => {
      expect(r.alert).toMatchObject({ name: `ing_new_${run}_${i}`, message: `m${i}`, status: 'firing' });
    });
    const page = await manager.listAlerts({ limit: 500 });
    const stored = page.items.filter((a) => a.name.startsWith(`ing_new_${run}_`));
    expect(stored).toHaveLength(200);
  });

  it('counts concurrent repeats of one alert: one create, every occurrence', async () => {
    const name = `ing_repeat_${randomUUID().slice(0, 8)}`;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => manager.raise({ name, severity: 'high', message: `m${i}` })),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.alert.id)).size).toBe(1);
    const [stored] = (await manager.listAlerts({ name })).items;
    expect(stored?.occurrences).toBe(50);
    // The latest message wins, as if the repeats had come one after another.
    expect(stored?.message).toBe('m49');
  });

  it('applies an Alertmanager payload in order and all or nothing', async () => {
    const name = `ing_am_${randomUUID().slice(0, 8)}`;
    const alert = (status: string, labels: Record<string, string>) => ({ status, labels, annotations: {} });
    expect(
      await manager.ingestAlertmanager({
        version: '4',
        alerts: [
          alert('firing', { alertname: name, n: '1' }),
          alert('firing', { alertname: name, n: '2' }),
          alert('resolved', { alertname: name, n: '1' }),
        ],
      }),
    ).toEqual({ firing: 2, resolved: 1 });
    const statuses = (await manager.listAlerts({ name })).items
      .map((a) => `${a.labels.n}:${a.status}`)
      .sort();
    expect(statuses).toEqual(['1:resolved', '2:firing']);

    const bad = `ing_bad_${randomUUID().slice(0, 8)}`;
    await expect(
      manager.ingestAlertmanager({
        version: '4',
        alerts: [alert('firing', { alertname: bad }), alert('firing', { alertname: bad, 'no spaces': 'x' })],
      }),
    ).rejects.toMatchObject({ field: 'alerts[1].labels.no spaces' });
    expect((await manager.listAlerts({ name: bad })).total).toBe(0);
  });

  it('matches silences from its cache: a silence no generation announced is not seen', async () => {
    const name = `ing_sil_${randomUUID().slice(0, 8)}`;
    const db = openDatabase(temp.url);
    try {
      // Written behind the manager's back, without bumping the generation as the store does.
      await db.query(
        `INSERT INTO alert_silences (id, matchers, starts_at, ends_at, created_by, comment, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'test', '', $3, $3)`,
        [`hidden-${name}`, JSON.stringify([`alertname=${name}`]), Date.now() - 1000, Date.now() + 600_000],
      );
      const first = await manager.createAlert({ name, severity: 'high', message: 'm', labels: { n: '1' } });
      expect(first.status).toBe('firing');
      await db.query(`UPDATE alert_generations SET generation = generation + 1 WHERE name = 'silences'`);
      const second = await manager.createAlert({ name, severity: 'high', message: 'm', labels: { n: '2' } });
      expect(second).toMatchObject({ status: 'suppressed', suppressedReason: `silence:hidden-${name}` });
    } finally {
      await db.close();
    }
  });
});

describe('caches across two replicas on PostgreSQL', () => {
  let temp: TempStore;
  let a: AlertManager;
  let b: AlertManager;
  beforeAll(async () => {
    temp = await tempPostgres();
    const open = (instanceId: string) =>
      createAlertManager({ storeUrl: temp.url, env: {}, workers: false, routing, instanceId });
    [a, b] = await Promise.all([open('replica-a'), open('replica-b')]);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await temp?.drop();
  });

  it('a silence created or expired on one replica applies to the next create on the other', async () => {
    const name = `ing_x_${randomUUID().slice(0, 8)}`;
    expect((await a.createAlert({ name, severity: 'high', message: 'm', labels: { n: '0' } })).status).toBe(
      'firing',
    );
    const silence = await b.createSilence({ matchers: [`alertname=${name}`], durationSeconds: 600 });
    const muted = await a.createAlert({ name, severity: 'high', message: 'm', labels: { n: '1' } });
    expect(muted).toMatchObject({ status: 'suppressed', suppressedReason: `silence:${silence.id}` });
    await b.expireSilence(silence.id);
    expect((await a.createAlert({ name, severity: 'high', message: 'm', labels: { n: '2' } })).status).toBe(
      'firing',
    );
  });

  it('an inhibition source raised or resolved on one replica applies to the next create on the other', async () => {
    const cluster = randomUUID().slice(0, 8);
    // Warm replica A's cache first, so only the generation can tell it about B's source.
    expect(
      (
        await a.createAlert({
          name: 'ing_pod_down',
          severity: 'high',
          message: 'm',
          labels: { cluster, pod: '0' },
        })
      ).status,
    ).toBe('firing');
    const source = await b.createAlert({
      name: 'ing_cluster_down',
      severity: 'critical',
      message: 'm',
      labels: { cluster },
    });
    const target = await a.createAlert({
      name: 'ing_pod_down',
      severity: 'high',
      message: 'm',
      labels: { cluster, pod: '1' },
    });
    expect(target).toMatchObject({ status: 'suppressed', suppressedReason: `inhibited:${source.id}` });
    await b.resolve(source.id);
    const after = await a.createAlert({
      name: 'ing_pod_down',
      severity: 'high',
      message: 'm',
      labels: { cluster, pod: '2' },
    });
    expect(after.status).toBe('firing');
  });
});
