/** TOTP (RFC 6238) over HOTP (RFC 4226), and the enrolment secret and URI — `node:crypto` only. */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { base32Decode, base32Encode } from './base32.ts';

export interface TotpOptions {
  /** Seconds per step (RFC 6238 X); default 30. */
  period?: number;
  digits?: number;
  algorithm?: 'sha1' | 'sha256' | 'sha512';
}

/** RFC 4226 HOTP value for a counter. */
export function hotp(secret: Buffer, counter: bigint, digits = 6, algorithm = 'sha1'): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(counter);
  const digest = createHmac(algorithm, secret).update(message).digest();
  const offset = digest[digest.length - 1]! & 0x0f;
  const binary =
    ((digest[offset]! & 0x7f) << 24) |
    (digest[offset + 1]! << 16) |
    (digest[offset + 2]! << 8) |
    digest[offset + 3]!;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** RFC 6238 TOTP code of a base32 secret at `timeMs`. */
export function totp(secretBase32: string, timeMs = Date.now(), options: TotpOptions = {}): string {
  const period = options.period ?? 30;
  const counter = BigInt(Math.floor(timeMs / 1000 / period));
  return hotp(base32Decode(secretBase32), counter, options.digits ?? 6, options.algorithm ?? 'sha1');
}

/**
 * Checks a code against the current step and `window` steps either side (clock drift).
 * Returns the matched step counter (for replay protection) or undefined.
 */
export function verifyTotp(
  secretBase32: string,
  code: string,
  timeMs = Date.now(),
  window = 1,
  options: TotpOptions = {},
): number | undefined {
  const period = options.period ?? 30;
  const step = Math.floor(timeMs / 1000 / period);
  const given = Buffer.from(code);
  for (let delta = -window; delta <= window; delta++) {
    const expected = Buffer.from(
      hotp(
        base32Decode(secretBase32),
        BigInt(step + delta),
        options.digits ?? 6,
        options.algorithm ?? 'sha1',
      ),
    );
    if (expected.length === given.length && timingSafeEqual(expected, given)) return step + delta;
  }
  return undefined;
}

export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

export function otpauthUri(secretBase32: string, account: string, issuer: string): string {
  const label = encodeURIComponent(`${issuer}:${account}`);
  return `otpauth://totp/${label}?secret=${secretBase32}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=6&period=30`;
}
