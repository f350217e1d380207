/**
 * Suppression: whether an alert is muted right now (maintenance window, silence, inhibition), and
 * marking it so with a re-check timer. Checked in this order; the first that applies wins.
 *
 * No matcher runs while a store transaction is open. `prepare` runs before it: it brings the
 * per-replica silence and inhibition caches up to date and runs every matcher (routes, windows,
 * silences, inhibit rules) for the alerts the transaction will handle, keyed by what an alert's
 * matches depend on (fingerprint, severity, source: none of them changes once an alert is
 * stored). Inside the transaction `begin` checks that the caches still hold the store's
 * generations and returns a view that judges with those results alone (times, ids, label
 * equality). When the caches moved, or an alert turns up that was not matched, the view throws
 * `Unmatched`: the transaction rolls back and `matchedTransaction` matches again outside.
 */
import type { AlertRepo } from '../store/index.ts';
import { type InhibitView, inhibitCache, inhibitView } from './inhibit.ts';
import { matchesAll, matchLabels } from './matchers.ts';
import type { CompiledMaintenance, RoutePlan, Routing } from './routing.ts';
import { type CompiledSilence, silenceCache } from './silence.ts';
import type { Alert, Labels } from './types.ts';

export interface Suppression {
  /** `maintenance:<name>`, `silence:<id>` or `inhibited:<alert id>`. */
  reason: string;
  /** When it ends by itself (silence or window end); null for inhibition. */
  until: number | null;
}

/** What an alert's matches depend on: its fingerprint (name + labels), severity and source. */
export type MatchInput = Pick<Alert, 'fingerprint' | 'name' | 'severity' | 'source' | 'labels'>;

/** Everything the matchers found for one alert, before any transaction. */
export interface Matched {
  /** The labels matchers see (`matchLabels`). */
  labels: Labels;
  plan: RoutePlan;
  /** Maintenance windows (not ended when matched) whose matchers match, in config order. */
  windows: readonly CompiledMaintenance[];
  /** Silences (not ended when matched) whose matchers match, in cache order. */
  silences: readonly CompiledSilence[];
  /** Inhibit rules whose target matchers match (indexes). */
  targets: readonly number[];
  /** Inhibit rules whose source matchers match (indexes): the alert can inhibit others. */
  sources: readonly number[];
}

/** The matches of one `prepare`, against one generation of the silences. */
export interface MatchSet {
  readonly silences: number;
  get(alert: MatchInput): Matched | undefined;
}

/**
 * Thrown inside a transaction when what was matched before it no longer holds (the caches moved)
 * or does not cover an alert it met: the transaction rolls back and is run again after matching
 * `alerts` as well (`matchedTransaction`).
 */
export class Unmatched extends Error {
  readonly alerts: readonly MatchInput[];
  constructor(alerts: readonly MatchInput[]) {
    super('the alert caches moved or an alert was not matched before the transaction');
    this.name = 'Unmatched';
    this.alerts = alerts;
  }
}

/** One transaction's judge: decides from precomputed matches, never running a matcher. */
export interface SuppressionView {
  /** The matches for `alert`, or undefined when it was not prepared. */
  lookup(alert: MatchInput): Matched | undefined;
  /** The matches for `alert`; throws `Unmatched` when it was not prepared. */
  matched(alert: MatchInput): Matched;
  /** What mutes the alert with these matches at `now`, or null. */
  find(alertId: string, matched: Matched, now: number): Suppression | null;
  /** `alert` entered or left the active set in this transaction (created firing, fired, acknowledged, resolved). */
  changed(alert: Alert): Promise<void>;
  /** Call after the transaction committed: the caches take its changes. */
  publish(): void;
}

