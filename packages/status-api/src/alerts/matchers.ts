/**
 * Alertmanager-style label matchers (`name=value`, `name!=value`, `name=~regex`, `name!~regex`),
 * parsed and compiled once. Regexes are anchored like Alertmanager's. Besides the alert's labels,
 * matchers see `alertname`, `severity` and `source`.
 */
import { invalidField } from './errors.ts';
import type { Alert, Labels } from './types.ts';

export interface Matcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
  test(labels: Labels): boolean;
}

const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;

export function parseMatcher(text: string, field: string): Matcher {
  const m = MATCHER.exec(text);
  if (!m)
    throw invalidField(
      field,
      `"${text}" is not a matcher (expected name=value, name!=value, name=~re or name!~re)`,
    );
  const [, name, op, raw] = m as unknown as [string, string, Matcher['op'], string];
  const value = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  let test: (labels: Labels) => boolean;
  if (op === '=~' || op === '!~') {
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${value})$`);
    } catch (err) {
      throw invalidField(field, `invalid regular expression in "${text}": ${(err as Error).message}`);
    }
    test = op === '=~' ? (l) => re.test(l[name] ?? '') : (l) => !re.test(l[name] ?? '');
  } else {
    test = op === '=' ? (l) => (l[name] ?? '') === value : (l) => (l[name] ?? '') !== value;
  }
  return { name, op, value, test };
}

export function parseMatchers(list: readonly string[], field: string): Matcher[] {
  return list.map((text, i) => parseMatcher(text, `${field}[${i}]`));
}

/** The label set matchers see: the alert's labels plus `alertname`, `severity`, `source`. */
export function matchLabels(alert: Pick<Alert, 'name' | 'severity' | 'source' | 'labels'>): Labels {
  return { ...alert.labels, alertname: alert.name, severity: alert.severity, source: alert.source };
}

export const matchesAll = (matchers: readonly Matcher[], labels: Labels) =>
  matchers.every((m) => m.test(labels));
