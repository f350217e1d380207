/**
 * Inhibition (Alertmanager's `inhibit/`): an active alert matching a rule's source matchers mutes
 * alerts matching its target matchers when the rule's `equal` labels agree.
 *
 * The active sources are kept per replica, like Alertmanager's in-memory inhibitor: a create
 * checks them without a query. Any transaction that moves a source alert in or out of the active
 * set (created firing, fired, acknowledged from suppressed, resolved) bumps the store's `inhibit`
 * generation, and every replica reloads its sources when it sees the generation move.
 *
 * Matchers run only outside store transactions: `refresh` (which rules each loaded source
 * matches), `targetsOf` and `sourcesOf`. Inside a transaction an `InhibitView` judges with those
 * results alone (rule indexes, ids and `equal` label values), never running a matcher.
 */
import type { AlertRepo } from '../store/index.ts';
import { matchesAll, matchLabels } from './matchers.ts';
import type { CompiledInhibitRule } from './routing.ts';
import type { Alert, Labels, Severity } from './types.ts';

/** An active alert that matches some rule's source matchers. */
export interface InhibitSource {
  id: string;
  /** Its match labels (`matchLabels`). */
  labels: Labels;
  /** Indexes of the rules whose source matchers it matches (never empty). */
  rules: readonly number[];
}

/** The active sources as of one store generation (never mutated once published). */
export interface InhibitSnapshot {
  readonly generation: number;
  readonly sources: ReadonlyMap<string, InhibitSource>;
}

export interface InhibitCache {
  readonly rules: readonly CompiledInhibitRule[];
  /** Indexes of the rules whose target matchers match `labels` (runs matchers). */
  targetsOf(labels: Labels): number[];
  /** Indexes of the rules whose source matchers match `labels` (runs matchers). */
  sourcesOf(labels: Labels): number[];
  /** Reloads the sources when the store's generation moved (runs matchers: outside any transaction). */
  refresh(reader: AlertRepo, generation: number): Promise<void>;
  /** The current snapshot (generation NaN before the first load, or when there are no rules). */
  snapshot(): InhibitSnapshot;
  /** Makes `next` current if `base` still is (a committed transaction's own changes). */
  publish(base: InhibitSnapshot, next: InhibitSnapshot): void;
}

const ACTIVE = new Set(['firing', 'acknowledged']);

const matchingRules = (rules: readonly CompiledInhibitRule[], side: 'source' | 'target', labels: Labels) => {
  const out: number[] = [];
  rules.forEach((r, i) => {
    if (matchesAll(r[side], labels)) out.push(i);
  });
  return out;
};

export function inhibitCache(rules: readonly CompiledInhibitRule[]): InhibitCache {
  let current: InhibitSnapshot = { generation: Number.NaN, sources: new Map() };
  return {
    rules,
    targetsOf: (labels) => matchingRules(rules, 'target', labels),
    sourcesOf: (labels) => matchingRules(rules, 'source', labels),
    async refresh(reader, generation) {
      if (generation === current.generation || rules.length === 0) return;
      const sources = new Map<string, InhibitSource>();
      for (const rule of rules) {
        // Push equality matchers on name/severity down to SQL; the rest is matched here.
        const names = rule.source.filter((m) => m.name === 'alertname' && m.op === '=').map((m) => m.value);
        const severities = rule.source
          .filter((m) => m.name === 'severity' && m.op === '=')
          .map((m) => m.value as Severity);
        for (const a of await reader.activeAlerts({ names, severities })) {
          if (sources.has(a.id)) continue;
          const labels = matchLabels(a);
          const matched = matchingRules(rules, 'source', labels);
          if (matched.length) sources.set(a.id, { id: a.id, labels, rules: matched });
        }
      }
      current = { generation, sources };
    },
    snapshot: () => current,
    publish(base, next) {
      if (current === base) current = next;
    },
  };
}

/** One transaction's view of the active sources: the snapshot it verified, plus its own changes. */
export interface InhibitView {
  /** The active source that inhibits an alert (never itself), from its precomputed target rules. */
  find(alertId: string, labels: Labels, targets: readonly number[]): InhibitSource | null;
  /**
   * `alert` changed state in this transaction: if that moves it in or out of the active sources,
   * the view and the store's generation follow. `sources` (the rules whose source matchers the
   * alert matches) is asked only when an alert enters the active set.
   */
  changed(alert: Alert, sources: () => readonly number[]): Promise<void>;
  /** After the transaction committed: the cache takes the view's changes (if nobody moved it since). */
  publish(): void;
}

/** A view over `base`, which the caller verified equals the store's generation in this transaction. */
export function inhibitView(cache: InhibitCache, repo: AlertRepo, base: InhibitSnapshot): InhibitView {
  let sources: Map<string, InhibitSource> | null = null;
  let bumps = 0;
  let generation = base.generation;
  const read = () => sources ?? base.sources;
  return {
    find(alertId, labels, targets) {
      for (const r of targets) {
        const rule = cache.rules[r]!;
        for (const source of read().values()) {
          if (source.id === alertId || !source.rules.includes(r)) continue;
          if (rule.equal.every((l) => (source.labels[l] ?? '') === (labels[l] ?? ''))) return source;
        }
      }
      return null;
    },
    async changed(alert, sourcesOf) {
      if (cache.rules.length === 0) return;
      const known = read().has(alert.id);
      const active = ACTIVE.has(alert.status);
      // An alert's labels never change: one already in the set stays as it is while active.
      if (known === active) return;
      let entry: InhibitSource | null = null;
      if (active) {
        const rules = sourcesOf();
        if (rules.length === 0) return;
        entry = { id: alert.id, labels: matchLabels(alert), rules };
      }
      sources ??= new Map(base.sources);
      if (entry) sources.set(alert.id, entry);
      else sources.delete(alert.id);
      generation = await repo.bumpGeneration('inhibit');
      bumps++;
    },
    publish() {
      // Ours is the store's set only if no other transaction moved the generation in between.
      if (sources && generation === base.generation + bumps) cache.publish(base, { generation, sources });
    },
  };
}
