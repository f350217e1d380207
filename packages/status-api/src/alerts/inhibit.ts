/**
 * Inhibition (Alertmanager's `inhibit/`): an active alert matching a rule's source matchers mutes
 * alerts matching its target matchers when the rule's `equal` labels agree.
 *
 * The active sources are kept per replica, like Alertmanager's in-memory inhibitor: a create
 * checks them without a query. Any transaction that moves a source-matching alert in or out of
 * the active set (created firing, fired, acknowledged, resolved) bumps the store's `inhibit`
 * generation, and every replica reloads its sources when it sees the generation move.
 */
import type { AlertRepo } from '../store/index.ts';
import { matchesAll, matchLabels } from './matchers.ts';
import type { CompiledInhibitRule } from './routing.ts';
import type { Alert, Labels, Severity } from './types.ts';

type Matchable = Pick<Alert, 'name' | 'severity' | 'source' | 'labels'>;

interface Source {
  id: string;
  labels: Labels;
}

export interface InhibitCache {
  /** Whether `alert` matches some rule's source matchers (only such alerts change the cache). */
  isSource(alert: Matchable): boolean;
  refresh(repo: AlertRepo, generation: number): Promise<void>;
  /** The active source that inhibits an alert with these match labels (never the alert itself), or null. */
  find(alertId: string, labels: Labels): Source | null;
  /**
   * `alert` (a source) changed state in the current transaction: updates the local set and
   * bumps the store's generation (the other replicas reload).
   */
  changed(repo: AlertRepo, alert: Alert): Promise<void>;
  /** The store generation the set holds (NaN before the first load). */
  generation(): number;
}

const ACTIVE = new Set(['firing', 'acknowledged']);

export function inhibitCache(rules: readonly CompiledInhibitRule[]): InhibitCache {
  let loaded = Number.NaN;
  let sources = new Map<string, Source>();
  // Whether an alert is a source depends only on its labels, name, severity and source, which
  // never change for an alert: remembered (bounded), so a create matched before its transaction
  // (see ingest.ts) is not matched again inside it.
  const sourceMemo = new Map<string, boolean>();
  const isSource = (alert: Matchable) => {
    if (rules.length === 0) return false;
    const labels = matchLabels(alert);
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let known = sourceMemo.get(key);
    if (known === undefined) {
      known = rules.some((r) => matchesAll(r.source, labels));
      if (sourceMemo.size >= 10_000) sourceMemo.delete(sourceMemo.keys().next().value as string);
      sourceMemo.set(key, known);
    }
    return known;
  };
  return {
    isSource,
    async refresh(repo, generation) {
      if (generation === loaded || rules.length === 0) return;
      const next = new Map<string, Source>();
      for (const rule of rules) {
        // Push equality matchers on name/severity down to SQL; the rest is matched here.
        const names = rule.source.filter((m) => m.name === 'alertname' && m.op === '=').map((m) => m.value);
        const severities = rule.source
          .filter((m) => m.name === 'severity' && m.op === '=')
          .map((m) => m.value as Severity);
        for (const a of await repo.activeAlerts({ names, severities })) {
          const labels = matchLabels(a);
          if (matchesAll(rule.source, labels)) next.set(a.id, { id: a.id, labels });
        }
      }
      sources = next;
      loaded = generation;
    },
    generation: () => loaded,
    find(alertId, labels) {
      for (const rule of rules) {
        if (!matchesAll(rule.target, labels)) continue;
        for (const source of sources.values()) {
          if (source.id === alertId || !matchesAll(rule.source, source.labels)) continue;
          if (rule.equal.every((l) => (source.labels[l] ?? '') === (labels[l] ?? ''))) return source;
        }
      }
      return null;
    },
    async changed(repo, alert) {
      if (!isSource(alert)) return;
      if (ACTIVE.has(alert.status)) sources.set(alert.id, { id: alert.id, labels: matchLabels(alert) });
      else sources.delete(alert.id);
      const generation = await repo.bumpGeneration('inhibit');
      // Our set is current only if nobody else moved the generation since we loaded it.
      loaded = generation === loaded + 1 ? generation : Number.NaN;
    },
  };
}
