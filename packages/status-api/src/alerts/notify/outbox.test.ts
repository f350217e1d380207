/** The outbox on a real (in-memory SQLite) store: keys, unknown channels, trigger + escalation timer. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertStore, createAlertStore } from '../../store/index.ts';
import { createChannel } from '../channels/index.ts';
import type { Channel } from '../channels/types.ts';
import { type ChannelConfig, compileRouting } from '../routing.ts';
import { outbox } from './outbox.ts';
import { alertFromSnapshot } from './snapshot.ts';

const channelConfigs: ChannelConfig[] = [
  { name: 'hook', type: 'webhook', url: 'http://127.0.0.1:9/hook' },
  { name: 'pager', type: 'webhook', url: 'http://127.0.0.1:9/pager' },
];

describe('outbox', () => {
  let store: AlertStore;
  const channels = new Map<string, Channel>(channelConfigs.map((c) => [c.name, createChannel(c)]));
  const routing = compileRouting(
    { routes: [{ channels: ['hook'], escalation: [{ after: '5m', channels: ['pager'] }] }] },
    channelConfigs,
  );
  const box = outbox(channels);

  beforeAll(async () => {
    store = await createAlertStore('sqlite::memory:');
  });
  afterAll(async () => {
    await store.close();
    for (const c of channels.values()) await c.close();
  });

  const newAlert = (now: number) =>
    store.transaction(
      async (repo) =>
        (
          await repo.upsertAlert({
            id: `a-${now}`,
            fingerprint: `fp-${now}`,
            name: 'outbox_test',
            severity: 'high',
            message: 'm',
            source: 'test',
            labels: {},
            annotations: {},
            now,
          })
        ).alert,
    );

  it('keys rows by alert, event part and channel, and skips unknown channels', async () => {
    const alert = await newAlert(1000);
    const rows = box.rows(alert, ['hook', 'gone'], 'repeat', 'repeat:2', 1, 5000);
    expect(rows).toEqual([
      {
        alertId: alert.id,
        channel: 'hook',
        channelType: 'webhook',
        event: 'repeat',
        escalationLevel: 1,
        idempotencyKey: `${alert.id}:repeat:2:hook`,
        nextAttemptAt: 5000,
        payload: expect.any(String),
      },
    ]);
    // The row carries the alert as it was when the event happened.
    expect(alertFromSnapshot(rows[0]!.payload!)).toEqual(alert);
  });

  it('fires once: trigger queued, escalation timer set; the same key again queues nothing', async () => {
    const now = Date.now();
    const alert = await newAlert(now);
    const plan = routing.route(alert);
    const first = await store.transaction((repo) => box.fire(repo, alert, plan, now));
    expect(first.queued).toBe(true);
    expect(first.alert.status).toBe('firing');
    expect(first.alert.nextEscalationAt?.getTime()).toBe(now + 300_000);
    expect(first.alert.lastNotifiedAt?.getTime()).toBe(now);
    const again = await store.transaction((repo) => box.fire(repo, alert, plan, now + 1));
    expect(again.queued).toBe(false);
    const deliveries = await store.deliveriesFor(alert.id);
    expect(deliveries.map((d) => [d.event, d.channel, d.idempotencyKey])).toEqual([
      ['trigger', 'hook', `${alert.id}:trigger:hook`],
    ]);
  });
});
