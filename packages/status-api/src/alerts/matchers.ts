/**
 * Alertmanager-style label matchers (`name=value`, `name!=value`, `name=~regex`, `name!~regex`),
 * parsed and compiled once. Regexes are RE2 (the `re2js` port: linear time in the label's length,
 * whatever the pattern) and fully anchored, as in Alertmanager; a construct RE2 does not support
 * (backreferences, lookaround) is refused here, naming the matcher. Besides the alert's labels,
 * matchers see `alertname`, `severity` and `source`.
 */
import { RE2JS, RE2JSException, RE2JSSyntaxException } from 're2js';
import { invalidField } from './errors.ts';
import type { Alert, Labels } from './types.ts';

export interface Matcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
  test(labels: Labels): boolean;
}

/**
 * Largest compiled regex accepted, in RE2 program instructions. Matching costs at most
 * (label length × program size), so this bounds every match; `[a-z]{1,100}` is about 200.
 */
export const MAX_REGEX_PROGRAM = 5000;

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*/;
const OPERATORS = ['=~', '!~', '!=', '='] as const;

/**
 * A quoted value as Alertmanager reads it: `\"`, `\\` and `\n` are unescaped, any other
 * backslash is kept (so `"a\.b"` stays the regex `a\.b`).
 */
function unquote(raw: string): string {
  if (raw.length < 2 || !raw.startsWith('"') || !raw.endsWith('"')) return raw;
  let out = '';
  const body = raw.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\' || i === body.length - 1) {
      out += c;
      continue;
    }
    const next = body[++i];
    out += next === 'n' ? '\n' : next === '"' || next === '\\' ? next : `\\${next}`;
  }
  return out;
}

/** Why RE2 refused a pattern, in words that do not repeat the pattern. */
function regexProblem(err: unknown): string {
  if (!(err instanceof RE2JSSyntaxException)) return 'not accepted by RE2';
  const description = err.getDescription();
  const pattern = err.getPattern() ?? '';
  if (description === 'invalid escape sequence' && /^\\[0-9]/.test(pattern))
    return 'backreferences are not supported (RE2 syntax)';
  if (
    (description === 'invalid or unsupported Perl syntax' || description === 'invalid named capture') &&
    /^\(\?<?[=!]/.test(pattern)
  )
    return 'lookaround is not supported (RE2 syntax)';
  return `${description} (RE2 syntax)`;
}

/** Compiles `value` as Alertmanager does: RE2, anchored at both ends. */
function compileRegex(value: string, field: string): RE2JS {
  let re: RE2JS;
  try {
    re = RE2JS.compile(`^(?:${value})$`);
  } catch (err) {
    if (err instanceof RE2JSException)
      throw invalidField(field, `invalid regular expression: ${regexProblem(err)}`);
    throw err;
  }
  if (re.programSize() > MAX_REGEX_PROGRAM)
    throw invalidField(
      field,
      `invalid regular expression: too large (over ${MAX_REGEX_PROGRAM} RE2 instructions)`,
    );
  return re;
}

export function parseMatcher(text: string, field: string): Matcher {
  const trimmed = typeof text === 'string' ? text.trim() : '';
  const name = NAME.exec(trimmed)?.[0];
  const rest = name === undefined ? '' : trimmed.slice(name.length).trimStart();
  const op = OPERATORS.find((o) => rest.startsWith(o));
  if (name === undefined || op === undefined)
    throw invalidField(field, 'is not a matcher (expected name=value, name!=value, name=~re or name!~re)');
  const value = unquote(rest.slice(op.length).trim());
  let test: (labels: Labels) => boolean;
  if (op === '=~' || op === '!~') {
    const re = compileRegex(value, field);
    test = op === '=~' ? (l) => re.testExact(l[name] ?? '') : (l) => !re.testExact(l[name] ?? '');
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
