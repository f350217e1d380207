/**
 * Stored silences at start: one whose matchers no longer compile (stored by a version that
 * accepted lookaround or backreferences) is expired and reported, and the alerts it muted become
 * due for re-evaluation. Real stores.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { expireInvalidSilences } from '../src/alerts/silence-revalidation.ts';
import { type AlertStore, createAlertStore } from '../src/store/index.ts';
import { backends, type TempStore } from './support/alerts-support.ts';

const silence = (matchers: string[], startsAt: number, endsAt: number) => ({
  id: randomUUID(),
  matchers,
  startsAt,
  endsAt,
  createdBy: 'older-version',
  comment: '',
  now: startsAt,
});

describe.each(backends)('stored silences on $name', ({ make }) => {
  const opened: Array<{ temp: TempStore; store: AlertStore }> = [];
  afterAll(async () => {
    for (const { temp, store } of opened) await store.close().then(() => temp.drop());
  });

  it('expires at start the silences that no longer compile, and only those', async () => {
    const temp = await make();
    const store = await createAlertStore(temp.url);
    opened.push({ temp, store });
    const now = Date.now();
    const good = await store.insertSilence(silence(['alertname=~db_.*'], now - 1000, now + 3_600_000));
    const lookahead = await store.insertSilence(
      silence(['env=prod', 'name=~"a(?=b)"'], now - 1000, now + 3_600_000),
    );
    const pending = await store.insertSilence(silence(['name=~"(a)\\1"'], now + 60_000, now + 3_600_000));
    const ended = await store.insertSilence(silence(['name=~"(?!x)"'], now - 7200_000, now - 3600_000));
    const mutedAlert = { name: 'muted_by_lookahead', severity: 'high', source: 'test', labels: {} } as const;
    const muted = await store.upsertAlert({
      ...mutedAlert,
      id: randomUUID(),
      fingerprint: randomUUID(),
      message: 'muted',
      annotations: {},
      now,
    });
    await store.transaction((repo) =>
      repo.updateAlert(muted.alert.id, {
        status: 'suppressed',
        suppressedReason: `silence:${lookahead.id}`,
        suppressionCheckAt: now + 3_600_000,
        updatedAt: now,
      }),
    );

    const expired = await expireInvalidSilences(store, now);
    expect(expired.map((x) => x.id).sort()).toEqual([lookahead.id, pending.id].sort());
    expect(expired.find((x) => x.id === lookahead.id)?.reason).toMatch(
      /^matchers\[1\]: invalid regular expression: lookaround is not supported/,
    );
    expect(expired.find((x) => x.id === pending.id)?.reason).toMatch(/backreferences are not supported/);
    expect((await store.getSilence(lookahead.id))?.endsAt.getTime()).toBe(now);
    expect((await store.getSilence(good.id))?.endsAt.getTime()).toBe(now + 3_600_000);
    expect((await store.getSilence(ended.id))?.endsAt.getTime()).toBe(now - 3600_000);
    // The alert it muted is due for re-evaluation now.
    const due = await store.transaction((repo) => repo.claimDueSuppressionChecks(now, 100));
    expect(due.map((a) => a.id)).toContain(muted.alert.id);
    // A second start finds nothing more to do.
    expect(await expireInvalidSilences(store, now + 1)).toEqual([]);
  });
});
