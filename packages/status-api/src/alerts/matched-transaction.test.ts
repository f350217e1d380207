/**
 * Matching before the transaction, on a real (in-memory SQLite) store: a transaction whose caches
 * moved after matching rolls back and runs again with fresh matches (bounded); an alert met
 * inside that was not matched is matched outside and the work retried; the workers' drain
 * leaves a row that became due after its read for the next round.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertRepo, type AlertStore, createAlertStore } from '../store/index.ts';
import { fingerprint } from './fingerprint.ts';
import { MAX_MATCH_ATTEMPTS, matchedTransaction } from './matched-transaction.ts';
import { compileRouting } from './routing.ts';
import { suppressor as createSuppressor, type MatchInput, Unmatched } from './suppression.ts';
import type { Alert } from './types.ts';
import { drainDue } from './workers.ts';

describe('matched transactions', () => {
  let store: AlertStore;
  const routing = compileRouting({ routes: [{ matchers: ['alertname=~"mt_.*"'], channels: [] }] }, []);
  const suppressor = createSuppressor({ routing, recheckMs: 60_000, onError: () => undefined });
  const input = (name: string): MatchInput => ({
    fingerprint: fingerprint(name, {}),
    name,
    severity: 'high',
    source: 'test',
    labels: {},
  });
  let n = 0;
  /** A suppressed alert whose re-check is already due. */
  const addDue = async (name: string) => {
    const now = Date.now();
    const [row] = await store.transaction((repo) =>
      repo.upsertAlerts([
        {
          ...input(name),
          id: `mt-${++n}`,
          message: 'm',
          annotations: {},
          now,
          initial: { status: 'suppressed', suppressedReason: 'silence:gone', suppressionCheckAt: now - 1000 },
        },
      ]),
    );
    return row!.alert;
  };

  beforeAll(async () => {
    store = await createAlertStore('sqlite::memory:');
  });
  afterAll(async () => store.close());

  /** The store, with another writer moving the silences' generation before the first `moves` transactions. */
  const movingStore = (moves: number) => {
    const counts = { transactions: 0 };
    const moved: AlertStore = {
      ...store,
      async transaction(fn) {
        if (counts.transactions++ < moves) await store.transaction((repo) => repo.bumpGeneration('silences'));
        return store.transaction(fn);
      },
    };
    return { moved, counts };
  };

  it('runs again, matched afresh, when the caches moved between matching and the transaction', async () => {
    const { moved, counts } = movingStore(1);
    let work = 0;
    const plan = await matchedTransaction(moved, suppressor, [input('mt_one')], async (_repo, view) => {
      work++;
      return view.matched(input('mt_one')).plan;
    });
    // The first attempt saw the move at its first read and ran no work; the second did.
    expect(counts.transactions).toBe(2);
    expect(work).toBe(1);
    expect(plan.channels).toEqual([]);
  });

  it(`gives up after ${MAX_MATCH_ATTEMPTS} attempts when the caches keep moving (never matching inside)`, async () => {
    const { moved } = movingStore(Number.POSITIVE_INFINITY);
    let work = 0;
    let attempts = 0;
    const counting: AlertStore = {
      ...moved,
      transaction: (fn) =>
        moved.transaction((repo) => {
          attempts++;
          return fn(repo);
        }),
    };
    await expect(
      matchedTransaction(counting, suppressor, [input('mt_two')], async () => {
        work++;
        return 1;
      }),
    ).rejects.toBeInstanceOf(Unmatched);
    expect(attempts).toBe(MAX_MATCH_ATTEMPTS);
    expect(work).toBe(0);
  });

  it('matches an alert the work met unmatched, outside, and runs the work again', async () => {
    const seen: string[] = [];
    const plan = await matchedTransaction(store, suppressor, [], async (_repo, view) => {
      const m = view.lookup(input('mt_late'));
      seen.push(m ? 'matched' : 'unmatched');
      return view.matched(input('mt_late')).plan;
    });
    expect(seen).toEqual(['unmatched', 'matched']);
    expect(plan.repeatIntervalMs).toBeGreaterThan(0);
  });

  it('drainDue handles what it matched and leaves a row that became due after its read', async () => {
    const due = await addDue('mt_due');
    const late = await addDue('mt_late_due');
    const handled: string[] = [];
    const claim = async (repo: AlertRepo, now: number, limit: number) => {
      const rows = await repo.claimDueSuppressionChecks(now, limit);
      // The read outside the transaction (the store itself) does not see the late row yet.
      return repo === store ? rows.filter((a) => a.id !== late.id) : rows;
    };
    const counted = await drainDue(
      store,
      suppressor,
      claim,
      async (repo, _view, alert: Alert, matched, now) => {
        handled.push(`${alert.id}:${matched.plan.channels.length}`);
        await repo.updateAlert(alert.id, { suppressionCheckAt: null, updatedAt: now });
        return true;
      },
    );
    expect(counted).toBe(1);
    expect(handled).toEqual([`${due.id}:0`]);
    expect((await store.getAlert(late.id))?.id).toBe(late.id);
    expect(await store.claimDueSuppressionChecks(Date.now(), 10)).toEqual([
      expect.objectContaining({ id: late.id }),
    ]);
  });
});
