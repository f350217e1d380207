/**
 * Silences (Alertmanager's `silence/`): time-boxed label matchers that mute matching alerts.
 * This module validates new silences and finds the active silence that mutes a label set.
 */
import { randomUUID } from 'node:crypto';
import type { AlertRepo, AlertStore } from '../store/index.ts';
import { AlertError, invalidField } from './errors.ts';
import { matchesAll, parseMatchers } from './matchers.ts';
import { createSilenceMatchers, type SilenceMatchers } from './silence-matchers.ts';
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

/**
 * The first silence active at `now` whose matchers all match `labels`, or null. Matchers come
 * compiled from `compiled`; a stored silence that does not compile never matches.
 */
export async function matchingSilence(
  repo: Pick<AlertRepo, 'listSilences'>,
  labels: Labels,
  now: number,
  compiled: SilenceMatchers = createSilenceMatchers(),
): Promise<Silence | null> {
  for (const s of await repo.listSilences({ activeAt: now })) {
    const matchers = compiled.get(s);
    if (matchers && matchesAll(matchers, labels)) return s;
  }
  return null;
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
