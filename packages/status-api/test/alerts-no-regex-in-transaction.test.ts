/**
 * No user regex runs while a store transaction is open, on any path that matches: creates and
 * repeats, Alertmanager payloads (with an inhibition source and its target in one batch),
 * silence create and expiry, acknowledge and resolve, the suppression re-check worker and the
 * escalation worker. Every matcher runs before its transaction opens; when the caches move in
 * between (another replica creates a silence at that moment), the transaction rolls back and the
 * alert is matched again, so the outcome still reflects the new silence.
 *
 * The real store and the real RE2 engine are observed, not replaced: `transaction` is wrapped to
 * know when one is open, and RE2's public matching methods (and `compile`) are spied on.
 */
import { RE2JS } from 're2js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type AlertManager, createAlertManager, type InhibitRuleConfig } from '../src/alerts/index.ts';
import { type AlertStore, createAlertStore } from '../src/store/index.ts';
import { backends, sleep, type TempStore } from './support/alerts-support.ts';

const rules: InhibitRuleConfig[] = [
  {
    sourceMatchers: ['alertname=~"rx_cluster.*"'],
    targetMatchers: ['alertname=~"rx_pod.*"'],
    equal: ['cluster'],
  },
];

/** RE2JS's public instance methods that run a compiled regex. */
const MATCHING = ['testExact', 'test', 'matches', 'matcher', 'exec', 'split'] as const;

