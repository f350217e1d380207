/** Inhibition on a real (in-memory SQLite) store: source active, `equal` labels, never itself. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertStore, createAlertStore } from '../store/index.ts';
import { findInhibitor } from './inhibit.ts';
import { matchLabels } from './matchers.ts';
import { compileRouting } from './routing.ts';
import type { Alert } from './types.ts';

describe('inhibition', () => {
  let store: AlertStore;
  const { inhibitRules } = compileRouting(
    {
      routes: [],
      inhibitRules: [
        {
          sourceMatchers: ['alertname=cluster_down'],
          targetMatchers: ['alertname=pod_down'],
          equal: ['cluster'],
        },
      ],
    },
    [],
  );
  let n = 0;
  const add = (name: string, cluster: string) =>
    store.transaction(async (repo) => {
      n++;
      return (
        await repo.upsertAlert({
          id: `i-${n}`,
          fingerprint: `fp-${n}`,
          name,
          severity: 'high',
          message: 'm',
          source: 'test',
          labels: { cluster },
          annotations: {},
          now: Date.now(),
        })
      ).alert;
    });
  const inhibitorOf = (alert: Alert) => findInhibitor(store, inhibitRules, alert, matchLabels(alert));

  beforeAll(async () => {
    store = await createAlertStore('sqlite::memory:');
  });
  afterAll(async () => store.close());

  it('inhibits a target only while a source with the same equal labels is active', async () => {
    const pod = await add('pod_down', 'eu');
    expect(await inhibitorOf(pod)).toBeNull();
    const other = await add('cluster_down', 'us');
    expect(await inhibitorOf(pod)).toBeNull();
    const source = await add('cluster_down', 'eu');
    expect((await inhibitorOf(pod))?.id).toBe(source.id);
    expect(await inhibitorOf(source)).toBeNull();
    await store.updateAlert(source.id, { status: 'resolved', resolvedAt: Date.now(), updatedAt: Date.now() });
    expect(await inhibitorOf(pod)).toBeNull();
    expect(other.status).toBe('firing');
  });
});
