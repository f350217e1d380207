/**
 * An Alertmanager payload is applied in one transaction: when the store fails on one alert of a
 * group (a real failure, raised by a trigger in the real database), none of the group is kept —
 * not the alerts before it, not a resolve in it, not a notification — and Alertmanager's retry
 * of the same group then stores it once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertManager, createAlertManager } from '../src/alerts/index.ts';
import { openDatabase } from '../src/store/index.ts';
import { backends, type TempStore } from './support/alerts-support.ts';

const triggerSql = {
  sqlite: `CREATE TRIGGER refuse_boom BEFORE INSERT ON alerts WHEN NEW.name = 'boom'
             BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END`,
  postgres: [
    `CREATE FUNCTION refuse_boom() RETURNS trigger AS $$
       BEGIN IF NEW.name = 'boom' THEN RAISE EXCEPTION 'refused by test trigger'; END IF; RETURN NEW; END
     $$ LANGUAGE plpgsql`,
    'CREATE TRIGGER refuse_boom BEFORE INSERT ON alerts FOR EACH ROW EXECUTE FUNCTION refuse_boom()',
  ],
};

describe.each(backends)('Alertmanager payloads are all or nothing on $name', ({ name, make }) => {
  let temp: TempStore;
  let manager: AlertManager;
  beforeAll(async () => {
    temp = await make();
    manager = await createAlertManager({
      storeUrl: temp.url,
      env: {},
      workers: false,
      channels: [{ name: 'hook', type: 'webhook', url: 'http://127.0.0.1:9/never-called' }],
      routing: { routes: [{ channels: ['hook'] }] },
    });
    const db = openDatabase(temp.url);
    try {
      for (const sql of [triggerSql[name]].flat()) await db.query(sql);
    } finally {
      await db.close();
    }
  });
  afterAll(async () => {
    await manager?.close();
    await temp?.drop();
  });

  const alert = (alertname: string, status: 'firing' | 'resolved', instance = 'i1') => ({
    status,
    labels: { alertname, severity: 'critical', instance },
    annotations: { summary: `${alertname} on ${instance}` },
  });

  it('a store failure on one alert keeps none of the group; the retry stores it once', async () => {
    // An open alert that the failing group would resolve.
    await manager.ingestAlertmanager({ version: '4', alerts: [alert('kept_open', 'firing')] });
    const group = {
      version: '4',
      alerts: [
        alert('atomic_a', 'firing'),
        alert('kept_open', 'resolved'),
        alert('atomic_b', 'firing', 'i2'),
        alert('boom', 'firing'),
      ],
    };
    await expect(manager.ingestAlertmanager(group)).rejects.toThrow(/refused by test trigger/);
    for (const n of ['atomic_a', 'atomic_b', 'boom']) {
      expect((await manager.listAlerts({ name: n })).total, n).toBe(0);
    }
    const [open] = (await manager.listAlerts({ name: 'kept_open' })).items;
    expect(open?.status).toBe('firing');
    expect((await manager.getAlert(open?.id ?? ''))?.notifications.map((d) => d.event)).toEqual(['trigger']);

    // Alertmanager retries the group without the alert the store refuses: all of it lands once.
    const retried = { ...group, alerts: group.alerts.filter((a) => a.labels.alertname !== 'boom') };
    expect(await manager.ingestAlertmanager(retried)).toEqual({ firing: 2, resolved: 1 });
    for (const n of ['atomic_a', 'atomic_b']) {
      const { items } = await manager.listAlerts({ name: n });
      expect(
        items.map((a) => [a.status, a.occurrences]),
        n,
      ).toEqual([['firing', 1]]);
    }
    expect((await manager.store.getAlert(open?.id ?? ''))?.status).toBe('resolved');
  });
});
