/**
 * Suppression ends → the still-open alert is notified, once. On PostgreSQL two managers with
 * their own workers share one database, as two `authlens serve` replicas would; SQLite is one
 * process's store (a second connection in the same process would block on `BEGIN IMMEDIATE`).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertManager, createAlertManager } from '../src/alerts/index.ts';
import type { RoutingConfig } from '../src/alerts/routing.ts';
import {
  backends,
  eventually,
  type Receiver,
  sleep,
  startReceiver,
  type TempStore,
} from './support/alerts-support.ts';

interface HookEvent {
  event: string;
  escalationLevel: number;
  idempotencyKey: string;
  alert: { id: string; status: string; suppressedReason: string | null };
}

/** The window ends this long after set-up; its test runs first. */
const MAINTENANCE_MS = 3000;

describe.each(backends)('suppressed alerts on $name', ({ name: backend, make }) => {
  let temp: TempStore;
  let hook: Receiver;
  let replicas: AlertManager[];
  let manager: AlertManager;
  const events = (alertId: string) =>
    hook.received.map((r) => JSON.parse(r.body) as HookEvent).filter((b) => b.alert.id === alertId);
  const kinds = (alertId: string) => events(alertId).map((e) => `${e.event}:${e.escalationLevel}`);
  const name = (prefix: string) => `sup_${prefix}_${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    temp = await make();
    hook = await startReceiver();
    const routing: RoutingConfig = {
      routes: [
        {
          matchers: ['alertname=~sup_.*'],
          channels: ['hook'],
          escalation: [{ after: '400ms', channels: ['hook'] }],
        },
      ],
      inhibitRules: [
        {
          sourceMatchers: ['alertname=sup_cluster_down'],
          targetMatchers: ['alertname=sup_pod_down'],
          equal: ['cluster'],
        },
      ],
      maintenanceWindows: [
        {
          name: 'short',
          start: new Date(Date.now() - 60_000).toISOString(),
          end: new Date(Date.now() + MAINTENANCE_MS).toISOString(),
          matchers: ['alertname=sup_maintenance'],
        },
      ],
    };
    replicas = await Promise.all(
      (backend === 'postgres' ? ['replica-a', 'replica-b'] : ['replica-a']).map((instanceId) =>
        createAlertManager({
          storeUrl: temp.url,
          env: {},
          instanceId,
          pollIntervalMs: 50,
          channels: [{ name: 'hook', type: 'webhook', url: `${hook.url}/hook`, secret: 's' }],
          routing,
        }),
      ),
    );
    manager = replicas[0]!;
  });
  afterAll(async () => {
    for (const m of replicas ?? []) await m.close();
    await hook?.close();
    await temp?.drop();
  });

  /** Waits for the escalation after the trigger (so both replicas had many passes), then checks once-only. */
  async function expectNotifiedOnce(id: string) {
    await eventually(() => kinds(id).includes('escalate:1') || undefined, 8000);
    await sleep(300);
    expect(kinds(id)).toEqual(['trigger:0', 'escalate:1']);
    const trigger = events(id)[0]!;
    expect(trigger.idempotencyKey).toBe(`${id}:trigger:unsuppressed:hook`);
    expect(trigger.alert).toMatchObject({ status: 'firing', suppressedReason: null });
    const alert = await manager.getAlert(id);
    expect(alert).toMatchObject({ status: 'firing', suppressedReason: null, escalationLevel: 1 });
    expect(alert?.notifications.map((n) => `${n.event}:${n.state}:${n.attempts}`)).toEqual([
      'trigger:sent:1',
      'escalate:sent:1',
    ]);
  }

  it('a maintenance window that ends: the alert fires once', async () => {
    const muted = await manager.createAlert({
      name: 'sup_maintenance',
      severity: 'critical',
      message: 'm',
      labels: { k: randomUUID() },
    });
    expect(muted).toMatchObject({ status: 'suppressed', suppressedReason: 'maintenance:short' });
    await expectNotifiedOnce(muted.id);
  });

  it('a silence that runs out: the open alert fires, is notified once and escalates', async () => {
    const alertname = name('silenced');
    const silence = await manager.createSilence({ matchers: [`alertname=${alertname}`], durationSeconds: 1 });
    const muted = await manager.createAlert({ name: alertname, severity: 'critical', message: 'm' });
    expect(muted).toMatchObject({ status: 'suppressed', suppressedReason: `silence:${silence.id}` });
    await sleep(500);
    expect(kinds(muted.id)).toEqual([]);
    await eventually(() => kinds(muted.id).length > 0 || undefined, 5000);
    // Not before the silence's end.
    expect(hook.received.find((r) => r.body.includes(muted.id))!.at).toBeGreaterThanOrEqual(
      silence.endsAt.getTime(),
    );
    await expectNotifiedOnce(muted.id);
  });

  it('a silence expired through the API releases its alert at once; a repeat does not notify twice', async () => {
    const alertname = name('expired');
    const silence = await manager.createSilence({
      matchers: [`alertname=${alertname}`],
      durationSeconds: 3600,
    });
    const muted = await manager.createAlert({ name: alertname, severity: 'high', message: 'm' });
    expect(muted.status).toBe('suppressed');
    const t0 = Date.now();
    await (replicas[1] ?? manager).expireSilence(silence.id);
    await eventually(() => kinds(muted.id).length > 0 || undefined, 3000);
    expect(Date.now() - t0).toBeLessThan(3000);
    const repeat = await manager.createAlert({ name: alertname, severity: 'high', message: 'm' });
    expect(repeat).toMatchObject({ id: muted.id, status: 'firing', occurrences: 2 });
    await expectNotifiedOnce(muted.id);
  });

  it('an inhibiting alert that stays open when acknowledged, then resolves: the target fires once', async () => {
    const cluster = randomUUID().slice(0, 8);
    const source = await manager.createAlert({
      name: 'sup_cluster_down',
      severity: 'critical',
      message: 'm',
      labels: { cluster },
    });
    const target = await manager.createAlert({
      name: 'sup_pod_down',
      severity: 'high',
      message: 'm',
      labels: { cluster, pod: 'p1' },
    });
    expect(target).toMatchObject({ status: 'suppressed', suppressedReason: `inhibited:${source.id}` });
    await sleep(300);
    expect(kinds(target.id)).toEqual([]);
    // Acknowledging the source keeps it open: the target stays inhibited.
    await manager.acknowledge(source.id, 'ops');
    await sleep(300);
    expect((await manager.getAlert(target.id))?.status).toBe('suppressed');
    await (replicas[1] ?? manager).resolve(source.id, 'ops');
    await expectNotifiedOnce(target.id);
  });

  it('another silence that still matches keeps it suppressed under the new reason', async () => {
    const alertname = name('double');
    const first = await manager.createSilence({
      matchers: [`alertname=${alertname}`],
      durationSeconds: 3600,
    });
    const second = await manager.createSilence({
      matchers: [`alertname=${alertname}`, 'severity=high'],
      durationSeconds: 3600,
    });
    const muted = await manager.createAlert({ name: alertname, severity: 'high', message: 'm' });
    const firstReason = muted.suppressedReason;
    expect([`silence:${first.id}`, `silence:${second.id}`]).toContain(firstReason);
    const other = firstReason === `silence:${first.id}` ? second : first;
    await manager.expireSilence(firstReason === `silence:${first.id}` ? first.id : second.id);
    await eventually(
      async () => (await manager.getAlert(muted.id))?.suppressedReason === `silence:${other.id}` || undefined,
      3000,
    );
    await sleep(300);
    expect((await manager.getAlert(muted.id))?.status).toBe('suppressed');
    expect(kinds(muted.id)).toEqual([]);
  });

  it('an acknowledged suppressed alert is not notified when its silence ends', async () => {
    const alertname = name('acked');
    await manager.createSilence({ matchers: [`alertname=${alertname}`], durationSeconds: 1 });
    const muted = await manager.createAlert({ name: alertname, severity: 'critical', message: 'm' });
    await manager.acknowledge(muted.id, 'ops');
    await sleep(1500);
    expect(kinds(muted.id)).toEqual([]);
    expect((await manager.getAlert(muted.id))?.status).toBe('acknowledged');
  });
});
