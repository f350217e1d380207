/** Silence windows and matching on a real (in-memory SQLite) store. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertStore, createAlertStore } from '../store/index.ts';
import { AlertError } from './errors.ts';
import { silenceCache, silences, silenceWindow } from './silence.ts';

const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof AlertError) return err.field;
    throw err;
  }
  return undefined;
};

describe('silences', () => {
  let store: AlertStore;
  let kicks = 0;
  beforeAll(async () => {
    store = await createAlertStore('sqlite::memory:');
  });
  afterAll(async () => store.close());

  it('computes the window from endsAt or durationSeconds and refuses bad ones', () => {
    const now = 1_000_000;
    expect(silenceWindow({ matchers: ['a=b'], durationSeconds: 60 }, now)).toEqual({
      startsAt: now,
      endsAt: now + 60_000,
    });
    expect(fieldOf(() => silenceWindow({ matchers: ['a=b'] }, now))).toBe('endsAt');
    expect(fieldOf(() => silenceWindow({ matchers: ['a=b'], endsAt: new Date(now - 1) }, now))).toBe(
      'endsAt',
    );
    expect(
      fieldOf(() => silenceWindow({ matchers: ['a=b'], startsAt: new Date('x'), durationSeconds: 1 }, now)),
    ).toBe('startsAt');
  });

  it('matches from the cache, reloading only when the generation moved', async () => {
    const api = silences(store, () => kicks++);
    const errors: string[] = [];
    const cache = silenceCache((_err, context) => errors.push(context));
    const refresh = async () => cache.refresh(store, (await store.generations()).silences, Date.now());
    /** The silence that mutes `labels` at `now`: the first matching one already started. */
    const muting = (labels: Record<string, string>, now: number) =>
      cache.matching(labels, now).find((s) => s.startsAt <= now) ?? null;
    await refresh();
    const s = await api.create({
      matchers: ['alertname=disk_full', 'env=~"prod|staging"'],
      durationSeconds: 600,
    });
    const now = Date.now();
    // Not reloaded yet: the cache is as of the last refresh.
    expect(muting({ alertname: 'disk_full', env: 'prod' }, now)).toBeNull();
    await refresh();
    expect(muting({ alertname: 'disk_full', env: 'prod' }, now)?.id).toBe(s.id);
    expect(muting({ alertname: 'disk_full', env: 'dev' }, now)).toBeNull();
    expect(muting({ alertname: 'other', env: 'prod' }, now)).toBeNull();
    // Outside its window it mutes nothing, without a reload.
    expect(muting({ alertname: 'disk_full', env: 'prod' }, now + 601_000)).toBeNull();
    const expired = await api.expire(s.id);
    expect(expired.endsAt.getTime()).toBeLessThanOrEqual(Date.now());
    await refresh();
    expect(muting({ alertname: 'disk_full', env: 'prod' }, Date.now())).toBeNull();
    await expect(api.expire('missing')).rejects.toMatchObject({ code: 'not_found' });
    expect(errors).toEqual([]);
  });

  it('never runs a stored silence whose matchers do not compile', async () => {
    const errors: string[] = [];
    const cache = silenceCache((_err, context) => errors.push(context));
    const bad = await store.transaction((repo) =>
      repo.insertSilence({
        id: 'bad-silence',
        matchers: ['not a matcher'],
        startsAt: Date.now() - 1000,
        endsAt: Date.now() + 60_000,
        createdBy: 'test',
        comment: '',
        now: Date.now(),
      }),
    );
    await cache.refresh(store, (await store.generations()).silences, Date.now());
    expect(errors).toEqual([`silence ${bad.id}`]);
    expect(cache.matching({ alertname: 'x' }, Date.now())).toEqual([]);
  });
});
