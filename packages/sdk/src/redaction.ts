/**
 * One declared redaction rule set, compiled once and shared by log records, span and log
 * attributes, exception messages and Sentry events. Rules come from code (and from
 * `AUTHLENS_REDACT_KEYS` / `start({ redaction })`), never from request data.
 */

export const REDACTED = '[REDACTED]';

/**
 * Words that make any key containing them a secret, whatever surrounds them
 * (`password_confirmation`, `secretAccessKey`, `github_access_token`, `aws_credentials`).
 * Keys are compared lower-case with every non-alphanumeric removed.
 */
const DEFAULT_SENSITIVE_WORDS = ['password', 'passwd', 'passphrase', 'secret', 'token', 'credential'];

/** Key names whose values are secrets (also matched as a suffix when 6 characters or longer). */
const DEFAULT_SENSITIVE_KEYS = [
  'pwd',
  'apikey',
  'apikeys',
  'xapikey',
  'authorization',
  'proxyauthorization',
  'cookie',
  'cookies',
  'setcookie',
  // One-time codes: OTP/MFA, OAuth authorization codes, PINs, recovery codes.
  'code',
  'codes',
  'pin',
  'pincode',
  'otp',
  'otps',
  'otpcode',
  'totp',
  'totpcode',
  'mfacode',
  'smscode',
  'passcode',
  'authcode',
  'verificationcode',
  'recoverycode',
  'recoverycodes',
  'backupcode',
  'backupcodes',
  'privatekey',
  'cardnumber',
  'creditcard',
  'pan',
  'cvv',
  'cvc',
  'sessionid',
  'signature',
];

/** Shorter key suffixes that mark a secret whatever comes before (`user.otp`, `x_auth_cookie`). */
const DEFAULT_SENSITIVE_SUFFIXES = ['otp', 'pwd'];

/**
 * Keys that contain a sensitive word but hold no secret: the auth-domain attribute keys of the
 * metric catalogue and OAuth's `token_type`.
 */
const DEFAULT_SAFE_KEYS = new Set([
  'tokentype',
  'tokentypehint',
  'authtokentype',
  'authtokenaction',
  'authtokenkind',
  'passwordresetstage',
  'authpasswordresetstage',
]);

interface ValuePattern {
  readonly name: string;
  readonly regex: RegExp;
  readonly replace: (match: string, ...groups: string[]) => string;
}

const SECRET_WORDS =
  'password|passwd|pwd|passphrase|secret|client_secret|token|access_token|refresh_token|id_token|api[_-]?key|apikey|otp|otp_code|mfa_code|totp|passcode|session_?id|private_key';

/**
 * Key names in free text (`secret_key=…`, `"password_confirmation": "…"`, `otp: 123456`): any name
 * containing a sensitive word (no left boundary: `x_auth_token`), short names as whole words, and
 * a bare `code` only as a quoted JSON key (`status code: 500` is not a secret).
 */
const SECRET_KEY_TEXT = [
  '(?:password|passwd|passphrase|secret|token|credential)[A-Za-z0-9_.-]{0,40}',
  'api[_-]?keys?',
  'private[_-]?keys?',
  'session[_-]?id',
  '(?:otp|mfa|totp|sms|email|auth|oauth|verification|recovery|backup|reset)[_-]?codes?',
  '\\b(?:pwd|otp|totp|passcode|pin|authorization)',
  '\\\\?"(?:code|codes|pin)\\\\?"',
].join('|');

