/**
 * Inhibition (Alertmanager's `inhibit/`): an active alert matching a rule's source matchers mutes
 * alerts matching its target matchers when the rule's `equal` labels agree.
 */
import type { AlertRepo } from '../store/index.ts';
import { matchesAll, matchLabels } from './matchers.ts';
import type { CompiledInhibitRule } from './routing.ts';
import type { Alert, Labels, Severity } from './types.ts';

/** The active alert that inhibits `alert` (whose match labels are `labels`), or null. */
export async function findInhibitor(
  repo: AlertRepo,
  rules: readonly CompiledInhibitRule[],
  alert: Pick<Alert, 'id'>,
  labels: Labels,
): Promise<Alert | null> {
  for (const rule of rules) {
    if (!matchesAll(rule.target, labels)) continue;
    // Push equality matchers on name/severity down to SQL; the rest is matched here.
    const names = rule.source.filter((m) => m.name === 'alertname' && m.op === '=').map((m) => m.value);
    const severities = rule.source
      .filter((m) => m.name === 'severity' && m.op === '=')
      .map((m) => m.value as Severity);
    const candidates = await repo.activeAlerts({ names, severities });
    for (const source of candidates) {
      if (source.id === alert.id) continue;
      const sourceLabels = matchLabels(source);
      if (!matchesAll(rule.source, sourceLabels)) continue;
      if (rule.equal.every((l) => (sourceLabels[l] ?? '') === (labels[l] ?? ''))) return source;
    }
  }
  return null;
}
