/**
 * The cardinality guard: every metric attribute value passes through it.
 *
 * - Closed sets: a value in the catalogue's list, or in the set the application declared for a
 *   `'free'` attribute (`createBusinessMetrics({ features, actions, funnels })`), is kept
 *   (case-insensitively matched to its canonical spelling); anything else becomes `other`.
 * - Undeclared `'free'` (application-defined) values: kept unless they look like personal data
 *   or a secret (e-mail, IP address, UUID, JWT, prefixed or long number, long hex, base64 or
 *   random token) and while the number of distinct values per attribute stays under a cap
 *   (default 50); otherwise `other`. A plain name (`alice`) passes this heuristic: only a
 *   declared set stops it.
 * Each guard warns once (without echoing a suspicious value).
 */

import { AuthlensError, invalidOption } from '../errors.ts';
import { getLogger } from '../logs/logger.ts';
import { catalogueEntry, type InstrumentDefinition, OTHER } from './catalogue.ts';

/** Called once per instrument/attribute pair when a value is replaced by `other`. */
export type GuardWarn = (message: string, fields: Record<string, string | number>) => void;

export interface GuardOptions {
  /**
   * Distinct values allowed per undeclared `'free'` attribute before new ones become `other`
   * (default 50).
   */
  maxFreeValues?: number;
  /** Where the once-per-attribute warning goes (default: the `authlens.cardinality` logger). */
  warn?: GuardWarn;
}

/** Turns one raw attribute value into a bounded one. */
export type ValueGuard = (value: unknown) => string;

