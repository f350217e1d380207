/**
 * Silences (Alertmanager's `silence/`): time-boxed label matchers that mute matching alerts.
 * This module validates new silences and finds the active silence that mutes a label set.
 */
import { randomUUID } from 'node:crypto';
import type { AlertRepo, AlertStore } from '../store/index.ts';
import { AlertError, invalidField } from './errors.ts';
import { type Matcher, matchesAll, parseMatchers } from './matchers.ts';
import type { Labels, Silence } from './types.ts';
import { validActor } from './validate.ts';

export interface CreateSilenceInput {
  matchers: string[];
  startsAt?: Date;
  endsAt?: Date;
  /** Alternative to `endsAt`. */
  durationSeconds?: number;
  createdBy?: string;
  comment?: string;
}

/**
 * Longest a silence may reach into the future: 365 days from now (also the largest
 * `durationSeconds`). A silence meant to outlive that is a routing rule; `9999-12-31` is refused.
 */
export const MAX_SILENCE_DAYS = 365;

/** The silence's window in epoch ms; throws `invalid_field` for a bad, past or far-future window. */
export function silenceWindow(input: CreateSilenceInput, now: number): { startsAt: number; endsAt: number } {
  const startsAt = input.startsAt?.getTime() ?? now;
  const endsAt =
    input.endsAt?.getTime() ??
    (input.durationSeconds !== undefined ? startsAt + input.durationSeconds * 1000 : Number.NaN);
  if (Number.isNaN(startsAt)) throw invalidField('startsAt', 'is not a date-time');
  if (Number.isNaN(endsAt)) throw invalidField('endsAt', 'is required (or durationSeconds)');
  if (endsAt <= startsAt) throw invalidField('endsAt', 'must be after startsAt');
  if (endsAt <= now) throw invalidField('endsAt', 'must be in the future');
  if (endsAt > now + MAX_SILENCE_DAYS * 86_400_000)
    throw invalidField(
      input.endsAt ? 'endsAt' : 'durationSeconds',
      `must end within ${MAX_SILENCE_DAYS} days from now`,
    );
  return { startsAt, endsAt };
}

/** A stored silence with its matchers compiled (once per silence). */
export interface CompiledSilence {
  id: string;
  startsAt: number;
  endsAt: number;
  matchers: Matcher[];
}

/**
 * The silences that have not ended, compiled once, kept per replica. `refresh` reloads them only
 * when the store's `silences` generation moved (every create and expiry bumps it, on any replica),
 * so a create matches silences without a query. `refresh` and `matching` compile and run
 * matchers: they are called outside any store transaction (see `suppression.ts`).
 */
export interface SilenceCache {
  refresh(repo: AlertRepo, generation: number, now: number): Promise<void>;
  /**
   * Every silence not ended at `now` whose matchers all match `labels`, in cache order: what a
   * transaction later checks against its own clock (`startsAt <= t < endsAt`) without a matcher.
   */
  matching(labels: Labels, now: number): CompiledSilence[];
  /** The store generation the cache holds (NaN before the first load). */
  generation(): number;
}

export function silenceCache(onError: (err: unknown, context: string) => void): SilenceCache {
  let loaded = Number.NaN;
  let list: CompiledSilence[] = [];
  return {
    async refresh(repo, generation, now) {
      if (generation === loaded) return;
      const previous = new Map(list.map((s) => [s.id, s.matchers]));
      const next: CompiledSilence[] = [];
      for (const s of await repo.listSilences({ endingAfter: now })) {
        let matchers = previous.get(s.id);
        if (!matchers) {
          try {
            matchers = parseMatchers(s.matchers, 'matchers');
          } catch (err) {
            // Never run a silence that does not compile; it mutes nothing.
            onError(err, `silence ${s.id}`);
            continue;
          }
        }
        next.push({ id: s.id, startsAt: s.startsAt.getTime(), endsAt: s.endsAt.getTime(), matchers });
      }
      list = next;
      loaded = generation;
    },
    generation: () => loaded,
    matching: (labels, now) => list.filter((s) => now < s.endsAt && matchesAll(s.matchers, labels)),
  };
}

export interface Silences {
  create(input: CreateSilenceInput): Promise<Silence>;
  get(id: string): Promise<Silence | null>;
  list(opts?: { active?: boolean }): Promise<Silence[]>;
  /** Ends a silence now; the alerts it muted are re-evaluated by the next worker pass. */
  expire(id: string): Promise<Silence>;
}

/** Silence management over `store`; `kick` wakes the workers when an expiry released alerts. */
export function silences(store: AlertStore, kick: () => void): Silences {
  return {
    async create(input) {
      if (!Array.isArray(input.matchers) || input.matchers.length === 0) {
        throw invalidField('matchers', 'needs at least one matcher');
      }
      parseMatchers(input.matchers, 'matchers');
      const now = Date.now();
      const { startsAt, endsAt } = silenceWindow(input, now);
      return store.transaction((repo) =>
        repo.insertSilence({
          id: randomUUID(),
          matchers: input.matchers,
          startsAt,
          endsAt,
          createdBy: validActor(input.createdBy),
          comment: input.comment ?? '',
          now,
        }),
      );
    },
    get: (id) => store.getSilence(id),
    list: (opts = {}) => store.listSilences(opts.active ? { activeAt: Date.now() } : {}),
    async expire(id) {
      const { silence, released } = await store.transaction(async (repo) => {
        const now = Date.now();
        const silence = await repo.expireSilence(id, now);
        return { silence, released: silence ? await repo.recheckSuppressed(`silence:${id}`, now) : 0 };
      });
      if (!silence) throw new AlertError('not_found', 'no silence has this id', 'id');
      if (released > 0) kick();
      return silence;
    },
  };
}
