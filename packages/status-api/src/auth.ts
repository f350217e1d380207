/**
 * API keys (`MONITORING_API_KEYS=name:key:role[,…]`, role `read` or `write`, write implies
 * read) sent as `Authorization: Bearer <key>`. Keys are hashed once at start; a request is
 * compared against every key's digest in constant time so timing reveals neither which key
 * nor how much of it matched.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { MonitoringConfigError, replyProblem } from './errors.ts';

export type ApiKeyRole = 'read' | 'write';

export interface ApiKey {
  /** Who holds the key (logged and used for rate limiting; never the key itself). */
  name: string;
  key: string;
  role: ApiKeyRole;
}

interface PreparedKey {
  name: string;
  role: ApiKeyRole;
  digest: Buffer;
}

// One-shot hashing: no Hash object per request (about a third of `createHash().update().digest()`).
const digest = (value: string) => hash('sha256', value, 'buffer');

/** Parses `name:key:role[,name:key:role…]`; throws naming the variable and entry when malformed. */
export function parseApiKeys(value: string, setting = 'MONITORING_API_KEYS'): ApiKey[] {
  const keys: ApiKey[] = [];
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  entries.forEach((entry, index) => {
    const parts = entry.split(':');
    const [name, key, role] = parts;
    if (parts.length !== 3 || !name || !key || !role) {
      throw new MonitoringConfigError(setting, `entry ${index + 1} must be name:key:role`);
    }
    if (role !== 'read' && role !== 'write') {
      throw new MonitoringConfigError(
        setting,
        `entry ${index + 1} ('${name}') has role '${role}', expected read or write`,
      );
    }
    if (key.length < 16) {
      throw new MonitoringConfigError(
        setting,
        `entry ${index + 1} ('${name}') key must be at least 16 characters`,
      );
    }
    keys.push({ name, key, role });
  });
  return keys;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The name of the API key that authorised this request, when one did. */
    apiKeyName?: string;
  }
}

export interface Authorize {
  read: onRequestHookHandler;
  write: onRequestHookHandler;
  /**
   * The rate-limit bucket of a request: `key:<name>` when it carries a valid API key (one budget
   * per key, whatever address it comes from), else `ip:<address>`.
   */
  rateLimitKey(request: FastifyRequest): string;
}

/** Builds the `read` and `write` `onRequest` hooks (and the rate-limit key) from the configured keys. */
export function createAuthorize(keys: readonly ApiKey[]): Authorize {
  const prepared: PreparedKey[] = keys.map((k) => ({ name: k.name, role: k.role, digest: digest(k.key) }));

  const identify = (request: FastifyRequest): PreparedKey | 'missing' | 'unknown' => {
    const header = request.headers.authorization;
    if (typeof header !== 'string' || header.length === 0) return 'missing';
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) return 'unknown';
    const presented = digest(match[1]);
    let found: PreparedKey | undefined;
    // Compare with every key (no early exit) so the time taken does not depend on which matched.
    for (const k of prepared) {
      if (timingSafeEqual(presented, k.digest) && !found) found = k;
    }
    return found ?? 'unknown';
  };

  // The rate limiter and the guard both need the key of one request: hash and compare it once.
  const identified = new WeakMap<FastifyRequest, PreparedKey | 'missing' | 'unknown'>();
  const identifyOnce = (request: FastifyRequest) => {
    let who = identified.get(request);
    if (who === undefined) {
      who = identify(request);
      identified.set(request, who);
    }
    return who;
  };

  const guard =
    (role: ApiKeyRole): onRequestHookHandler =>
    (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
      const who = identifyOnce(request);
      if (who === 'missing') {
        replyProblem(reply, 'missing_api_key', { detail: 'send an API key as Authorization: Bearer <key>' });
        return;
      }
      if (who === 'unknown') {
        replyProblem(reply, 'invalid_api_key', { detail: 'the API key is not recognised' });
        return;
      }
      if (role === 'write' && who.role !== 'write') {
        replyProblem(reply, 'insufficient_role', {
          detail: `this endpoint needs a key with the '${role}' role`,
        });
        return;
      }
      request.apiKeyName = who.name;
      done();
    };

  const rateLimitKey = (request: FastifyRequest) => {
    const who = identifyOnce(request);
    return typeof who === 'string' ? `ip:${request.ip}` : `key:${who.name}`;
  };

  return { read: guard('read'), write: guard('write'), rateLimitKey };
}
