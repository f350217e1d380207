/**
 * Compiled silences: each stored silence's matchers are compiled once (keyed by id and last
 * change) and reused for every alert, and at start every silence that has not ended is compiled
 * again. One that no longer compiles (stored by an older version that accepted, say, a
 * lookahead) is expired and reported — it is never run.
 */
import type { AlertStore } from '../store/index.ts';
import { AlertError } from './errors.ts';
import { type Matcher, parseMatchers } from './matchers.ts';
import type { Silence } from './types.ts';

export interface SilenceMatchers {
  /** The silence's compiled matchers; null when they do not compile (the silence never matches). */
  get(silence: Silence): Matcher[] | null;
}

/** A bounded cache of compiled silences (oldest entries dropped past `max`). */
export function createSilenceMatchers(max = 10_000): SilenceMatchers {
  const cache = new Map<string, Matcher[] | null>();
  return {
    get(silence) {
      const key = `${silence.id}@${silence.updatedAt.getTime()}`;
      const hit = cache.get(key);
      if (hit !== undefined) return hit;
      let compiled: Matcher[] | null;
      try {
        compiled = parseMatchers(silence.matchers, 'matchers');
      } catch (err) {
        if (!(err instanceof AlertError)) throw err;
        compiled = null;
      }
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(key, compiled);
      return compiled;
    },
  };
}

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
