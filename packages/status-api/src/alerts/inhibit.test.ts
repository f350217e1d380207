/** Inhibition on a real (in-memory SQLite) store: source active, `equal` labels, never itself. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertStore, createAlertStore } from '../store/index.ts';
import { type InhibitCache, inhibitCache, inhibitView } from './inhibit.ts';
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
  /** Reloads the cache when the generation moved (as every batch does first), then asks it. */
  const inhibitorOf = async (alert: Alert) => {
    await cache.refresh(store, (await store.generations()).inhibit);
    const labels = matchLabels(alert);
    return inhibitView(cache, store, cache.snapshot()).find(alert.id, labels, cache.targetsOf(labels));
  };
  /**
   * Reports a state change the way the engine does: matched before the transaction, changed in
   * a view inside it (bumping the generation), published after the commit.
   */
  const changedIn = async (on: InhibitCache, alert: Alert) => {
    const sources = on.sourcesOf(matchLabels(alert));
    const base = on.snapshot();
    const view = await store.transaction(async (repo) => {
      const v = inhibitView(on, repo, base);
      await v.changed(alert, () => sources);
      return v;
    });
    view.publish();
  };
  const changed = (alert: Alert) => changedIn(cache, alert);

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
    await changedIn(other, source);
    expect((await inhibitorOf(pod))?.id).toBe(source.id);
    expect(cache.sourcesOf(matchLabels(source))).toEqual([0]);
    expect(cache.sourcesOf(matchLabels(pod))).toEqual([]);
    expect(cache.targetsOf(matchLabels(pod))).toEqual([0]);
  });

  it('inhibits a target only while a source with the same equal labels is active', async () => {
    const pod = await add('pod_down', 'eu');
    expect(await inhibitorOf(pod)).toBeNull();
    const other = await add('cluster_down', 'us');
    expect(await inhibitorOf(pod)).toBeNull();
    const source = await add('cluster_down', 'eu');
    await changed(source);
    // Published on commit: the cache holds the new source at the store's generation, no reload.
    expect(cache.snapshot().sources.has(source.id)).toBe(true);
    expect(cache.snapshot().generation).toBe((await store.generations()).inhibit);
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

  it("publishes a transaction's changes only after it committed, and only if nobody moved the set", async () => {
    const pod = await add('pod_down', 'as');
    expect(await inhibitorOf(pod)).toBeNull();
    const source = await add('cluster_down', 'as');
    const base = cache.snapshot();
    // Rolled back: the cache never sees the source.
    await expect(
      store.transaction(async (repo) => {
        await inhibitView(cache, repo, base).changed(source, () => [0]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(cache.snapshot()).toBe(base);
    expect(await inhibitorOf(pod)).toBeNull();
    // Another replica's transaction moved the generation after this one's view was taken: the
    // commit is not published (the cache would claim a set it never saw), the next refresh reloads.
    await store.transaction((repo) => repo.bumpGeneration('inhibit'));
    const view = await store.transaction(async (repo) => {
      const v = inhibitView(cache, repo, base);
      await v.changed(source, () => [0]);
      return v;
    });
    view.publish();
    expect(cache.snapshot()).toBe(base);
    expect((await inhibitorOf(pod))?.id).toBe(source.id);
    expect(cache.snapshot().generation).toBe((await store.generations()).inhibit);
  });
});
