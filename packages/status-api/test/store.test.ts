import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { type AlertStore, migrate, migrations, openDatabase, storeOver } from '../src/store/index.ts';
import { backends, useTempStore } from './support/alerts-support.ts';

const row = (fingerprint: string, now: number) => ({
  id: randomUUID(),
  fingerprint,
  name: 'disk_full',
  severity: 'high' as const,
  message: 'disk is full',
  source: 'test',
  labels: { host: 'a', 'k8s.pod': 'p-1' },
  annotations: { runbook: 'r' },
  now,
});

describe.each(backends)('alert store on $name', ({ make }) => {
  const current = useTempStore(make);
  let store: AlertStore;
  beforeAll(() => {
    store = current.store();
  });

  it('migrations are versioned and applied once', async () => {
    const db = openDatabase(current.url());
    expect(await migrate(db)).toEqual([]);
    const rows = await db.query('SELECT version FROM alert_schema_migrations');
    expect(rows.map((r) => Number(r.version))).toEqual(migrations.map((m) => m.version));
    await db.close();
  });

  it('migration 2 makes alerts suppressed before it due for a re-check', async () => {
    const fresh = await make();
    const db = openDatabase(fresh.url);
    try {
      expect(await migrate(db, migrations.slice(0, 1))).toEqual([1]);
      // Rows as version 1 wrote them (today's upsert writes later columns).
      const insertV1 = (id: string, status: string) =>
        db.query(
          `INSERT INTO alerts (id, fingerprint, name, severity, message, source, labels, annotations, status,
             suppressed_reason, occurrences, created_at, updated_at, last_seen_at, escalation_level)
           VALUES ($1, $1, 'm2', 'high', 'm', 'test', '{}', '{}', $2, $3, 1, 1000, 1000, 1000, 0)`,
          [id, status, status === 'suppressed' ? 'silence:x' : null],
        );
      const old = randomUUID();
      const firing = randomUUID();
      await insertV1(old, 'suppressed');
      await insertV1(firing, 'firing');
      expect(await migrate(db)).toEqual(migrations.slice(1).map((m) => m.version));
      const due = await storeOver(db).transaction((r) => r.claimDueSuppressionChecks(0, 10));
      expect(due.map((a) => a.id)).toEqual([old]);
      expect(due.map((a) => a.id)).not.toContain(firing);
    } finally {
      await db.close();
      await fresh.drop();
    }
  });

  it('channel send slots: consecutive, unique under concurrency, bounded wait, pushed back by a pause', async () => {
    const channel = `slack-${randomUUID()}`;
    expect(await store.reserveChannelSlot(channel, 1000, 1000, 5000)).toEqual({ slot: 1000, reserved: true });
    expect(await store.reserveChannelSlot(channel, 1200, 1000, 5000)).toEqual({ slot: 2000, reserved: true });
    const slots = await Promise.all(
      Array.from({ length: 10 }, () =>
        store.transaction((r) => r.reserveChannelSlot(channel, 1200, 1000, 60_000)),
      ),
    );
    expect(slots.map((s) => s.slot).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 10 }, (_, i) => 3000 + i * 1000),
    );
    // The next slot (13000) is more than 5 s away from 1200: nothing is taken.
    expect(await store.reserveChannelSlot(channel, 1200, 1000, 5000)).toEqual({
      slot: 13_000,
      reserved: false,
    });
    expect(await store.reserveChannelSlot(channel, 13_000, 1000, 5000)).toEqual({
      slot: 13_000,
      reserved: true,
    });
    await store.pauseChannel(channel, 60_000);
    await store.pauseChannel(channel, 20_000); // an earlier pause does not shorten it
    expect(await store.reserveChannelSlot(channel, 59_000, 1000, 5000)).toEqual({
      slot: 60_000,
      reserved: true,
    });
    // Idle for a while: the next send goes at once.
    expect(await store.reserveChannelSlot(channel, 90_000, 1000, 5000)).toEqual({
      slot: 90_000,
      reserved: true,
    });
  });

  it('suppression re-checks: due ones are claimed exclusively; a released reason becomes due now', async () => {
    const { alert } = await store.upsertAlert(row(randomUUID(), 1000));
    const reason = `inhibited:${randomUUID()}`;
    await store.updateAlert(alert.id, {
      status: 'suppressed',
      suppressedReason: reason,
      suppressionCheckAt: 50_000,
      updatedAt: 1000,
    });
    const dueAt = async (now: number) =>
      (await store.transaction((r) => r.claimDueSuppressionChecks(now, 500))).map((a) => a.id);
    expect(await dueAt(10_000)).not.toContain(alert.id);
    expect(await dueAt(50_000)).toContain(alert.id);
    expect(await store.recheckSuppressed('inhibited:someone-else', 5000)).toBe(0);
    expect(await store.recheckSuppressed(reason, 5000)).toBe(1);
    expect(await dueAt(5000)).toContain(alert.id);
    if (store.dialect === 'postgres') {
      // While one replica holds the claim, another skips the row.
      let second: string[] = [];
      await store.transaction(async (r) => {
        expect((await r.claimDueSuppressionChecks(5000, 500)).map((a) => a.id)).toContain(alert.id);
        second = await dueAt(5000);
      });
      expect(second).not.toContain(alert.id);
    }
  });

  it('upsert keeps one open alert per fingerprint and counts repeats', async () => {
    const fp = randomUUID();
    const first = await store.upsertAlert(row(fp, 1000));
    const second = await store.upsertAlert({ ...row(fp, 2000), annotations: { runbook: 'r2' } });
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.alert.id).toBe(first.alert.id);
    expect(second.alert.occurrences).toBe(2);
    expect(second.alert.lastSeenAt.getTime()).toBe(2000);
    expect(second.alert.annotations).toEqual({ runbook: 'r2' });
    const resolved = await store.updateAlert(first.alert.id, {
      status: 'resolved',
      resolvedAt: 3000,
      updatedAt: 3000,
    });
    expect(resolved?.status).toBe('resolved');
    const third = await store.upsertAlert(row(fp, 4000));
    expect(third.created).toBe(true);
    expect(third.alert.id).not.toBe(first.alert.id);
  });

  it('conditional updates change nothing when the status does not match', async () => {
    const { alert } = await store.upsertAlert(row(randomUUID(), 1000));
    expect(
      await store.updateAlert(alert.id, { status: 'acknowledged', updatedAt: 2 }, ['resolved']),
    ).toBeNull();
    const acked = await store.updateAlert(
      alert.id,
      { status: 'acknowledged', acknowledgedBy: 'me', updatedAt: 2 },
      ['firing'],
    );
    expect(acked?.acknowledgedBy).toBe('me');
  });

  it('lists with filters (status, severity, labels with dots) and paging', async () => {
    const name = `list_${randomUUID()}`;
    for (let i = 0; i < 5; i++) {
      await store.upsertAlert({
        ...row(randomUUID(), 10_000 + i),
        name,
        labels: { 'k8s.pod': `p-${i % 2}` },
      });
    }
    const page = await store.listAlerts({ name, limit: 2, offset: 0 });
    expect(page.total).toBe(5);
    expect(page.items.map((a) => a.createdAt.getTime())).toEqual([10_004, 10_003]);
    const byLabel = await store.listAlerts({ name, labels: { 'k8s.pod': 'p-1' } });
    expect(byLabel.total).toBe(2);
    expect((await store.listAlerts({ name, severity: ['critical'] })).total).toBe(0);
    expect((await store.listAlerts({ name, status: ['firing'] })).total).toBe(5);
  });

  it('deliveries: idempotent enqueue, exclusive in-order leases, attempts history', async () => {
    const { alert } = await store.upsertAlert(row(randomUUID(), 1000));
    const base = { alertId: alert.id, channel: 'pd', channelType: 'pagerduty' as const, escalationLevel: 0 };
    const n = await store.enqueueDeliveries(
      [
        { ...base, event: 'trigger', idempotencyKey: `${alert.id}:trigger:pd`, nextAttemptAt: 0 },
        { ...base, event: 'resolve', idempotencyKey: `${alert.id}:resolve:pd`, nextAttemptAt: 0 },
        { ...base, event: 'trigger', idempotencyKey: `${alert.id}:trigger:pd`, nextAttemptAt: 0 },
      ],
      1000,
    );
    expect(n).toBe(2);
    const a = await store.transaction((r) => r.claimDeliveries('a', 5000, 1000, 10));
    const mine = a.filter((d) => d.alertId === alert.id);
    expect(mine.map((d) => d.event)).toEqual(['trigger']);
    const b = await store.transaction((r) => r.claimDeliveries('b', 5000, 1000, 10));
    expect(b.filter((d) => d.alertId === alert.id)).toEqual([]);
    const trigger = mine[0]!;
    expect(await store.finishDelivery(trigger.id, 'b', outcome('sent'))).toBe(false);
    expect(await store.finishDelivery(trigger.id, 'a', outcome('sent'))).toBe(true);
    const c = await store.transaction((r) => r.claimDeliveries('b', 5000, 1000, 10));
    expect(c.filter((d) => d.alertId === alert.id).map((d) => d.event)).toEqual(['resolve']);
    // An expired lease is claimable again.
    const d = await store.transaction((r) => r.claimDeliveries('c', 7000, 1000, 10));
    expect(d.filter((x) => x.alertId === alert.id).map((x) => x.event)).toEqual(['resolve']);
    const history = await store.deliveriesFor(alert.id);
    expect(history[0]).toMatchObject({ state: 'sent', attempts: 1 });
    expect(history[0]!.history).toEqual([
      { attempt: 1, at: new Date(6000), outcome: 'success', statusCode: 202, error: null, durationMs: 12 },
    ]);
    expect(await store.notifiedChannels(alert.id)).toEqual([{ channel: 'pd', channelType: 'pagerduty' }]);
  });

  it('silences: create, list active, expire', async () => {
    const s = await store.insertSilence({
      id: randomUUID(),
      matchers: ['alertname=x'],
      startsAt: 1000,
      endsAt: 9000,
      createdBy: 'me',
      comment: 'deploy',
      now: 1000,
    });
    expect((await store.listSilences({ activeAt: 5000 })).map((x) => x.id)).toContain(s.id);
    const expired = await store.expireSilence(s.id, 6000);
    expect(expired?.endsAt.getTime()).toBe(6000);
    expect((await store.listSilences({ activeAt: 7000 })).map((x) => x.id)).not.toContain(s.id);
  });

  it('purges resolved alerts older than the cutoff with their history', async () => {
    const { alert } = await store.upsertAlert(row(randomUUID(), 1000));
    await store.enqueueDeliveries(
      [
        {
          alertId: alert.id,
          channel: 'x',
          channelType: 'webhook',
          event: 'trigger',
          escalationLevel: 0,
          idempotencyKey: `${alert.id}:t`,
          nextAttemptAt: 0,
        },
      ],
      1000,
    );
    await store.updateAlert(alert.id, { status: 'resolved', resolvedAt: 2000, updatedAt: 2000 });
    const { alert: open } = await store.upsertAlert(row(randomUUID(), 1000));
    const purged = await store.purgeResolved(3000);
    expect(purged.alerts).toBeGreaterThanOrEqual(1);
    expect(await store.getAlert(alert.id)).toBeNull();
    expect(await store.deliveriesFor(alert.id)).toEqual([]);
    expect(await store.getAlert(open.id)).not.toBeNull();
  });
});

function outcome(state: 'sent') {
  return {
    state,
    nextAttemptAt: 6000,
    lastError: null,
    attempt: { outcome: 'success' as const, statusCode: 202, error: null, durationMs: 12, at: 6000 },
  };
}

describe('store URL', () => {
  it('rejects an unknown scheme naming ALERT_STORE_URL', () => {
    expect(() => openDatabase('mysql://x')).toThrow(/ALERT_STORE_URL/);
  });
});
