/**
 * The environment readers every authlens package uses: integer with range, number, boolean,
 * URL, duration, list and enum. Each reads one variable (or checks the explicit option that
 * overrides it), trims it, treats blank as unset, and on a value it does not accept calls the
 * package's `invalid` with the setting, the value (hidden when secret) and what is accepted —
 * so each package keeps its own error class and wording while the parsing exists once.
 *
 * Internal to authlens: reached through `@authlens/sdk/internal`, not a public API.
 */

export type Env = Readonly<Record<string, string | undefined>>;

/** A value a reader refused: `value` is `<hidden>` for secrets; `expected` is a noun phrase. */
export interface InvalidValue {
  setting: string;
  value: string;
  expected: string;
}

/** Makes the package's error for a refused value (the reader throws what it returns). */
export type InvalidValueError = (problem: InvalidValue) => Error;

/** An explicit option that overrides the variable: checked by the same rule, named in the error. */
export interface ExplicitOption<T> {
  name: string;
  value: T | undefined;
}

interface Common {
  /** Replaces the generated description of what is accepted. */
  expected?: string;
}

export interface IntegerRule extends Common {
  default: number;
  min?: number;
  max?: number;
  option?: ExplicitOption<number>;
}

export interface NumberRule extends Common {
  default: number;
  min?: number;
  max?: number;
  /** `min` itself is refused. */
  minExclusive?: boolean;
  /** `max` itself is refused. */
  maxExclusive?: boolean;
  option?: ExplicitOption<number>;
}

export interface BooleanRule {
  default: boolean;
  option?: ExplicitOption<boolean>;
}

export interface UrlRule extends Common {
  /** Accepted schemes with their colon; default `http:` and `https:`. */
  protocols?: readonly string[];
  /** Never repeat the value in an error (it holds a key or token). */
  secret?: boolean;
  /** Return the WHATWG serialisation (`URL.href`) instead of the trimmed text. */
  normalize?: boolean;
  option?: ExplicitOption<string>;
}

export interface DurationRule extends Common {
  /** Milliseconds. */
  default: number;
  /** Milliseconds. */
  min?: number;
  /** Milliseconds. */
  max?: number;
}

export interface ListRule extends Common {
  /** Accepted entries (compared after trimming); any non-empty entry when absent. */
  allowed?: readonly string[];
  /** Entries are compared and returned lower-cased. */
  lowerCase?: boolean;
}

export interface EnumRule<T extends string> extends Common {
  default: T;
}

export interface EnvReader {
  /** The trimmed value, `undefined` when unset or blank. */
  string(name: string): string | undefined;
  integer(name: string, rule: IntegerRule): number;
  number(name: string, rule: NumberRule): number;
  /** `true/false`, `1/0`, `yes/no`, `on/off` in any case. */
  boolean(name: string, rule: BooleanRule): boolean;
  /** An absolute URL with one of the accepted schemes, `undefined` when unset. */
  url(name: string, rule?: UrlRule): string | undefined;
  /** Milliseconds: a whole number of milliseconds or `<n>ms|s|m|h|d` (`500ms`, `30s`, `1.5h`). */
  duration(name: string, rule: DurationRule): number;
  /** Comma-separated entries, blanks dropped; `undefined` when unset. */
  list(name: string, rule?: ListRule): string[] | undefined;
  /** One of `values`, compared lower-cased. */
  oneOf<T extends string>(name: string, values: readonly T[], rule: EnumRule<T>): T;
}

const HTTP = ['http:', 'https:'];
const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);
const BOOLEAN_FORMS = 'a boolean (true, false, 1, 0, yes, no, on, off)';
const INTEGER = /^[-+]?\d+$/;
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `500ms`, `30s`, `1.5m`, `4h`, `1d` → milliseconds; `undefined` for anything else (a bare number too). */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  return m ? Math.round(Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]) : undefined;
}

/** `true/false`, `1/0`, `yes/no`, `on/off` in any case, trimmed; `undefined` for anything else. */
export function parseBoolean(text: string): boolean | undefined {
  const l = text.trim().toLowerCase();
  return TRUE.has(l) ? true : FALSE.has(l) ? false : undefined;
}

