/**
 * Suppression: whether an alert is muted right now (maintenance window, silence, inhibition), and
 * marking it so with a re-check timer. Checked in this order; the first that applies wins.
 */
import type { AlertRepo } from '../store/index.ts';
import { findInhibitor, inhibitorCandidates } from './inhibit.ts';
import { matchesAll, matchLabels } from './matchers.ts';
import type { Routing } from './routing.ts';
import { matchingSilence } from './silence.ts';
import { createSilenceMatchers } from './silence-matchers.ts';
import type { Alert, Labels, Silence } from './types.ts';

export interface Suppression {
  /** `maintenance:<name>`, `silence:<id>` or `inhibited:<alert id>`. */
  reason: string;
  /** When it ends by itself (silence or window end); null for inhibition. */
  until: number | null;
}

/**
 * What may mute a label set, found before a transaction opens (every matcher runs here, none
 * inside the transaction): the maintenance window, the matching silences and inhibiting alerts.
 */
export interface SuppressionCandidates {
  maintenance: Suppression | null;
  silences: Silence[];
  inhibitors: Alert[];
}

export interface Suppressor {
  find(repo: AlertRepo, alert: Alert, now: number): Promise<Suppression | null>;
  /** Runs the matchers for `labels` outside any transaction, reading through `reader`. */
  prepare(
    reader: Pick<AlertRepo, 'listSilences' | 'activeAlerts'>,
    labels: Labels,
    now: number,
  ): Promise<SuppressionCandidates>;
  /**
   * Inside the transaction: the first candidate that still applies to `alert` at `now` (the
   * silence has not ended, the inhibiting alert is still active and is not `alert`). No matcher
   * runs here, only lookups by id.
   */
  confirm(
    repo: AlertRepo,
    alert: Alert,
    candidates: SuppressionCandidates,
    now: number,
  ): Promise<Suppression | null>;
  /** Marks `alert` suppressed for `s`, re-checked when `s` ends or after the re-check bound. */
  apply(repo: AlertRepo, alert: Alert, s: Suppression, now: number): Promise<Alert | null>;
}

/** Inhibiting candidates kept per alert (the alert itself may be one; the rest may resolve meanwhile). */
const MAX_INHIBITOR_CANDIDATES = 5;

export function suppressor(routing: Routing, recheckMs: number): Suppressor {
  // Each silence's matchers are compiled once, not per alert.
  const compiled = createSilenceMatchers();
  const inWindow = (labels: Labels, now: number): Suppression | null => {
    for (const w of routing.maintenance) {
      if (w.start <= now && now < w.end && matchesAll(w.matchers, labels))
        return { reason: `maintenance:${w.name}`, until: w.end };
    }
    return null;
  };
  return {
    async find(repo, alert, now) {
      const labels = matchLabels(alert);
      const window = inWindow(labels, now);
      if (window) return window;
      const silence = await matchingSilence(repo, labels, now, compiled);
      if (silence) return { reason: `silence:${silence.id}`, until: silence.endsAt.getTime() };
      const source = await findInhibitor(repo, routing.inhibitRules, alert, labels);
      if (source) return { reason: `inhibited:${source.id}`, until: null };
      return null;
    },
    async prepare(reader, labels, now) {
      const silences: Silence[] = [];
      for (const s of await reader.listSilences({ activeAt: now })) {
        const matchers = compiled.get(s);
        if (matchers && matchesAll(matchers, labels)) silences.push(s);
      }
      return {
        maintenance: inWindow(labels, now),
        silences,
        inhibitors: await inhibitorCandidates(reader, routing.inhibitRules, labels, MAX_INHIBITOR_CANDIDATES),
      };
    },
    async confirm(repo, alert, candidates, now) {
      const { maintenance } = candidates;
      if (maintenance && maintenance.until !== null && now < maintenance.until) return maintenance;
      for (const s of candidates.silences) {
        const current = await repo.getSilence(s.id);
        if (current && current.startsAt.getTime() <= now && now < current.endsAt.getTime())
          return { reason: `silence:${current.id}`, until: current.endsAt.getTime() };
      }
      for (const source of candidates.inhibitors) {
        if (source.id === alert.id) continue;
        const current = await repo.getAlert(source.id);
        if (current && (current.status === 'firing' || current.status === 'acknowledged'))
          return { reason: `inhibited:${current.id}`, until: null };
      }
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
