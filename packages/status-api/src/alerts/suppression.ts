/**
 * Suppression: whether an alert is muted right now (maintenance window, silence, inhibition), and
 * marking it so with a re-check timer. Checked in this order; the first that applies wins.
 */
import type { AlertRepo } from '../store/index.ts';
import { findInhibitor } from './inhibit.ts';
import { matchesAll, matchLabels } from './matchers.ts';
import type { Routing } from './routing.ts';
import { matchingSilence } from './silence.ts';
import type { Alert } from './types.ts';

export interface Suppression {
  /** `maintenance:<name>`, `silence:<id>` or `inhibited:<alert id>`. */
  reason: string;
  /** When it ends by itself (silence or window end); null for inhibition. */
  until: number | null;
}

export interface Suppressor {
  find(repo: AlertRepo, alert: Alert, now: number): Promise<Suppression | null>;
  /** Marks `alert` suppressed for `s`, re-checked when `s` ends or after the re-check bound. */
  apply(repo: AlertRepo, alert: Alert, s: Suppression, now: number): Promise<Alert | null>;
}

export function suppressor(routing: Routing, recheckMs: number): Suppressor {
  return {
    async find(repo, alert, now) {
      const labels = matchLabels(alert);
      for (const w of routing.maintenance) {
        if (w.start <= now && now < w.end && matchesAll(w.matchers, labels))
          return { reason: `maintenance:${w.name}`, until: w.end };
      }
      const silence = await matchingSilence(repo, labels, now);
      if (silence) return { reason: `silence:${silence.id}`, until: silence.endsAt.getTime() };
      const source = await findInhibitor(repo, routing.inhibitRules, alert, labels);
      if (source) return { reason: `inhibited:${source.id}`, until: null };
      return null;
    },
    apply: (repo, alert, s, now) =>
      repo.updateAlert(alert.id, {
        status: 'suppressed',
        suppressedReason: s.reason,
        nextEscalationAt: null,
        suppressionCheckAt: Math.min(s.until ?? Number.POSITIVE_INFINITY, now + recheckMs),
        updatedAt: now,
      }),
  };
}
