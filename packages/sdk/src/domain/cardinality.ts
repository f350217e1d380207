/**
 * The cardinality guard: every metric attribute value passes through it.
 *
 * - Closed sets: a value in the catalogue's list is kept (case-insensitively matched to its
 *   canonical spelling); anything else becomes `other`.
 * - `'free'` (application-defined) values: kept unless they look like personal data or a secret
 *   (e-mail, IP address, UUID, JWT, long digit run, long random token) and while the number of
 *   distinct values per attribute stays under a cap; otherwise `other`.
 * Each instrument/attribute pair warns once (without echoing a suspicious value).
 */
import { getLogger } from '../logs/logger.ts';
import { catalogueEntry, type InstrumentDefinition, OTHER } from './catalogue.ts';

/** Called once per instrument/attribute pair when a value is replaced by `other`. */
export type GuardWarn = (message: string, fields: Record<string, string | number>) => void;

export interface GuardOptions {
  /** Distinct values allowed per `'free'` attribute before new ones become `other` (default 100). */
  maxFreeValues?: number;
  /** Where the once-per-attribute warning goes (default: the `authlens.cardinality` logger). */
  warn?: GuardWarn;
}

/** Turns one raw attribute value into a bounded one. */
export type ValueGuard = (value: unknown) => string;

const EMAIL = /[^\s@]+@[^\s@]+/;
const IPV4 = /(?:^|[^\d.])(?:\d{1,3}\.){3}\d{1,3}(?:$|[^\d.])/;
const IPV6 = /(?:^|[^0-9a-f:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?:$|[^0-9a-f:])/i;
const UUID = /[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}/i;
const JWT = /eyJ[\w-]+\.[\w-]+/;
const DIGIT_RUN = /\d{4,}/;
const TOKEN_CHUNK = /[A-Za-z0-9+/=_-]{16,}/g;
const MAX_FREE_LENGTH = 64;

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
 * Builds the guard for one attribute of one catalogued instrument. All option work happens
 * here; the returned function is a Set lookup on the hot path.
 */
export function createValueGuard(instrument: string, key: string, options: GuardOptions = {}): ValueGuard {
  const entry: InstrumentDefinition = catalogueEntry(instrument);
  const allowed = entry.attributes[key];
  if (allowed === undefined) {
    throw new Error(`Attribute "${key}" is not allowed on instrument "${instrument}" by the catalogue`);
  }
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
    const max = options.maxFreeValues ?? 100;
    if (!Number.isInteger(max) || max < 1) throw new Error('maxFreeValues must be a positive integer');
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
  return (raw) => {
    if (typeof raw === 'string' && exact.has(raw)) return raw;
    const value = raw === undefined || raw === null ? '' : String(raw);
    const canonical = folded.get(value.toLowerCase());
    if (canonical !== undefined) return canonical;
    const reason = personalDataReason(value);
    warnOnce(
      reason ?? 'not in the allowed set',
      reason === undefined && value.length <= 40 ? value : undefined,
    );
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
