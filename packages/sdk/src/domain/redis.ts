/**
 * The little of Redis the recorders need (`EVAL` and `QUIT`), typed structurally so the SDK does
 * not depend on ioredis: pass an ioredis client, or a URL (or set `REDIS_URL`) and ioredis is
 * imported dynamically — it must then be installed by the application.
 */
import { createHash } from 'node:crypto';
import { AuthlensError, invalidOption } from '../errors.ts';

export interface RedisLike {
  eval(script: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
  quit(): Promise<unknown>;
}

/** A client, a `redis://` URL, or `false` to force in-process state even when `REDIS_URL` is set. */
export type RedisOption = RedisLike | string | false | undefined;

export interface ResolvedRedis {
  client: RedisLike;
  /** True when we created the client (and must quit it on close). */
  owned: boolean;
}

const REDIS_URL = /^rediss?:\/\/\S+$/;

/** Throws (naming the field) when an explicit option is neither a client, a Redis URL nor `false`. */
export function checkRedisOption(field: string, option: RedisOption): void {
  if (option === undefined || option === false) return;
  if (typeof option === 'string') {
    if (!REDIS_URL.test(option))
      throw invalidOption(field, `${field} must be a redis:// or rediss:// URL or a client`);
    return;
  }
  if (typeof option !== 'object' || typeof option.eval !== 'function') {
    throw invalidOption(
      field,
      `${field} must be an ioredis-compatible client (with eval), a redis:// URL or false`,
    );
  }
}

/**
 * Where shared state lives: the explicit option, then `REDIS_URL`, then nowhere (in-process).
 * Resolved lazily on first use; a malformed `REDIS_URL` is reported through `onEnvError` and
 * ignored (telemetry never stops the service).
 */
export function lazyRedisSource(
  option: RedisOption,
  onEnvError: (message: string) => void,
): () => RedisLike | string | undefined {
  let resolved = false;
  let source: RedisLike | string | undefined;
  return () => {
    if (resolved) return source;
    resolved = true;
    if (option === false) source = undefined;
    else if (option !== undefined) source = option;
    else {
      const fromEnv = process.env.REDIS_URL;
      if (fromEnv !== undefined && fromEnv !== '') {
        if (REDIS_URL.test(fromEnv)) source = fromEnv;
        else onEnvError('REDIS_URL is not a redis:// or rediss:// URL; counting in process');
      }
    }
    return source;
  };
}

export async function connectRedis(source: RedisLike | string): Promise<ResolvedRedis> {
  if (typeof source !== 'string') return { client: source, owned: false };
  type Client = RedisLike & { on(event: 'error', listener: (err: Error) => void): unknown };
  let mod: { Redis: new (url: string, options: Record<string, unknown>) => Client };
  try {
    mod = (await import('ioredis')) as unknown as typeof mod;
  } catch (err) {
    throw new AuthlensError(
      'missing_package',
      'A Redis URL was given but the "ioredis" package is not installed: add it to your application',
      { cause: err },
    );
  }
  const client = new mod.Redis(source, {
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    lazyConnect: false,
  });
  // Without a listener ioredis prints every reconnect error; commands still reject and callers fall back.
  client.on('error', () => {});
  return { client, owned: true };
}

/** Keys never carry raw account IDs or IPs: they are hashed (SHA-256, 128 bits kept). */
export function hashSubject(subject: string): string {
  return createHash('sha256').update(subject).digest('base64url').slice(0, 22);
}
