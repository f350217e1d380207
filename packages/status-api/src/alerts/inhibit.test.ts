/** Inhibition on a real (in-memory SQLite) store: source active, `equal` labels, never itself. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertStore, createAlertStore } from '../store/index.ts';
import { inhibitCache } from './inhibit.ts';
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
  const cache = inhibitCache(inhibitRules);
  /** Reloads the cache when the generation moved (as every transaction does), then asks it. */
  const inhibitorOf = async (alert: Alert) => {
    await cache.refresh(store, (await store.generations()).inhibit);
    return cache.find(alert.id, matchLabels(alert));
  };
  /** Reports a state change the way the engine does (bumping the generation). */
  const changed = (alert: Alert) => store.transaction((repo) => cache.changed(repo, alert));

  beforeAll(async () => {
    store = await createAlertStore('sqlite::memory:');
  });
  afterAll(async () => store.close());

  it('sees a source another replica created once the generation moves', async () => {
    const pod = await add('pod_down', 'ap');
    expect(await inhibitorOf(pod)).toBeNull();
    // Another replica (its own cache) creates the source and reports it.
    const other = inhibitCache(inhibitRules);
    const source = await add('cluster_down', 'ap');
    await store.transaction((repo) => other.changed(repo, source));
    expect((await inhibitorOf(pod))?.id).toBe(source.id);
    expect(cache.isSource(source)).toBe(true);
    expect(cache.isSource(pod)).toBe(false);
  });

  it('inhibits a target only while a source with the same equal labels is active', async () => {
    const pod = await add('pod_down', 'eu');
    expect(await inhibitorOf(pod)).toBeNull();
    const other = await add('cluster_down', 'us');
    expect(await inhibitorOf(pod)).toBeNull();
    const source = await add('cluster_down', 'eu');
    await changed(source);
    expect((await inhibitorOf(pod))?.id).toBe(source.id);
    expect(await inhibitorOf(source)).toBeNull();
    const resolved = await store.updateAlert(source.id, {
      status: 'resolved',
      resolvedAt: Date.now(),
      updatedAt: Date.now(),
    });
    await changed(resolved!);
    expect(await inhibitorOf(pod)).toBeNull();
    expect(other.status).toBe('firing');
  });
});
