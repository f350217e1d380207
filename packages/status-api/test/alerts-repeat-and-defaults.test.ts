/**
 * Issue 13, part 6: behaviour the suite did not check.
 * - A firing alert that repeats after its route's repeat interval is notified again (event
 *   `repeat`, its own idempotency key), once per interval; repeats inside it only count.
 * - The DEFAULT routing (no routing file or option: docs/alerting.md's table over the channels the
 *   environment declares) sends low and info alerts nowhere (digest only: stored and listed),
 *   while medium and above reach the configured webhook.
 * Real stores (SQLite and PostgreSQL) and a real HTTP receiver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertManager, createAlertManager } from '../src/alerts/index.ts';
import {
  backends,
  eventually,
  type Receiver,
  sleep,
  startReceiver,
  type TempStore,
} from './support/alerts-support.ts';

let seq = 0;
const unique = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${seq++}`;

interface HookBody {
  event: string;
  alert: { id: string; name: string; occurrences: number };
}
const eventsFor = (r: Receiver, id: string) =>
  r.received
    .map((x) => ({ body: JSON.parse(x.body) as HookBody, key: x.headers['idempotency-key'] }))
    .filter((x) => x.body.alert.id === id);

describe.each(backends)('repeat interval on $name', ({ make }) => {
  let temp: TempStore;
  let hook: Receiver;
  let manager: AlertManager;
  // Long enough that the first repeat, sent as soon as the trigger arrived, is inside it even on a loaded machine.
  const REPEAT_MS = 2000;

  beforeAll(async () => {
    temp = await make();
    hook = await startReceiver();
    manager = await createAlertManager({
      storeUrl: temp.url,
      env: {},
      pollIntervalMs: 50,
      channels: [{ name: 'hook', type: 'webhook', url: `${hook.url}/hook` }],
      routing: { routes: [{ channels: ['hook'], repeatInterval: `${REPEAT_MS}ms` }] },
    });
  });
  afterAll(async () => {
    await manager?.close();
    await hook?.close();
    await temp?.drop();
  });

  it('re-notifies a still-firing alert that repeats after the interval, once per interval', async () => {
    const name = unique('repeating');
    const raise = () => manager.createAlert({ name, severity: 'high', message: 'still broken' });
    const first = await raise();
    await eventually(() => eventsFor(hook, first.id).length === 1 || undefined);

    // A repeat inside the interval is counted, not notified.
    expect(await raise()).toMatchObject({ id: first.id, occurrences: 2 });
    await manager.runDue();
    await sleep(150);
    expect(eventsFor(hook, first.id).map((e) => e.body.event)).toEqual(['trigger']);

    // After the interval, the next repeat notifies again.
    await sleep(REPEAT_MS);
    expect(await raise()).toMatchObject({ id: first.id, occurrences: 3 });
    const events = await eventually(() => {
      const e = eventsFor(hook, first.id);
      return e.length === 2 ? e : undefined;
    });
    expect(events.map((e) => e.body.event)).toEqual(['trigger', 'repeat']);
    expect(events[1]?.body.alert.occurrences).toBe(3);
    expect(events[1]?.key).toBe(`${first.id}:repeat:3:hook`);
    expect(events[0]?.key).not.toBe(events[1]?.key);

    // The interval starts again from that notification.
    expect(await raise()).toMatchObject({ occurrences: 4 });
    await manager.runDue();
    await sleep(150);
    expect(eventsFor(hook, first.id)).toHaveLength(2);
    const stored = await manager.getAlert(first.id);
    expect(stored?.notifications.map((n) => [n.event, n.state])).toEqual([
      ['trigger', 'sent'],
      ['repeat', 'sent'],
    ]);
  }, 20_000);
});

describe.each(backends)('default routing on $name', ({ make }) => {
  let temp: TempStore;
  let hook: Receiver;
  let manager: AlertManager;

  beforeAll(async () => {
    temp = await make();
    hook = await startReceiver();
    // No `routing` and no ALERT_ROUTING_FILE: the built-in defaults over the env's channels.
    manager = await createAlertManager({
      storeUrl: temp.url,
      env: { ALERT_WEBHOOK_URLS: `${hook.url}/hook` },
      pollIntervalMs: 50,
    });
  });
  afterAll(async () => {
    await manager?.close();
    await hook?.close();
    await temp?.drop();
  });

  it('low and info are digest only (stored, listed, not sent); medium and above are sent', async () => {
    const tag = unique('defaults');
    const raised = new Map<string, string>();
    for (const severity of ['critical', 'high', 'medium', 'low', 'info'] as const) {
      const alert = await manager.createAlert({
        name: `default_${severity}`,
        severity,
        message: 'm',
        labels: { tag },
      });
      raised.set(severity, alert.id);
    }
    // Medium and above arrive (the control: the webhook works and the defaults route to it).
    await eventually(
      () =>
        ['critical', 'high', 'medium'].every((s) => eventsFor(hook, raised.get(s) ?? '').length > 0) ||
        undefined,
    );
    await manager.runDue();
    await sleep(200);
    for (const severity of ['low', 'info']) {
      const id = raised.get(severity) ?? '';
      expect(eventsFor(hook, id), severity).toEqual([]);
      const stored = await manager.getAlert(id);
      expect(stored, severity).toMatchObject({ status: 'firing', severity, lastNotifiedAt: null });
      expect(stored?.notifications, severity).toEqual([]);
    }
    const listed = await manager.listAlerts({ labels: { tag }, severity: ['low', 'info'] });
    expect(listed.items.map((a) => a.severity).sort()).toEqual(['info', 'low']);
  }, 20_000);
});