const EMAIL = /[^\s@]+(?:@|%40)[^\s@]+/i;
const IPV4 = /(?:^|[^\d.])(?:\d{1,3}\.){3}\d{1,3}(?:$|[^\d.])/;
const IPV6 = /(?:^|[^0-9a-f:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?:$|[^0-9a-f:])/i;
const UUID = /[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}/i;
const JWT = /eyJ[\w-]+\.[\w-]+/;
const DIGIT_RUN = /\d{4,}/;
// An identifier-like word followed by a number: `user-42`, `uid42`, `acct_7`, `order#123`.
const PREFIXED_ID =
  /(?:^|[^a-z])(?:user|usr|uid|id|account|acct|customer|cust|member|client|session|sess|tenant|org|order|device|person|profile)[-_:#./ ]{0,2}\d+/i;
const HEX_RUN = /[0-9a-f]{12,}/gi;
const BASE64_PADDED = /[A-Za-z0-9+/_-]{8,}={1,2}(?:$|[^=])/;
const TOKEN_CHUNK = /[A-Za-z0-9+/=_-]{16,}/g;
const MAX_FREE_LENGTH = 64;
/** Default cap on distinct values of an undeclared `'free'` attribute. */
export const DEFAULT_MAX_FREE_VALUES = 50;

/**
 * Why a value may not be a metric label (e-mail, IP, UUID, token, user ID…), or `undefined`
 * when it looks harmless.
 */
export function personalDataReason(value: string): string | undefined {
  if (value.length > MAX_FREE_LENGTH) return 'too long';
  if (EMAIL.test(value)) return 'looks like an e-mail address';
  if (IPV4.test(` ${value} `) || IPV6.test(` ${value} `)) return 'looks like an IP address';
  if (UUID.test(value)) return 'looks like a UUID';
  if (JWT.test(value)) return 'looks like a JWT';
  if (DIGIT_RUN.test(value)) return 'contains a long number (an ID?)';
  if (PREFIXED_ID.test(value)) return 'looks like an ID';
  for (const run of value.match(HEX_RUN) ?? []) {
    if (/\d/.test(run) && /[a-f]/i.test(run)) return 'looks like a hex ID or hash';
  }
  if (BASE64_PADDED.test(value)) return 'looks like base64';
  for (const chunk of value.match(TOKEN_CHUNK) ?? []) {
    // A long run without separators that mixes letters and digits is a token or an opaque ID.
    if (/\d/.test(chunk) && /[A-Za-z]/.test(chunk)) return 'looks like a token or opaque ID';
  }
  return undefined;
}

let cardinalityLogger: ReturnType<typeof getLogger> | undefined;
const defaultWarn: GuardWarn = (message, fields) => {
  cardinalityLogger ??= getLogger('authlens.cardinality');
  cardinalityLogger.warn(message, fields);
};

/**
 * Checks a set the application declares for a `'free'` attribute (at start-up: a bad entry
 * throws, naming the option). Returns the values.
 */
export function checkDeclaredValues(field: string, values: unknown): readonly string[] {
  if (!Array.isArray(values) || values.length === 0)
    throw invalidOption(field, `${field} must be a non-empty array of strings`);
  for (const value of values) {
    if (typeof value !== 'string' || value === '' || value === OTHER)
      throw invalidOption(field, `${field} must hold non-empty strings other than "${OTHER}"`);
    const reason = personalDataReason(value);
    if (reason !== undefined) throw invalidOption(field, `${field}: a declared value ${reason}`);
  }
  return values as readonly string[];
}

/**
 * Builds the guard for one attribute of one catalogued instrument. `declared` closes a `'free'`
 * attribute to the application's own set (checked with `checkDeclaredValues`). All option work
 * happens here; the returned function is a Set lookup on the hot path.
 */
export function createValueGuard(
  instrument: string,
  key: string,
  options: GuardOptions = {},
  declared?: readonly string[],
): ValueGuard {
  const entry: InstrumentDefinition = catalogueEntry(instrument);
  const catalogued = entry.attributes[key];
  if (catalogued === undefined) {
    throw new AuthlensError(
      'invalid_attribute',
      `Attribute "${key}" is not allowed on instrument "${instrument}" by the catalogue`,
    );
  }
  if (declared !== undefined && catalogued !== 'free') {
    throw new AuthlensError(
      'invalid_attribute',
      `Attribute "${key}" of "${instrument}" has a closed set in the catalogue: it cannot be declared`,
    );
  }
  const allowed = declared ?? catalogued;
  const warn = options.warn ?? defaultWarn;
  let warned = false;
  const warnOnce = (reason: string, value: string | undefined) => {
    if (warned) return;
    warned = true;
    const fields: Record<string, string | number> = {
      'metric.name': instrument,
      'attribute.key': key,
      reason,
    };
    if (value !== undefined) fields['attribute.value'] = value;
    warn(`Metric attribute value replaced by "${OTHER}" (further ones are not reported)`, fields);
  };

  if (allowed === 'free') {
    const max = options.maxFreeValues ?? DEFAULT_MAX_FREE_VALUES;
    if (!Number.isInteger(max) || max < 1)
      throw invalidOption('maxFreeValues', 'maxFreeValues must be a positive integer');
    const seen = new Set<string>();
    return (raw) => {
      const value = typeof raw === 'string' ? raw : raw === undefined || raw === null ? OTHER : String(raw);
      if (seen.has(value)) return value;
      const reason = value === '' ? 'empty' : personalDataReason(value);
      if (reason !== undefined) {
        // Never echo a value that looks like personal data or a secret.
        warnOnce(reason, undefined);
        return OTHER;
      }
      if (seen.size >= max) {
        warnOnce(`more than ${max} distinct values`, value);
        return OTHER;
      }
      seen.add(value);
      return value;
    };
  }

  const exact = new Set(allowed);
  const folded = new Map(allowed.map((v) => [v.toLowerCase(), v]));
  const outside = declared === undefined ? 'not in the allowed set' : 'not in the declared set';
  return (raw) => {
    if (typeof raw === 'string' && exact.has(raw)) return raw;
    const value = raw === undefined || raw === null ? '' : String(raw);
    const canonical = folded.get(value.toLowerCase());
    if (canonical !== undefined) return canonical;
    const reason = personalDataReason(value);
    warnOnce(reason ?? outside, reason === undefined && value.length <= 40 ? value : undefined);
    return OTHER;
  };
}

/**
 * Guards for every attribute of an instrument, keyed by attribute name. Keys not in the
 * catalogue are dropped by `guardAttributes`.
 */
export function createAttributeGuard(
  instrument: string,
  options: GuardOptions = {},
): (attributes: Readonly<Record<string, unknown>>) => Record<string, string> {
  const entry = catalogueEntry(instrument);
  const guards = Object.keys(entry.attributes).map(
    (key) => [key, createValueGuard(instrument, key, options)] as const,
  );
  return (attributes) => {
    const out: Record<string, string> = {};
    for (const [key, guard] of guards) {
      if (attributes[key] !== undefined) out[key] = guard(attributes[key]);
    }
    return out;
  };
}
