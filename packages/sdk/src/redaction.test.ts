/**
 * Redaction, fuzzed: secrets are hidden in many shapes (nested objects, arrays, maps, headers,
 * URLs with tokens, JWTs, bearer tokens, card numbers, errors with causes) and pushed through
 * every output — redact(), a logger's JSON line, span attributes and events, log records and
 * a Sentry event. No secret may appear in any of them.
 */

import { Writable } from 'node:stream';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import type { ErrorEvent } from '@sentry/node';
import { describe, expect, it } from 'vitest';
import winston from 'winston';
import { getLogger } from './logs/logger.ts';
import { redactSpans } from './pipelines/traces.ts';
import { createRedactor, REDACTED, redact, redactString } from './redaction.ts';
import { scrubSentryEvent } from './sentry.ts';

// Deterministic PRNG (mulberry32) so a failure is reproducible.
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(20261126);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const token = (n = 16 + Math.floor(rand() * 16)) =>
  Array.from({ length: n }, () => pick([...ALNUM])).join('');
const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(rand() * 10))).join('');
const b64url = (s: string) => Buffer.from(s).toString('base64url');

function luhnCard(): string {
  const body = `4${digits(14)}`;
  for (let check = 0; check < 10; check++) {
    const n = `${body}${check}`;
    let sum = 0;
    for (let i = 0; i < n.length; i++) {
      let d = Number(n[n.length - 1 - i]);
      if (i % 2 === 1) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    if (sum % 10 === 0) return n;
  }
  throw new Error('unreachable');
}

interface Secret {
  /** Strings that must not appear in any output. */
  forbidden: string[];
  value: unknown;
}

/** One secret embedded in a randomly chosen carrier. */
function secretCarrier(): Secret {
  const s = token();
  const kind = Math.floor(rand() * 30);
  switch (kind) {
    case 0:
      return { forbidden: [s], value: { password: s } };
    case 1:
      return { forbidden: [s], value: { user: { credentials: { refresh_token: s } } } };
    case 2:
      return { forbidden: [s], value: { headers: { Authorization: `Bearer ${s}` } } };
    case 3:
      return { forbidden: [s], value: { headers: { cookie: `sid=${s}; theme=dark` } } };
    case 4:
      return { forbidden: [s], value: { 'set-cookie': [`sid=${s}; HttpOnly; Secure`] } };
    case 5: {
      const otp = digits(6);
      return { forbidden: [`"${otp}"`], value: { mfa: { otp, method: 'totp' } } };
    }
    case 6:
      return { forbidden: [s], value: `login failed for bob password=${s} from 10.0.0.1` };
    case 7:
      return { forbidden: [s], value: `GET /oauth/callback?code=${s}&state=xyz` };
    case 8:
      return { forbidden: [s], value: `postgres://app:${s}@db.internal:5432/auth` };
    case 9: {
      const jwt = `eyJ${b64url(JSON.stringify({ alg: 'HS256' })).slice(3)}.${b64url(JSON.stringify({ sub: s }))}.${b64url(token(32))}`;
      return { forbidden: [jwt, b64url(JSON.stringify({ sub: s }))], value: `token was ${jwt} (expired)` };
    }
    case 10: {
      const card = luhnCard();
      const grouped = card.replace(/(\d{4})(?=\d)/g, pick(['$1 ', '$1-', '$1']));
      return { forbidden: [card, grouped], value: { note: `paid with ${grouped}` } };
    }
    case 11:
      return { forbidden: [s], value: new Map([['x-api-key', s]]) };
    case 12:
      return { forbidden: [s], value: new Headers({ authorization: `Basic ${s}`, accept: 'json' }) };
    case 13: {
      const err = new Error(`upstream rejected access_token=${s}`);
      return { forbidden: [s], value: err };
    }
    case 14: {
      const err = new Error('wrapper', { cause: new Error(`Bearer ${s} invalid`) });
      return { forbidden: [s], value: err };
    }
    case 15:
      return { forbidden: [s], value: new URL(`https://api.example.com/v1/me?api_key=${s}&x=1`) };
    case 16:
      return {
        forbidden: [s],
        value: { [pick(['password_confirmation', 'passwordConfirm', 'new_password', 'oldPasswd'])]: s },
      };
    case 17:
      return {
        forbidden: [s],
        value: { [pick(['secret_key', 'secretAccessKey', 'aws_secret_access_key', 'webhookSecret'])]: s },
      };
    case 18: {
      // An OTP, OAuth authorization code or PIN under its usual field name.
      const code = pick([digits(6), s]);
      return { forbidden: [code], value: { [pick(['code', 'pin', 'otp', 'sms_code', 'authCode'])]: code } };
    }
    case 19: {
      const codes = [token(10), token(10), token(10)];
      return { forbidden: codes, value: { [pick(['recovery_codes', 'backupCodes', 'codes'])]: codes } };
    }
    case 20:
      return { forbidden: [s], value: { [pick(['credentials', 'client_credential', 'db_credentials'])]: s } };
    case 21:
      return {
        forbidden: [s],
        value: `config ${pick(['secret_key', 'SECRET_ACCESS_KEY', 'password_confirmation', 'x_auth_token', 'credential'])}=${s} loaded`,
      };
    case 22:
      return {
        forbidden: [s],
        value: `{"${pick(['passwordConfirm', 'secretKey', 'refresh_token_value', 'code', 'pin', 'recovery_codes'])}": "${s}"}`,
      };
    case 23:
      return { forbidden: [s], value: `sent ${pick(['otp', 'pin', 'mfa_code', 'verification-code'])}: ${s}` };
    case 24:
      return {
        forbidden: [s],
        value: `GET /reset?${pick(['password_reset_token', 'secret_key', 'pin'])}=${s}&x=1`,
      };
    case 25: {
      const err = Object.assign(new Error('verification failed'), { otp_code: s });
      return { forbidden: [s], value: err };
    }
    case 27:
    case 28:
    case 29: {
      // A PEM private-key block inside free text, an error message (and so its stack), with
      // real or escaped newlines, sometimes cut short (no END line: a truncated attribute).
      const label = pick(['', 'RSA ', 'EC ', 'OPENSSH ', 'ENCRYPTED ', 'DSA ']);
      const body = Array.from({ length: 3 }, () => `${token(32)}${token(32)}`);
      const nl = pick(['\n', '\r\n', '\\n']);
      const headers =
        label === 'ENCRYPTED '
          ? `Proc-Type: 4,ENCRYPTED${nl}DEK-Info: AES-128-CBC,${token(16)}${nl}${nl}`
          : '';
      const end = pick([`${nl}-----END ${label}PRIVATE KEY-----`, '']);
      const pem = `-----BEGIN ${label}PRIVATE KEY-----${nl}${headers}${body.join(nl)}${end}`;
      const text = `failed to load ${pick(['signing key', 'TLS key', 'config'])}: ${pem}${end ? ' (check the file)' : ''}`;
      return {
        forbidden: body,
        value: kind === 27 ? text : kind === 28 ? new Error(text) : { detail: text },
      };
    }
    default:
      return { forbidden: [`sk_live_${s}`], value: `stripe key sk_live_${s} leaked` };
  }
}

/** Wraps a value in random containers. */
function wrap(value: unknown, depth: number): unknown {
  if (depth === 0) return value;
  switch (Math.floor(rand() * 4)) {
    case 0:
      return wrap([1, value, 'x'], depth - 1);
    case 1:
      return wrap({ [`k${token(4)}`]: value, safe: 'fine' }, depth - 1);
    case 2:
      return wrap({ data: { items: [value] } }, depth - 1);
    default:
      return wrap({ context: value, n: 1 }, depth - 1);
  }
}

function cases(n: number) {
  return Array.from({ length: n }, () => {
    const parts = Array.from({ length: 1 + Math.floor(rand() * 3) }, secretCarrier);
    const value = wrap(
      parts.map((p) => p.value),
      Math.floor(rand() * 5),
    );
    return { forbidden: parts.flatMap((p) => p.forbidden), value };
  });
}

function assertClean(output: string, forbidden: string[]) {
  for (const f of forbidden) expect(output, `leaked ${f}`).not.toContain(f);
}

const stdout: string[] = [];

describe('redaction (fuzzed)', () => {
  it('redact() hides every secret in 600 random shapes and never mutates its input', () => {
    for (const c of cases(600)) {
      const before = JSON.stringify(c.value, (_k, v) => (v instanceof Map ? [...v] : v));
      const out = JSON.stringify(redact(c.value));
      assertClean(out, c.forbidden);
      expect(JSON.stringify(c.value, (_k, v) => (v instanceof Map ? [...v] : v))).toBe(before);
    }
  });

  it('is idempotent: redacting redacted output changes nothing', () => {
    for (const c of cases(300)) {
      const once = redact(c.value);
      expect(redact(once)).toEqual(once);
    }
  });

  it('a logger line never carries a secret given as message, metadata or error', () => {
    const log = getLogger('fuzz');
    // Capture the exact JSON lines the logger writes (the console transport writes the same).
    log.add(
      new winston.transports.Stream({
        stream: new Writable({
          write(chunk, _enc, cb) {
            stdout.push(String(chunk));
            cb();
          },
        }),
      }),
    );
    log.remove(log.transports[0] as winston.transport);
    for (const c of cases(200)) {
      stdout.length = 0;
      const err = new Error(`failed: ${JSON.stringify(redactString('x'))}`);
      log.info('user event', { payload: c.value });
      log.warn(typeof c.value === 'string' ? c.value : 'structured', c.value as object);
      log.error(err.message, { err: c.value });
      const out = stdout.join('');
      expect(out.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(3);
      for (const line of out.split('\n').filter(Boolean)) JSON.parse(line);
      assertClean(out, c.forbidden);
    }
  });

  it('span attributes, exception events and status messages are redacted before export', () => {
    const provider = new TracerProvider();
    const tracer = provider.getTracer('fuzz');
    const spans: ReadableSpan[] = [];
    const all: string[] = [];
    for (const c of cases(200)) {
      const span = tracer.startSpan('op');
      const text = JSON.stringify(c.value, (_k, v) => (v instanceof Map ? Object.fromEntries(v) : v));
      span.setAttribute('db.query.text', text);
      span.setAttribute('http.request.header.authorization', text);
      span.setAttribute('url.full', `https://x.test/cb?token=${text}`);
      span.recordException(new Error(text));
      span.setStatus({ code: 2, message: text });
      span.end();
      spans.push(span as unknown as ReadableSpan);
      all.push(...c.forbidden);
    }
    redactSpans(spans, createRedactor());
    const out = JSON.stringify(spans.map((s) => ({ a: s.attributes, e: s.events, st: s.status })));
    expect(out).toContain(REDACTED);
    assertClean(out, all);
  });

  it('a Sentry event keeps only the user ID and carries no secret', () => {
    for (const c of cases(150)) {
      const text = JSON.stringify(c.value, (_k, v) => (v instanceof Map ? Object.fromEntries(v) : v));
      const event = {
        exception: { values: [{ type: 'Error', value: text }] },
        message: text,
        extra: { value: c.value },
        request: {
          url: `https://x.test/login?password=${text}`,
          headers: { cookie: text },
          cookies: { sid: text },
          data: text,
        },
        user: { id: 'user-7', email: 'a@b.c', ip_address: '10.1.2.3' },
        breadcrumbs: [{ message: text }],
        contexts: { trace: { trace_id: 'a'.repeat(32), span_id: 'b'.repeat(16) } },
      } as unknown as ErrorEvent;
      const out = scrubSentryEvent(event, createRedactor());
      expect(out.user).toEqual({ id: 'user-7' });
      expect(out.request?.headers).toBeUndefined();
      expect(out.request?.cookies).toBeUndefined();
      expect(out.contexts?.trace?.trace_id).toBe('a'.repeat(32));
      const s = JSON.stringify(out);
      assertClean(s, c.forbidden);
      expect(s).not.toContain('a@b.c');
    }
  });

  it('leaves ordinary values alone', () => {
    const plain = {
      route: '/users/:id',
      status: 200,
      ms: 12.5,
      auth: { method: 'password', outcome: 'failure' },
    };
    expect(redact(plain)).toEqual(plain);
    expect(redactString('user bob logged in from Berlin at 2026-01-02T03:04:05Z')).toBe(
      'user bob logged in from Berlin at 2026-01-02T03:04:05Z',
    );
    expect(redactString('order 1234567890123 shipped')).toBe('order 1234567890123 shipped');
    expect(redactString('upstream answered status code: 503')).toBe('upstream answered status code: 503');
    const safeKeys = {
      'http.response.status_code': 401,
      'auth.token.type': 'refresh',
      'auth.token.action': 'issued',
      token_type: 'Bearer',
      'auth.password_reset.stage': 'requested',
      'code.function.name': 'login',
      country_code: 'DE',
      spin: 3,
    };
    expect(redact(safeKeys)).toEqual(safeKeys);
    // An error's own `code` is Node's error code, kept; a `code` field elsewhere is a one-time code.
    const err = redact(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })) as unknown as {
      code: string;
    };
    expect(err.code).toBe('ECONNREFUSED');
    expect(redact({ code: 'ECONNREFUSED' })).toEqual({ code: REDACTED });
  });

  it('treats every key naming a password, secret, token, credential or one-time code as a secret', () => {
    const r = createRedactor();
    for (const key of [
      'password_confirmation',
      'passwordConfirm',
      'secret_key',
      'secretAccessKey',
      'x-auth-token',
      'credentials',
      'passphrase',
      'code',
      'pin',
      'otp',
      'user.otp',
      'recovery_codes',
      'backup_codes',
      'backupCodes',
      'Authorization',
      'Set-Cookie',
    ]) {
      expect(r.isSensitiveKey(key), key).toBe(true);
    }
  });

  it('redacts OAuth callback parameters in a query string, first parameter included', () => {
    const query = redactString('?code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj&lang=en');
    expect(query).toBe(`?code=${REDACTED}&state=${REDACTED}&lang=en`);
    expect(redactString('/cb?access_token=abc.def&id_token=x1y2')).not.toMatch(/abc\.def|x1y2/);
  });

  it('is extensible by configuration without losing the built-in rules', () => {
    const r = createRedactor({ keys: ['ssn'], patterns: [/EMP-\d{6}/] });
    expect(r.redact({ ssn: '123-45-6789', password: 'x1', id: 'EMP-123456' })).toEqual({
      ssn: REDACTED,
      password: REDACTED,
      id: REDACTED,
    });
  });
});
