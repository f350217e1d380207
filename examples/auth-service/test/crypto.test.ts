/** Password hashing, RFC 4226/6238 test vectors, base32, and configuration errors. */
import { describe, expect, it } from 'vitest';
import { ConfigError, normalizeOptions } from '../src/config.ts';
import {
  base32Decode,
  base32Encode,
  hashPassword,
  hotp,
  totp,
  verifyPassword,
  verifyTotp,
} from '../src/crypto.ts';

const rfcSecret = Buffer.from('12345678901234567890');

describe('passwords', () => {
  it('hashes with a fresh salt and verifies only the right password', async () => {
    const a = await hashPassword('correct horse battery staple');
    const b = await hashPassword('correct horse battery staple');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery staple', a)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', a)).toBe(false);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
  });
});

describe('HOTP / TOTP', () => {
  it('matches the RFC 4226 appendix D values', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583'];
    expected.forEach((code, counter) => {
      expect(hotp(rfcSecret, BigInt(counter))).toBe(code);
    });
  });

  it('matches the RFC 6238 appendix B values (SHA-1, 8 digits)', () => {
    const secret = base32Encode(rfcSecret);
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
    ];
    for (const [seconds, code] of vectors) expect(totp(secret, seconds * 1000, { digits: 8 })).toBe(code);
  });

  it('accepts the neighbouring steps only and returns the matched step', () => {
    const secret = base32Encode(rfcSecret);
    const now = 1_700_000_000_000;
    const step = Math.floor(now / 30_000);
    expect(verifyTotp(secret, totp(secret, now), now)).toBe(step);
    expect(verifyTotp(secret, totp(secret, now - 30_000), now)).toBe(step - 1);
    expect(verifyTotp(secret, totp(secret, now + 30_000), now)).toBe(step + 1);
    expect(verifyTotp(secret, totp(secret, now - 90_000), now)).toBeUndefined();
    expect(verifyTotp(secret, '12345', now)).toBeUndefined();
  });

  it('round-trips base32 and rejects bad characters', () => {
    const data = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255, 7]);
    expect(base32Decode(base32Encode(data))).toEqual(data);
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(() => base32Decode('MZXW1')).toThrow(/base32/);
  });
});

describe('configuration', () => {
  it('reads explicit options, then the environment, then defaults', () => {
    const defaults = normalizeOptions({ env: {} });
    expect(defaults).toMatchObject({
      databaseUrl: undefined,
      sqlitePath: ':memory:',
      redisUrl: undefined,
      lockout: { maxFailures: 5, windowSeconds: 900, durationSeconds: 900 },
      bruteForce: { threshold: 10, windowSeconds: 300 },
    });
    const env = { LOCKOUT_MAX_FAILURES: '7', DATABASE_URL: 'postgres://u@h/db', REDIS_URL: 'redis://h:1' };
    expect(normalizeOptions({ env }).lockout.maxFailures).toBe(7);
    expect(normalizeOptions({ env, lockout: { maxFailures: 2 } }).lockout.maxFailures).toBe(2);
    expect(normalizeOptions({ env }).databaseUrl).toBe('postgres://u@h/db');
  });

  it('fails with one line naming the variable', () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ LOCKOUT_MAX_FAILURES: 'five' }, /^LOCKOUT_MAX_FAILURES must be an integer ≥ 1, got "five"$/],
      [{ LOCKOUT_DURATION_SECONDS: '0' }, /^LOCKOUT_DURATION_SECONDS/],
      // A database or Redis URL may hold a password: the error names the variable, never the value.
      [
        { DATABASE_URL: 'mysql://user:s3cret@x/y' },
        /^DATABASE_URL must be a URL starting with postgres:\/\/ or postgresql:\/\/$/,
      ],
      [{ REDIS_URL: 'not a url' }, /^REDIS_URL must be a URL starting with redis:\/\/ or rediss:\/\/$/],
      [{ BRUTE_FORCE_THRESHOLD: '1' }, /^BRUTE_FORCE_THRESHOLD must be an integer ≥ 2, got "1"$/],
      [
        { OAUTH_PROVIDER_PORT: '70000' },
        /^OAUTH_PROVIDER_PORT must be an integer from 0 to 65535, got "70000"$/,
      ],
    ];
    for (const [env, message] of bad) {
      expect(() => normalizeOptions({ env })).toThrow(ConfigError);
      expect(() => normalizeOptions({ env })).toThrow(message);
      expect(() => normalizeOptions({ env })).toThrow(expect.objectContaining({ code: 'invalid_config' }));
    }
    // An explicit option is checked by the same rule and named in the error.
    expect(() => normalizeOptions({ env: {}, lockout: { maxFailures: 0 } })).toThrow(
      /^lockout\.maxFailures must be an integer ≥ 1, got "0"$/,
    );
  });
});