/** An absolute URL with one of `protocols` (`'https:'`, with the colon); `undefined` for anything else. */
export function parseUrl(text: string, protocols: readonly string[] = HTTP): URL | undefined {
  try {
    const url = new URL(text);
    return protocols.includes(url.protocol) ? url : undefined;
  } catch {
    return undefined;
  }
}

/** `an integer from 1 to 10`, `an integer ≥ 1`, … */
export function describeRange(
  noun: string,
  { min, max, minExclusive = false, maxExclusive = false }: Omit<NumberRule, 'default'>,
): string {
  const low = min === undefined ? '' : `${minExclusive ? '>' : '≥'} ${min}`;
  const high = max === undefined ? '' : `${maxExclusive ? '<' : '≤'} ${max}`;
  if (low && high && !minExclusive && !maxExclusive) return `${noun} from ${min} to ${max}`;
  if (low && high) return `${noun} ${low} and ${high}`;
  return low || high ? `${noun} ${low || high}` : noun;
}

function inRange(n: number, rule: Omit<NumberRule, 'default'>): boolean {
  if (rule.min !== undefined && (rule.minExclusive ? n <= rule.min : n < rule.min)) return false;
  if (rule.max !== undefined && (rule.maxExclusive ? n >= rule.max : n > rule.max)) return false;
  return true;
}

/** Reads settings from `env`; refused values throw what `invalid` makes. */
export function createEnvReader(env: Env, invalid: InvalidValueError): EnvReader {
  const string = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const fail = (setting: string, value: string, expected: string): never => {
    throw invalid({ setting, value, expected });
  };

  function numeric(name: string, rule: NumberRule, integer: boolean): number {
    const expected = rule.expected ?? describeRange(integer ? 'an integer' : 'a number', rule);
    const accept = (n: number) => Number.isFinite(n) && (!integer || Number.isInteger(n)) && inRange(n, rule);
    if (rule.option?.value !== undefined) {
      const n = rule.option.value;
      return accept(n) ? n : fail(rule.option.name, String(n), expected);
    }
    const v = string(name);
    if (v === undefined) return rule.default;
    const n = Number(v);
    return (integer ? INTEGER : DECIMAL).test(v) && accept(n) ? n : fail(name, v, expected);
  }

  return {
    string,
    integer: (name, rule) => numeric(name, rule, true),
    number: (name, rule) => numeric(name, rule, false),
    boolean(name, rule) {
      if (rule.option?.value !== undefined) return rule.option.value;
      const v = string(name);
      if (v === undefined) return rule.default;
      return parseBoolean(v) ?? fail(name, v, BOOLEAN_FORMS);
    },
    url(name, rule = {}) {
      const protocols = rule.protocols ?? HTTP;
      const setting = rule.option?.value !== undefined ? rule.option.name : name;
      const v = rule.option?.value !== undefined ? rule.option.value.trim() : string(name);
      if (v === undefined || v === '') return undefined;
      const expected =
        rule.expected ??
        (protocols.length === 2 && protocols.includes('http:') && protocols.includes('https:')
          ? 'an http(s) URL'
          : `a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);
      const url = parseUrl(v, protocols);
      if (!url) return fail(setting, rule.secret ? '<hidden>' : v, expected);
      return rule.normalize ? url.href : v;
    },
    duration(name, rule) {
      const v = string(name);
      if (v === undefined) return rule.default;
      const ms = INTEGER.test(v) ? Number(v) : parseDuration(v);
      if (ms !== undefined && inRange(ms, rule)) return ms;
      const range = describeRange('', rule).trim();
      return fail(
        name,
        v,
        rule.expected ?? `a duration in milliseconds or like 30s, 5m${range ? ` (${range} ms)` : ''}`,
      );
    },
    list(name, rule = {}) {
      const v = string(name);
      if (v === undefined) return undefined;
      const entries = v
        .split(',')
        .map((s) => (rule.lowerCase ? s.trim().toLowerCase() : s.trim()))
        .filter(Boolean);
      if (rule.allowed && entries.some((e) => !rule.allowed?.includes(e))) {
        return fail(name, v, rule.expected ?? `a comma-separated list of ${rule.allowed.join(', ')}`);
      }
      return entries;
    },
    oneOf(name, values, rule) {
      const v = string(name);
      if (v === undefined) return rule.default;
      const l = v.toLowerCase() as (typeof values)[number];
      return values.includes(l) ? l : fail(name, v, rule.expected ?? values.join(', '));
    },
  };
}
