/**
 * Suppression: whether an alert is muted right now (maintenance window, silence, inhibition), and
 * marking it so with a re-check timer. Checked in this order; the first that applies wins.
 * Silences and inhibition sources come from per-replica caches that `refresh` brings up to date
 * once per transaction (one small read of the store's generations), so a check runs no query.
 */
import type { AlertRepo } from '../store/index.ts';
import { type InhibitCache, inhibitCache } from './inhibit.ts';
import { matchesAll, matchLabels } from './matchers.ts';
import type { Routing } from './routing.ts';
import { type SilenceCache, silenceCache } from './silence.ts';
import type { Alert } from './types.ts';

export interface Suppression {
  /** `maintenance:<name>`, `silence:<id>` or `inhibited:<alert id>`. */
  reason: string;
  /** When it ends by itself (silence or window end); null for inhibition. */
  until: number | null;
}

export interface Suppressor {
  /** Brings the silence and inhibition caches up to date inside this transaction. */
  refresh(repo: AlertRepo, now: number): Promise<void>;
  /**
   * Which state of the caches `find` answers from: equal before and inside a transaction means
   * what was found before it opened still holds (nothing reloaded or changed the caches).
   */
  version(): string;
  /** What mutes `alert` at `now`, from the caches (call `refresh` first in the transaction). */
  find(alert: Pick<Alert, 'id' | 'name' | 'severity' | 'source' | 'labels'>, now: number): Suppression | null;
  /** The state a muted alert gets: suppressed, re-checked when `s` ends or after the re-check bound. */
  state(s: Suppression, now: number): { suppressedReason: string; suppressionCheckAt: number };
  /** Marks `alert` suppressed for `s`. */
  apply(repo: AlertRepo, alert: Alert, s: Suppression, now: number): Promise<Alert | null>;
  /** Whether `alert` could inhibit others (its state changes must be reported with `changed`). */
  isSource(alert: Pick<Alert, 'name' | 'severity' | 'source' | 'labels'>): boolean;
  /** `alert` entered or left the active set in this transaction (created firing, fired, acknowledged, resolved). */
  changed(repo: AlertRepo, alert: Alert): Promise<void>;
}

export interface SuppressorOptions {
  routing: Routing;
  recheckMs: number;
  onError: (err: unknown, context: string) => void;
}

export function suppressor(o: SuppressorOptions): Suppressor {
  const silences: SilenceCache = silenceCache(o.onError);
  const inhibit: InhibitCache = inhibitCache(o.routing.inhibitRules);
  const state = (s: Suppression, now: number) => ({
    suppressedReason: s.reason,
    suppressionCheckAt: Math.min(s.until ?? Number.POSITIVE_INFINITY, now + o.recheckMs),
  });
  return {
    async refresh(repo, now) {
      const generations = await repo.generations();
      await silences.refresh(repo, generations.silences, now);
      await inhibit.refresh(repo, generations.inhibit);
    },
    version: () => `${silences.generation()}:${inhibit.generation()}`,
    find(alert, now) {
      const labels = matchLabels(alert);
      for (const w of o.routing.maintenance) {
        if (w.start <= now && now < w.end && matchesAll(w.matchers, labels))
          return { reason: `maintenance:${w.name}`, until: w.end };
      }
      const silence = silences.match(labels, now);
      if (silence) return { reason: `silence:${silence.id}`, until: silence.endsAt };
      const source = inhibit.find(alert.id, labels);
      if (source) return { reason: `inhibited:${source.id}`, until: null };
      return null;
    },
    state,
    apply: (repo, alert, s, now) =>
      repo.updateAlert(alert.id, {
        status: 'suppressed',
        ...state(s, now),
        nextEscalationAt: null,
        updatedAt: now,
      }),
    isSource: inhibit.isSource,
    changed: (repo, alert) => inhibit.changed(repo, alert),
  };
}
