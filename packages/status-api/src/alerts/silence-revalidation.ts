/**
 * Start-up re-validation of stored silences: every silence that has not ended is compiled again.
 * One that no longer compiles (stored by an older version that accepted, say, a lookahead) is
 * expired, releasing what it muted, and reported — it is never run. (At run time the silence
 * cache in `silence.ts` compiles each silence once and skips one that does not compile.)
 */
import type { AlertStore } from '../store/index.ts';
import { AlertError } from './errors.ts';
import { parseMatchers } from './matchers.ts';

export interface InvalidSilence {
  id: string;
  /** The matcher at fault and why, e.g. `matchers[0]: invalid regular expression: lookaround …`. */
  reason: string;
}

/**
 * Compiles every silence that has not ended; expires those that do not compile (releasing the
 * alerts they muted for re-evaluation) and returns them, for the caller to log.
 */
export async function expireInvalidSilences(store: AlertStore, now = Date.now()): Promise<InvalidSilence[]> {
  const invalid: InvalidSilence[] = [];
  for (const silence of await store.listSilences({})) {
    if (silence.endsAt.getTime() <= now) continue;
    try {
      parseMatchers(silence.matchers, 'matchers');
    } catch (err) {
      if (!(err instanceof AlertError)) throw err;
      invalid.push({ id: silence.id, reason: err.message });
    }
  }
  for (const { id } of invalid) {
    await store.transaction(async (repo) => {
      await repo.expireSilence(id, now);
      await repo.recheckSuppressed(`silence:${id}`, now);
    });
  }
  return invalid;
}
