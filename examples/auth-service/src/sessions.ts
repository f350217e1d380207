/**
 * Sessions (opaque access and refresh tokens, stored only as SHA-256 digests), refresh-token
 * rotation with reuse detection, account lockout and per-address brute-force counting — all on
 * the key-value store, so they work in memory and in Redis alike.
 */
import type { LockoutOptions, ResolvedOptions } from './config.ts';
import { newId, newToken, tokenDigest } from './crypto.ts';
import type { KeyValueStore } from './store/kv.ts';
import type { AuthTelemetry } from './telemetry.ts';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export interface AccessContext {
  userId: string;
  sessionId: string;
}

interface SessionRecord {
  userId: string;
  access: string;
  refresh: string;
}

export type RefreshResult =
  | { ok: true; tokens: TokenPair; userId: string }
  | { ok: false; reused: boolean; userId?: string };

export function createSessions(kv: KeyValueStore, options: ResolvedOptions, telemetry: AuthTelemetry) {
  const accessTtl = options.accessTokenTtlSeconds;
  const refreshTtl = options.refreshTokenTtlSeconds;

  async function writePair(userId: string, sessionId: string): Promise<TokenPair> {
    const accessToken = newToken('ala');
    const refreshToken = newToken('alr');
    const access = tokenDigest(accessToken);
    const refresh = tokenDigest(refreshToken);
    const context = JSON.stringify({ userId, sessionId } satisfies AccessContext);
    await kv.set(`at:${access}`, context, accessTtl);
    await kv.set(`rt:${refresh}`, context, refreshTtl);
    await kv.set(
      `sess:${sessionId}`,
      JSON.stringify({ userId, access, refresh } satisfies SessionRecord),
      refreshTtl,
    );
    await kv.sadd(`user-sessions:${userId}`, sessionId, refreshTtl);
    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: accessTtl };
  }

  async function revoke(sessionId: string): Promise<boolean> {
    const raw = await kv.take(`sess:${sessionId}`);
    if (!raw) return false;
    const record = JSON.parse(raw) as SessionRecord;
    await kv.del(`at:${record.access}`, `rt:${record.refresh}`);
    await kv.srem(`user-sessions:${record.userId}`, sessionId);
    telemetry.tokens('access', 'revoked');
    telemetry.tokens('refresh', 'revoked');
    telemetry.sessions(-1);
    return true;
  }

  return {
    async issue(userId: string): Promise<TokenPair> {
      const pair = await writePair(userId, newId());
      telemetry.tokens('access', 'issued');
      telemetry.tokens('refresh', 'issued');
      telemetry.sessions(1);
      return pair;
    },

    async authenticate(accessToken: string): Promise<AccessContext | undefined> {
      const raw = await kv.get(`at:${tokenDigest(accessToken)}`);
      return raw ? (JSON.parse(raw) as AccessContext) : undefined;
    },

    /** Rotates the refresh token. A rotated-out token presented again revokes its session (reuse). */
    async refresh(refreshToken: string): Promise<RefreshResult> {
      const digest = tokenDigest(refreshToken);
      const raw = await kv.take(`rt:${digest}`);
      if (!raw) {
        const used = await kv.get(`rt-used:${digest}`);
        if (!used) return { ok: false, reused: false };
        const context = JSON.parse(used) as AccessContext;
        await revoke(context.sessionId);
        return { ok: false, reused: true, userId: context.userId };
      }
      const context = JSON.parse(raw) as AccessContext;
      const session = await kv.get(`sess:${context.sessionId}`);
      if (!session) return { ok: false, reused: false };
      await kv.set(`rt-used:${digest}`, raw, refreshTtl);
      await kv.del(`at:${(JSON.parse(session) as SessionRecord).access}`);
      const tokens = await writePair(context.userId, context.sessionId);
      telemetry.tokens('access', 'refreshed');
      telemetry.tokens('refresh', 'refreshed');
      return { ok: true, tokens, userId: context.userId };
    },

    revoke,

    async revokeAll(userId: string): Promise<number> {
      let count = 0;
      for (const sessionId of await kv.smembers(`user-sessions:${userId}`)) {
        if (await revoke(sessionId)) count++;
      }
      await kv.del(`user-sessions:${userId}`);
      return count;
    },

    async countFor(userId: string): Promise<number> {
      return (await kv.smembers(`user-sessions:${userId}`)).length;
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;

/** Account lockout after `maxFailures` failed logins within `windowSeconds`. */
export function createLockout(kv: KeyValueStore, options: LockoutOptions) {
  return {
    /** Seconds the account stays locked, or 0 when it is not locked. */
    async lockedFor(userId: string): Promise<number> {
      return (await kv.ttl(`lock:${userId}`)) ?? 0;
    },
    /** Counts a failure; returns true when this failure locked the account. */
    async fail(userId: string): Promise<boolean> {
      const count = await kv.incr(`fail:${userId}`, options.windowSeconds);
      if (count < options.maxFailures) return false;
      await kv.set(`lock:${userId}`, '1', options.durationSeconds);
      await kv.del(`fail:${userId}`);
      return true;
    },
    async succeed(userId: string): Promise<void> {
      await kv.del(`fail:${userId}`);
    },
    async clear(userId: string): Promise<void> {
      await kv.del(`fail:${userId}`, `lock:${userId}`);
    },
  };
}

export type Lockout = ReturnType<typeof createLockout>;
