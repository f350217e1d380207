/** Silence windows and matching on a real (in-memory SQLite) store. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertStore, createAlertStore } from '../store/index.ts';
import { AlertError } from './errors.ts';
import { matchingSilence, silences, silenceWindow } from './silence.ts';

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

  it('finds the active silence whose matchers all match, and forgets it once expired', async () => {
    const api = silences(store, () => kicks++);
    const s = await api.create({
      matchers: ['alertname=disk_full', 'env=~"prod|staging"'],
      durationSeconds: 600,
    });
    const now = Date.now();
    expect((await matchingSilence(store, { alertname: 'disk_full', env: 'prod' }, now))?.id).toBe(s.id);
    expect(await matchingSilence(store, { alertname: 'disk_full', env: 'dev' }, now)).toBeNull();
    expect(await matchingSilence(store, { alertname: 'other', env: 'prod' }, now)).toBeNull();
    const expired = await api.expire(s.id);
    expect(expired.endsAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await matchingSilence(store, { alertname: 'disk_full', env: 'prod' }, Date.now() + 1)).toBeNull();
    await expect(api.expire('missing')).rejects.toMatchObject({ code: 'not_found' });
  });
});