export interface Suppressor {
  /** Outside any transaction: brings the caches up to date and runs every matcher for `alerts`. */
  prepare(reader: AlertRepo, alerts: Iterable<MatchInput>, now: number): Promise<MatchSet>;
  /**
   * First thing inside the transaction: the view judging with `set`. Throws `Unmatched` when the
   * store's generations are not the ones the caches (and `set`) hold.
   */
  begin(repo: AlertRepo, set: MatchSet): Promise<SuppressionView>;
  /** The state a muted alert gets: suppressed, re-checked when `s` ends or after the re-check bound. */
  state(s: Suppression, now: number): { suppressedReason: string; suppressionCheckAt: number };
  /** Marks `alert` suppressed for `s`. */
  apply(repo: AlertRepo, alert: Alert, s: Suppression, now: number): Promise<Alert | null>;
}

export interface SuppressorOptions {
  routing: Routing;
  recheckMs: number;
  onError: (err: unknown, context: string) => void;
}

/** The key of an alert's matches: what they depend on, and nothing that changes once stored. */
const matchKey = (a: MatchInput) => `${a.fingerprint}\n${a.severity}\n${a.source}`;

export function suppressor(o: SuppressorOptions): Suppressor {
  const silences = silenceCache(o.onError);
  const inhibit = inhibitCache(o.routing.inhibitRules);
  const state = (s: Suppression, now: number) => ({
    suppressedReason: s.reason,
    suppressionCheckAt: Math.min(s.until ?? Number.POSITIVE_INFINITY, now + o.recheckMs),
  });

  /** Runs every matcher for one alert (against the caches as they are now). */
  function match(alert: MatchInput, now: number): Matched {
    const labels = matchLabels(alert);
    return {
      labels,
      plan: o.routing.route(alert),
      windows: o.routing.maintenance.filter((w) => now < w.end && matchesAll(w.matchers, labels)),
      silences: silences.matching(labels, now),
      targets: inhibit.targetsOf(labels),
      sources: inhibit.sourcesOf(labels),
    };
  }

  function view(set: MatchSet, inhibition: InhibitView): SuppressionView {
    const matched = (alert: MatchInput) => {
      const m = set.get(alert);
      if (!m) throw new Unmatched([alert]);
      return m;
    };
    return {
      lookup: (alert) => set.get(alert),
      matched,
      find(alertId, m, now) {
        for (const w of m.windows) {
          if (w.start <= now && now < w.end) return { reason: `maintenance:${w.name}`, until: w.end };
        }
        for (const s of m.silences) {
          if (s.startsAt <= now && now < s.endsAt) return { reason: `silence:${s.id}`, until: s.endsAt };
        }
        const source = inhibition.find(alertId, m.labels, m.targets);
        return source ? { reason: `inhibited:${source.id}`, until: null } : null;
      },
      changed: (alert) => inhibition.changed(alert, () => matched(alert).sources),
      publish: () => inhibition.publish(),
    };
  }

  return {
    async prepare(reader, alerts, now) {
      const generations = await reader.generations();
      await silences.refresh(reader, generations.silences, now);
      await inhibit.refresh(reader, generations.inhibit);
      // No await from here on: the matches and the generation they name come from one cache state.
      const generation = silences.generation();
      const found = new Map<string, Matched>();
      for (const alert of alerts) {
        const key = matchKey(alert);
        if (!found.has(key)) found.set(key, match(alert, now));
      }
      return { silences: generation, get: (alert) => found.get(matchKey(alert)) };
    },
    async begin(repo, set) {
      const generations = await repo.generations();
      const sources = inhibit.snapshot();
      const inhibitMoved = inhibit.rules.length > 0 && generations.inhibit !== sources.generation;
      if (generations.silences !== set.silences || inhibitMoved) throw new Unmatched([]);
      return view(set, inhibitView(inhibit, repo, sources));
    },
    state,
    apply: (repo, alert, s, now) =>
      repo.updateAlert(alert.id, {
        status: 'suppressed',
        ...state(s, now),
        nextEscalationAt: null,
        updatedAt: now,
      }),
  };
}
