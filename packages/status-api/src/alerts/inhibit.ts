/**
 * Inhibition (Alertmanager's `inhibit/`): an active alert matching a rule's source matchers mutes
 * alerts matching its target matchers when the rule's `equal` labels agree.
 */
import type { AlertRepo } from '../store/index.ts';
import { matchesAll, matchLabels } from './matchers.ts';
import type { CompiledInhibitRule } from './routing.ts';
import type { Alert, Labels, Severity } from './types.ts';

/**
 * Active alerts that inhibit an alert whose match labels are `labels`, in rule order, at most
 * `max` of them (the alert itself may be among them: callers skip it by id).
 */
export async function inhibitorCandidates(
  repo: Pick<AlertRepo, 'activeAlerts'>,
  rules: readonly CompiledInhibitRule[],
  labels: Labels,
  max = Number.POSITIVE_INFINITY,
): Promise<Alert[]> {
  const found: Alert[] = [];
  for (const rule of rules) {
    if (!matchesAll(rule.target, labels)) continue;
    // Push equality matchers on name/severity down to SQL; the rest is matched here.
    const names = rule.source.filter((m) => m.name === 'alertname' && m.op === '=').map((m) => m.value);
    const severities = rule.source
      .filter((m) => m.name === 'severity' && m.op === '=')
      .map((m) => m.value as Severity);
    const candidates = await repo.activeAlerts({ names, severities });
    for (const source of candidates) {
      const sourceLabels = matchLabels(source);
      if (!matchesAll(rule.source, sourceLabels)) continue;
      if (!rule.equal.every((l) => (sourceLabels[l] ?? '') === (labels[l] ?? ''))) continue;
      found.push(source);
      if (found.length >= max) return found;
    }
  }
  return found;
}

/** The active alert that inhibits `alert` (whose match labels are `labels`), or null. */
export async function findInhibitor(
  repo: AlertRepo,
  rules: readonly CompiledInhibitRule[],
  alert: Pick<Alert, 'id'>,
  labels: Labels,
): Promise<Alert | null> {
  const [first, second] = await inhibitorCandidates(repo, rules, labels, 2);
  return (first?.id === alert.id ? second : first) ?? null;
}
