/**
 * A store transaction whose matchers all ran before it opened: user regexes (silences, routes,
 * inhibit rules, maintenance windows) never run while rows are locked. The alerts it will handle
 * are matched first (`Suppressor.prepare`); inside, `Suppressor.begin` verifies the caches against
 * the store and the work judges from those matches. If the caches moved in between, or the work
 * meets an alert that was not matched, it throws `Unmatched`: the transaction rolls back, the
 * missing alerts are matched (outside) and it runs again, at a new `now`: a silence created in the
 * gap counts from its start, which is after the first attempt's clock.
 */
import type { AlertRepo, AlertStore } from '../store/index.ts';
import { type MatchInput, type SuppressionView, type Suppressor, Unmatched } from './suppression.ts';

/**
 * Attempts before giving up. Each retry needs another transaction to have moved the caches in
 * the short gap between matching and the transaction's first read, or one more alert to match.
 */
export const MAX_MATCH_ATTEMPTS = 10;

export async function matchedTransaction<T>(
  store: AlertStore,
  suppressor: Suppressor,
  alerts: readonly MatchInput[],
  work: (repo: AlertRepo, view: SuppressionView, now: number) => Promise<T>,
): Promise<T> {
  let more: MatchInput[] = [];
  for (let attempt = 1; ; attempt++) {
    const now = Date.now();
    const set = await suppressor.prepare(store, more.length ? [...alerts, ...more] : alerts, now);
    let view: SuppressionView | undefined;
    try {
      const result = await store.transaction(async (repo) => {
        view = await suppressor.begin(repo, set);
        return work(repo, view, now);
      });
      view?.publish();
      return result;
    } catch (err) {
      if (!(err instanceof Unmatched) || attempt >= MAX_MATCH_ATTEMPTS) throw err;
      more = [...more, ...err.alerts];
    }
  }
}
