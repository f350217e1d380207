/**
 * Replica heartbeats in the store: a delivery being sent by a replica whose heartbeat stopped is
 * leased again before its lease expires; one held by a live replica is not. Snapshots round-trip.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { alertFromSnapshot, alertSnapshot } from '../src/alerts/notify/snapshot.ts';
import type { AlertStore } from '../src/store/index.ts';
import { backends, useTempStore } from './support/alerts-support.ts';

describe.each(backends)('replica heartbeats on $name', ({ make }) => {
  const current = useTempStore(make);
  let store: AlertStore;
  beforeAll(() => {
    store = current.store();
  });

  async function sendingBy(owner: string, now: number) {
    const fields = { name: 'replica_test', severity: 'high', message: 'm', source: 'test' } as const;
    const { alert } = await store.upsertAlert({
      ...fields,
      id: randomUUID(),
      fingerprint: randomUUID(),
      labels: {},
      annotations: {},
      now,
    });
    await store.enqueueDeliveries(
      [
        {
          alertId: alert.id,
          channel: 'hook',
          channelType: 'webhook',
          event: 'trigger',
          escalationLevel: 0,
          idempotencyKey: `${alert.id}:trigger:hook`,
          nextAttemptAt: now,
          payload: alertSnapshot(alert),
        },
      ],
      now,
    );
    const [claimed] = await store.transaction((repo) => repo.claimDeliveries(owner, now, 60_000, 1));
    expect(claimed?.alertId).toBe(alert.id);
    return { alert, delivery: claimed! };
  }

  it('takes over the sends of a replica whose heartbeat stopped, not of a live one', async () => {
    // Far ahead of the other tests, whose leases must not expire at their times.
    const t0 = 9_000_000_000_000;
    await store.heartbeat('dead', t0);
    await store.heartbeat('alive', t0);
    const dead = await sendingBy('dead', t0);
    const live = await sendingBy('alive', t0);
    await store.heartbeat('alive', t0 + 4000);
    // 5 s later: both leases (60 s) still run; only the dead replica's heartbeat is stale.
    const now = t0 + 5000;
    const taken = await store.transaction((repo) =>
      repo.claimDeliveries('other', now, 60_000, 10, now - 2000),
    );
    expect(taken.map((d) => d.id)).toEqual([dead.delivery.id]);
    expect(taken[0]?.attempts).toBe(0);
    // The dead replica's late result no longer counts; the new owner's does.
    const outcome = (at: number) => ({
      state: 'sent' as const,
      nextAttemptAt: at,
      lastError: null,
      attempt: { outcome: 'success' as const, statusCode: 200, error: null, durationMs: 1, at },
    });
    expect(await store.finishDelivery(dead.delivery.id, 'dead', outcome(now))).toBe(false);
    expect(await store.finishDelivery(dead.delivery.id, 'other', outcome(now))).toBe(true);
    // Without the heartbeat rule, nothing is taken before the lease expires.
    expect(await store.transaction((repo) => repo.claimDeliveries('other', now, 60_000, 10))).toEqual([]);
    expect(live.delivery.state).toBe('sending');
  });

  it('forgets a replica on shutdown and those silent for long', async () => {
    await store.heartbeat('leaving', 2_000_000);
    await store.heartbeat('ancient', 10);
    await store.removeReplica('leaving', 100);
    const dead = await sendingBy('ancient', 2_000_000);
    // No row any more: only lease expiry frees its sends.
    const taken = await store.transaction((repo) =>
      repo.claimDeliveries('other', 2_000_001, 60_000, 10, 2_000_000),
    );
    expect(taken.map((d) => d.id)).not.toContain(dead.delivery.id);
  });

  it('stores the alert as it was with the delivery', async () => {
    const { alert } = await sendingBy('snap', 2_000_500);
    const [row] = await store.deliveriesFor(alert.id);
    const back = alertFromSnapshot(row!.payload!);
    expect(back).toEqual(alert);
    expect(back.createdAt).toBeInstanceOf(Date);
  });
});