describe.each(backends)('no regex inside a store transaction on $name', ({ make }) => {
  let temp: TempStore;
  let store: AlertStore;
  let manager: AlertManager;
  let other: AlertManager;
  let open = 0;
  /** Runs once, just before the next transaction opens (another replica acting in the gap). */
  let beforeNextTransaction: (() => Promise<unknown>) | null = null;
  const calls = { outside: 0, inside: 0, compiledInside: 0, transactions: 0 };

  beforeAll(async () => {
    temp = await make();
    store = await createAlertStore(temp.url);
    const transaction = store.transaction.bind(store);
    vi.spyOn(store, 'transaction').mockImplementation(async (fn) => {
      const gap = beforeNextTransaction;
      beforeNextTransaction = null;
      if (gap) await gap();
      calls.transactions++;
      open++;
      try {
        return await transaction(fn);
      } finally {
        open--;
      }
    });
    for (const method of MATCHING) {
      const original = RE2JS.prototype[method] as (this: RE2JS, ...args: unknown[]) => unknown;
      vi.spyOn(RE2JS.prototype, method).mockImplementation(function (this: RE2JS, ...args: unknown[]) {
        if (open > 0) calls.inside++;
        else calls.outside++;
        return original.apply(this, args);
      } as never);
    }
    const compile = RE2JS.compile.bind(RE2JS);
    vi.spyOn(RE2JS, 'compile').mockImplementation((...args: Parameters<typeof RE2JS.compile>) => {
      if (open > 0) calls.compiledInside++;
      return compile(...args);
    });
    const routing = {
      routes: [
        {
          matchers: ['alertname=~"rx_.*"', 'team!~"sandbox|test"'],
          channels: ['hook'],
          repeatInterval: '1ms',
          escalation: [
            { after: '1ms', channels: ['hook'] },
            { after: '2ms', channels: ['hook'] },
          ],
        },
        { channels: [] },
      ],
      inhibitRules: rules,
      maintenanceWindows: [
        {
          name: 'later',
          start: new Date(Date.now() + 3_600_000).toISOString(),
          end: new Date(Date.now() + 7_200_000).toISOString(),
          matchers: ['alertname=~"rx_.*"'],
        },
      ],
    };
    const channels = [{ name: 'hook', type: 'webhook' as const, url: 'http://127.0.0.1:9/never-called' }];
    manager = await createAlertManager({ store, env: {}, workers: false, channels, routing });
    // Another replica on the same store (its own caches), also observed.
    other = await createAlertManager({ store, env: {}, workers: false, channels, routing });
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await other?.close();
    await manager?.close();
    await store?.close();
    await temp?.drop();
  });

  const raise = (
    name: string,
    severity: 'critical' | 'high',
    labels: Record<string, string>,
    on: AlertManager = manager,
  ) => on.createAlert({ name, severity, message: 'm', labels });

  it('creates, repeats, silences, inhibition and webhook batches match before their transaction', async () => {
    await manager.createSilence({
      matchers: ['alertname=~"rx_muted|rx_quiet"', 'env=~"prod.*"'],
      durationSeconds: 600,
    });
    const cluster = await raise('rx_cluster_down', 'critical', { cluster: 'c1' });
    expect(cluster.status).toBe('firing');
    const pod = await raise('rx_pod_down', 'high', { cluster: 'c1' });
    expect(pod).toMatchObject({ status: 'suppressed', suppressedReason: `inhibited:${cluster.id}` });
    const muted = await raise('rx_muted', 'high', { env: 'production' });
    expect(muted.suppressedReason).toMatch(/^silence:/);
    await sleep(5);
    const repeat = await raise('rx_cluster_down', 'critical', { cluster: 'c1' });
    expect(repeat.occurrences).toBe(2);
    expect((await manager.getAlert(cluster.id))?.notifications.map((n) => n.event)).toEqual([
      'trigger',
      'repeat',
    ]);
    // A repeat that names another severity keeps the stored one: matched again as stored.
    const before = calls.transactions;
    const otherSeverity = await raise('rx_cluster_down', 'high', { cluster: 'c1' });
    expect(otherSeverity).toMatchObject({ id: cluster.id, severity: 'critical', occurrences: 3 });
    expect(calls.transactions - before).toBe(2);

    // One payload: a new source, then a target it inhibits (judged from the batch's own change).
    expect(
      await manager.ingestAlertmanager({
        version: '4',
        alerts: [
          { status: 'firing', labels: { alertname: 'rx_cluster_down', severity: 'critical', cluster: 'c2' } },
          { status: 'firing', labels: { alertname: 'rx_pod_down', cluster: 'c2' } },
          { status: 'firing', labels: { alertname: 'rx_quiet', env: 'prod-eu' } },
          {
            status: 'resolved',
            labels: { alertname: 'rx_cluster_down', severity: 'critical', cluster: 'c1' },
          },
        ],
      }),
    ).toEqual({ firing: 3, resolved: 1 });
    const { items } = await manager.listAlerts({ limit: 50 });
    const c2 = items.find((a) => a.name === 'rx_cluster_down' && a.labels.cluster === 'c2');
    const pod2 = items.find((a) => a.name === 'rx_pod_down' && a.labels.cluster === 'c2');
    expect(c2?.status).toBe('firing');
    expect(pod2).toMatchObject({ status: 'suppressed', suppressedReason: `inhibited:${c2?.id}` });

    // Another replica raises a source; this one acknowledges and resolves it.
    const remote = await raise('rx_cluster_far', 'critical', { cluster: 'c9' }, other);
    expect((await manager.acknowledge(remote.id, 'ops')).status).toBe('acknowledged');
    expect((await manager.resolve(remote.id, 'ops')).status).toBe('resolved');

    expect(calls.outside).toBeGreaterThan(20);
    expect(calls.inside).toBe(0);
    expect(calls.compiledInside).toBe(0);
  });

  it('an acknowledged muted source starts inhibiting (its source match found before the transaction)', async () => {
    const silence = await manager.createSilence({ matchers: ['cluster=c3'], durationSeconds: 600 });
    const source = await raise('rx_cluster_down', 'critical', { cluster: 'c3' });
    expect(source.suppressedReason).toBe(`silence:${silence.id}`);
    await manager.expireSilence(silence.id);
    // Acknowledged straight from suppressed: it enters the active set.
    expect((await manager.acknowledge(source.id, 'ops')).status).toBe('acknowledged');
    const target = await raise('rx_pod_down', 'high', { cluster: 'c3' });
    expect(target.suppressedReason).toBe(`inhibited:${source.id}`);
    expect(calls.inside).toBe(0);
    expect(calls.compiledInside).toBe(0);
  });

  it('a silence created between matching and the transaction is seen (matched again, not inside)', async () => {
    let gapSilence = '';
    beforeNextTransaction = async () => {
      gapSilence = (await other.createSilence({ matchers: ['alertname=~"rx_gap.*"'], durationSeconds: 600 }))
        .id;
    };
    const gap = await raise('rx_gap_one', 'high', { zone: 'z1' });
    expect(gapSilence).not.toBe('');
    expect(gap).toMatchObject({ status: 'suppressed', suppressedReason: `silence:${gapSilence}` });
    expect(calls.inside).toBe(0);
  });

  it('the re-check and escalation workers match before the transaction that claims the alert', async () => {
    // Alerts the earlier tests released (their source resolved) are re-checked first.
    await manager.runSuppressionChecks();
    const outsideBefore = calls.outside;
    // Released by a silence expiry, with another silence still muting it: stays suppressed.
    const first = await manager.createSilence({ matchers: ['alertname=rx_worker_a'], durationSeconds: 600 });
    const second = await manager.createSilence({
      matchers: ['alertname=~"rx_worker_a|rx_never"', 'zone=~"z.*"'],
      durationSeconds: 600,
    });
    const twice = await raise('rx_worker_a', 'high', { zone: 'z1' });
    const muting = [first.id, second.id].find((id) => twice.suppressedReason === `silence:${id}`);
    const remaining = muting === first.id ? second.id : first.id;
    expect(muting).toBeDefined();
    // Released by its source resolving: fires.
    const source = await raise('rx_cluster_worker', 'critical', { cluster: 'w1' });
    const target = await raise('rx_pod_worker', 'high', { cluster: 'w1' });
    expect(target.suppressedReason).toBe(`inhibited:${source.id}`);
    // Released by a silence expiry, while another replica creates a matching silence in the gap
    // between the worker's matching and its transaction: muted by the new one, never fired.
    const third = await manager.createSilence({ matchers: ['alertname=rx_worker_c'], durationSeconds: 600 });
    const raced = await raise('rx_worker_c', 'high', { zone: 'z2' });
    expect(raced.suppressedReason).toBe(`silence:${third.id}`);

    await manager.expireSilence(muting!);
    await manager.resolve(source.id, 'ops');
    await manager.expireSilence(third.id);
    let late = '';
    beforeNextTransaction = async () => {
      late = (await other.createSilence({ matchers: ['alertname=~"rx_worker_c"'], durationSeconds: 600 })).id;
    };
    expect(await manager.runSuppressionChecks()).toBe(1);
    expect(late).not.toBe('');
    expect((await manager.getAlert(twice.id))?.suppressedReason).toBe(`silence:${remaining}`);
    expect((await manager.getAlert(target.id))?.status).toBe('firing');
    expect((await manager.getAlert(raced.id))?.suppressedReason).toBe(`silence:${late}`);

    // Escalation: the route (regex matchers) decides the steps; two levels, one per due timer.
    const climbing = await raise('rx_escalating', 'critical', { zone: 'z3' });
    await sleep(5);
    expect(await manager.runEscalations()).toBeGreaterThanOrEqual(1);
    await sleep(5);
    await manager.runEscalations();
    const escalated = await manager.getAlert(climbing.id);
    expect(escalated?.escalationLevel).toBe(2);
    expect(escalated?.notifications.map((n) => `${n.event}:${n.escalationLevel}`)).toEqual(
      expect.arrayContaining(['trigger:0', 'escalate:1', 'escalate:2']),
    );

    expect(calls.outside).toBeGreaterThan(outsideBefore);
    expect(calls.inside).toBe(0);
    expect(calls.compiledInside).toBe(0);
  });
});