function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Patterns applied to every string value, in this order. */
const DEFAULT_PATTERNS: ValuePattern[] = [
  // PEM private-key blocks (`-----BEGIN [RSA |EC |OPENSSH |ENCRYPTED ]PRIVATE KEY-----` … END),
  // whole, in free text, messages and stacks; with no END line (a cut-off value) everything after
  // BEGIN. Linear: each character after BEGIN is read once.
  {
    name: 'pem-private-key',
    regex:
      /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----(?:[^-]|-(?!----END ))*(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----)?/g,
    replace: () => REDACTED,
  },
  // `Cookie: a=b; c=d` / `Set-Cookie: …` — everything up to the end of the line.
  {
    name: 'cookie-header',
    // (also as JSON text: `"cookie":"a=b"`, `"set-cookie":["a=b; HttpOnly"]`).
    regex: /\b((?:set-)?cookies?["']?\s*[:=]\s*\[?\s*["']?)(?!\[?REDACTED\])[^\r\n"']+/gi,
    replace: (_m, p) => `${p}${REDACTED}`,
  },
  // `Authorization: Bearer x` / `Basic x` / `Digest …` and bare `Bearer x`.
  {
    name: 'auth-scheme',
    regex: /\b(Bearer|Basic|Digest|Token|ApiKey)\s+[A-Za-z0-9._~+/=-]{6,}/gi,
    replace: (_m, p) => `${p} ${REDACTED}`,
  },
  // JSON Web Tokens (three base64url parts, header starts with `{"`).
  { name: 'jwt', regex: /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.?[A-Za-z0-9_-]*/g, replace: () => REDACTED },
  // Well-known API key formats.
  {
    name: 'api-key',
    regex:
      /\b(?:(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{8,}|gh[pousr]_[A-Za-z0-9]{16,}|xox[abposr]-[A-Za-z0-9-]{8,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,}|glpat-[A-Za-z0-9_-]{16,})\b/g,
    replace: () => REDACTED,
  },
  // Credentials in URLs: `scheme://user:pass@host`.
  {
    name: 'url-userinfo',
    regex: /\b([a-z][a-z0-9+.-]*:\/\/[^:/\s@]*:)[^@\s/]+@/gi,
    replace: (_m, p) => `${p}${REDACTED}@`,
  },
  // Secret query parameters: `?access_token=…&code=…`, OAuth's `code` and `state` included.
  {
    name: 'query-param',
    regex: new RegExp(
      `([?&;#](?:${SECRET_WORDS}|code|state|key|sig|client_assertion|assertion|state_token)=)[^&#\\s"']*`,
      'gi',
    ),
    replace: (_m, p) => `${p}${REDACTED}`,
  },
  // `password=…`, `"token": "…"`, `secret_key=…`, `otp: 123456`, `"recovery_codes": ["…", "…"]`
  // inside free text, also as escaped JSON (`{\\"secretKey\\": \\"…\\"}`). The look-ahead keeps
  // redaction idempotent (`token:[REDACTED]` stays).
  {
    name: 'key-value',
    regex: new RegExp(
      `(${SECRET_KEY_TEXT})(\\\\?["']?\\s*[:=]\\s*)(?:(\\[[^\\]\\r\\n]*\\])|(\\\\?["']?)(?!\\[?REDACTED\\])[^\\s"'&,;{}\\]\\\\]+)`,
      'gi',
    ),
    replace: (_m, k, sep, list, quote) => `${k}${sep}${list ? '' : (quote ?? '')}${REDACTED}`,
  },
  // Card-like numbers: 13–19 digits, optionally grouped by spaces or dashes, passing Luhn.
  {
    name: 'card',
    regex: /\b\d(?:[ -]?\d){12,18}\b/g,
    replace: (m) => {
      const digits = m.replace(/[ -]/g, '');
      return digits.length >= 13 && digits.length <= 19 && luhnValid(digits) ? REDACTED : m;
    },
  },
];

/** A cheap first look: strings without any of these cannot match a pattern above. */
const DEFAULT_PREFILTER =
  /PRIVATE KEY|cookie|bearer|basic|digest|token|apikey|eyJ|sk_|pk_|rk_|gh[pousr]_|xox|AKIA|AIza|glpat|:\/\/|[?&;#][a-z_]+=|pass|pwd|secret|credential|otp|code|\bpin\b|key|session|authorization|\d{4}/i;

export interface RedactionOptions {
  /** Extra key names treated as secrets (matched like the built-in ones). */
  keys?: readonly string[];
  /** Extra patterns; every match inside a string value is replaced with `[REDACTED]`. */
  patterns?: readonly RegExp[];
}

export interface Redactor {
  /** True when values under this key are secrets. */
  isSensitiveKey(key: string): boolean;
  /** The string with every secret pattern replaced. */
  redactString(value: string): string;
  /**
   * A redacted deep copy of any value: secret keys' values become `[REDACTED]`, strings are
   * scanned, errors become `{ name, message, stack }`; cycles and depth are bounded. Never
   * mutates its input.
   */
  redact<T>(value: T): T;
}

const MAX_DEPTH = 10;

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Compiles a redaction rule set once; the result is cheap to call on the hot path. */
export function createRedactor(options: RedactionOptions = {}): Redactor {
  const exact = new Set(DEFAULT_SENSITIVE_KEYS);
  for (const key of options.keys ?? []) exact.add(normalizeKey(key));
  const suffixes = [...DEFAULT_SENSITIVE_SUFFIXES, ...[...exact].filter((k) => k.length >= 6)];
  const patterns: ValuePattern[] = [...DEFAULT_PATTERNS];
  for (const [i, regex] of (options.patterns ?? []).entries()) {
    const flags = regex.flags.includes('g') ? regex.flags : `${regex.flags}g`;
    patterns.push({ name: `custom-${i}`, regex: new RegExp(regex.source, flags), replace: () => REDACTED });
  }
  const hasCustomPatterns = patterns.length > DEFAULT_PATTERNS.length;
  // Keys are few and repeat endlessly (attribute names, log fields): remember each verdict.
  const keyCache = new Map<string, boolean>();

  function isSensitiveKey(key: string): boolean {
    const cached = keyCache.get(key);
    if (cached !== undefined) return cached;
    const n = normalizeKey(key);
    const sensitive =
      !DEFAULT_SAFE_KEYS.has(n) &&
      (exact.has(n) ||
        DEFAULT_SENSITIVE_WORDS.some((w) => n.includes(w)) ||
        suffixes.some((s) => n.endsWith(s)));
    if (keyCache.size < 10_000) keyCache.set(key, sensitive);
    return sensitive;
  }

  function redactString(value: string): string {
    if (value.length < 4) return value;
    if (!hasCustomPatterns && !DEFAULT_PREFILTER.test(value)) return value;
    let out = value;
    for (const p of patterns) {
      p.regex.lastIndex = 0;
      if (p.regex.test(out)) {
        p.regex.lastIndex = 0;
        out = out.replace(p.regex, p.replace as (substring: string, ...args: string[]) => string);
      }
    }
    return out;
  }

  function walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
    if (typeof value === 'string') return redactString(value);
    if (value === null || typeof value !== 'object') {
      return typeof value === 'function'
        ? `[function ${(value as { name?: string }).name || 'anonymous'}]`
        : value;
    }
    if (seen.has(value)) return '[Circular]';
    if (depth >= MAX_DEPTH) return '[Truncated]';
    seen.add(value);
    try {
      if (value instanceof Error) {
        const out: Record<string, unknown> = {
          name: value.name,
          message: redactString(value.message),
        };
        if (value.stack) out.stack = redactString(value.stack);
        for (const [k, v] of Object.entries(value)) {
          // An error's own `code` is Node's error code (`ECONNREFUSED`, `FST_ERR_…`), not a one-time code.
          out[k] = k !== 'code' && isSensitiveKey(k) ? REDACTED : walk(v, depth + 1, seen);
        }
        if (value.cause !== undefined) out.cause = walk(value.cause, depth + 1, seen);
        return out;
      }
      if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1, seen));
      if (value instanceof Date) return value;
      if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return '[binary]';
      if (value instanceof Map) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of value) {
          const key = String(k);
          out[key] = isSensitiveKey(key) ? REDACTED : walk(v, depth + 1, seen);
        }
        return out;
      }
      if (value instanceof Set) return [...value].map((v) => walk(v, depth + 1, seen));
      if (value instanceof URL) return redactString(value.href);
      if (typeof (value as { entries?: unknown }).entries === 'function' && typeof Headers !== 'undefined') {
        if (value instanceof Headers) {
          const out: Record<string, string> = {};
          for (const [k, v] of value.entries()) out[k] = isSensitiveKey(k) ? REDACTED : redactString(v);
          return out;
        }
      }
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(value)) {
        const v = (value as Record<string, unknown>)[k];
        out[k] =
          isSensitiveKey(k) && v !== undefined && v !== null && v !== ''
            ? REDACTED
            : walk(v, depth + 1, seen);
      }
      return out;
    } finally {
      seen.delete(value);
    }
  }

  return {
    isSensitiveKey,
    redactString,
    redact<T>(value: T): T {
      return walk(value, 0, new WeakSet()) as T;
    },
  };
}

const defaultRedactor = createRedactor();

/** Redacts a string with the built-in rule set (see {@link createRedactor}). */
export function redactString(value: string): string {
  return defaultRedactor.redactString(value);
}

/** Redacts any value with the built-in rule set; returns a copy. */
export function redact<T>(value: T): T {
  return defaultRedactor.redact(value);
}
