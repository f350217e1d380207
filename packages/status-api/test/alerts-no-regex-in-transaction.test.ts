/**
 * No user regex runs while a store transaction is open on the request path: creates and
 * Alertmanager payloads are matched (routes, windows, silences, inhibition) before their
 * transaction; an acknowledge or resolve finds whether its alert is an inhibition source first.
 * The real store and the real RE2 engine are observed, not replaced: `transaction` is wrapped to
 * know when one is open, and RE2's public `testExact` is spied on.
 */
import { RE2JS } from 're2js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type AlertManager, createAlertManager, type InhibitRuleConfig } from '../src/alerts/index.ts';
import { type AlertStore, createAlertStore } from '../src/store/index.ts';

const rules: InhibitRuleConfig[] = [
  {
    sourceMatchers: ['alertname=~"rx_cluster.*"'],
    targetMatchers: ['alertname=~"rx_pod.*"'],
    equal: ['cluster'],
  },
];

describe('request path: no regex inside a store transaction', () => {
  let store: AlertStore;
  let manager: AlertManager;
  let open = 0;
  const calls = { outside: 0, inside: 0 };

  beforeAll(async () => {
    store = await createAlertStore('sqlite::memory:');
    const transaction = store.transaction.bind(store);
    vi.spyOn(store, 'transaction').mockImplementation(async (fn) => {
      open++;
      try {
        return await transaction(fn);
      } finally {
        open--;
      }
    });
    const testExact = RE2JS.prototype.testExact;
    vi.spyOn(RE2JS.prototype, 'testExact').mockImplementation(function (this: RE2JS, input) {
      if (open > 0) calls.inside++;
      else calls.outside++;
      return testExact.call(this, input);
    });
    manager = await createAlertManager({
      store,
      env: {},
      workers: false,
      channels: [{ name: 'hook', type: 'webhook', url: 'http://127.0.0.1:9/never-called' }],
      routing: {
        routes: [
          {
            matchers: ['alertname=~"rx_.*"', 'team!~"sandbox|test"'],
            channels: ['hook'],
            repeatInterval: '1ms',
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
      },
    });
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await manager?.close();
    await store?.close();
  });

  const raise = (name: string, severity: 'critical' | 'high', labels: Record<string, string>) =>
    manager.createAlert({ name, severity, message: 'm', labels });

  it('creates, repeats, silenced, inhibited and webhook alerts match before their transaction', async () => {
    await manager.createSilence({
      matchers: ['alertname=~"rx_muted|rx_quiet"', 'env=~"prod.*"'],
      durationSeconds: 600,
    });
    const cluster = await raise('rx_cluster_down', 'critical', { cluster: 'c1' });
    expect(cluster.status).toBe('firing');
    const pod = await raise('rx_pod_down', 'high', { cluster: 'c1' });
    expect(pod).toMatchObject({ status: 'suppressed', suppressedReason: `inhibited:${cluster.id}` });
    const muted = await raise('rx_muted', 'high', { env: 'production' });
    expect(muted.status).toBe('suppressed');
    expect(muted.suppressedReason).toMatch(/^silence:/);
    await new Promise((r) => setTimeout(r, 5));
    const repeat = await raise('rx_cluster_down', 'critical', { cluster: 'c1' });
    expect(repeat.occurrences).toBe(2);
    expect((await manager.getAlert(cluster.id))?.notifications.map((n) => n.event)).toEqual([
      'trigger',
      'repeat',
    ]);
    expect(
      await manager.ingestAlertmanager({
        version: '4',
        alerts: [
          { status: 'firing', labels: { alertname: 'rx_pod_down', cluster: 'c2' } },
          { status: 'firing', labels: { alertname: 'rx_quiet', env: 'prod-eu' } },
          {
            status: 'resolved',
            labels: { alertname: 'rx_cluster_down', severity: 'critical', cluster: 'c1' },
          },
        ],
      }),
    ).toEqual({ firing: 2, resolved: 1 });

    // Another replica on the same store raises a source; this one acknowledges and resolves it
    // (its own caches have never seen that alert).
    const other = await createAlertManager({
      store,
      env: {},
      workers: false,
      routing: { inhibitRules: rules },
    });
    try {
      const remote = await other.createAlert({
        name: 'rx_cluster_far',
        severity: 'critical',
        message: 'm',
        labels: { cluster: 'c9' },
      });
      expect((await manager.acknowledge(remote.id, 'ops')).status).toBe('acknowledged');
      expect((await manager.resolve(remote.id, 'ops')).status).toBe('resolved');
    } finally {
      await other.close();
    }

    expect(calls.outside).toBeGreaterThan(20);
    expect(calls.inside).toBe(0);
  });
});
