/**
 * Sessions, one-time challenges and rate counters: a tiny key-value interface with expiry,
 * in memory by default and in Redis (`ioredis`) when `REDIS_URL` is set.
 */
import { Redis } from 'ioredis';

export interface KeyValueStore {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Reads and deletes in one step (single-use codes and tokens). */
  take(key: string): Promise<string | undefined>;
  del(...keys: string[]): Promise<void>;
  /** Increments a counter; the first increment starts its expiry window. */
  incr(key: string, ttlSeconds: number): Promise<number>;
  /** Remaining lifetime in seconds, or undefined when the key does not exist. */
  ttl(key: string): Promise<number | undefined>;
  sadd(key: string, member: string, ttlSeconds: number): Promise<void>;
  srem(key: string, member: string): Promise<void>;
  smembers(key: string): Promise<string[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

interface Entry {
  value: string | Set<string>;
  expiresAt: number;
}

export function createMemoryStore(now: () => number = Date.now): KeyValueStore {
  const map = new Map<string, Entry>();
  const live = (key: string): Entry | undefined => {
    const entry = map.get(key);
    if (entry && entry.expiresAt <= now()) {
      map.delete(key);
      return undefined;
    }
    return entry;
  };
  // Expired entries are dropped lazily on read and by a sweep every minute (unref'd: never keeps the process alive).
  const sweep = setInterval(() => {
    const t = now();
    for (const [key, entry] of map) if (entry.expiresAt <= t) map.delete(key);
  }, 60_000);
  sweep.unref();
  return {
    kind: 'memory',
    async get(key) {
      const value = live(key)?.value;
      return typeof value === 'string' ? value : undefined;
    },
    async set(key, value, ttlSeconds) {
      map.set(key, { value, expiresAt: now() + ttlSeconds * 1000 });
    },
    async take(key) {
      const value = live(key)?.value;
      map.delete(key);
      return typeof value === 'string' ? value : undefined;
    },
    async del(...keys) {
      for (const key of keys) map.delete(key);
    },
    async incr(key, ttlSeconds) {
      const entry = live(key);
      const next = (entry && typeof entry.value === 'string' ? Number(entry.value) : 0) + 1;
      map.set(key, { value: String(next), expiresAt: entry?.expiresAt ?? now() + ttlSeconds * 1000 });
      return next;
    },
    async ttl(key) {
      const entry = live(key);
      return entry ? Math.max(0, Math.ceil((entry.expiresAt - now()) / 1000)) : undefined;
    },
    async sadd(key, member, ttlSeconds) {
      const entry = live(key);
      const set = entry && entry.value instanceof Set ? entry.value : new Set<string>();
      set.add(member);
      map.set(key, { value: set, expiresAt: Math.max(entry?.expiresAt ?? 0, now() + ttlSeconds * 1000) });
    },
    async srem(key, member) {
      const value = live(key)?.value;
      if (value instanceof Set) value.delete(member);
    },
    async smembers(key) {
      const value = live(key)?.value;
      return value instanceof Set ? [...value] : [];
    },
    async ping() {},
    async close() {
      clearInterval(sweep);
      map.clear();
    },
  };
}

export async function createRedisStore(url: string, keyPrefix: string): Promise<KeyValueStore> {
  const redis = new Redis(url, { keyPrefix, lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  let closed = false;
  return {
    kind: 'redis',
    async get(key) {
      return (await redis.get(key)) ?? undefined;
    },
    async set(key, value, ttlSeconds) {
      await redis.set(key, value, 'EX', ttlSeconds);
    },
    async take(key) {
      return (await redis.getdel(key)) ?? undefined;
    },
    async del(...keys) {
      if (keys.length > 0) await redis.del(...keys);
    },
    async incr(key, ttlSeconds) {
      const [[, count]] = (await redis.multi().incr(key).expire(key, ttlSeconds, 'NX').exec()) as [
        [Error | null, number],
      ];
      return count;
    },
    async ttl(key) {
      const seconds = await redis.ttl(key);
      return seconds < 0 && seconds !== -1 ? undefined : Math.max(0, seconds);
    },
    async sadd(key, member, ttlSeconds) {
      await redis
        .multi()
        .sadd(key, member)
        .expire(key, ttlSeconds, 'GT')
        .expire(key, ttlSeconds, 'NX')
        .exec();
    },
    async srem(key, member) {
      await redis.srem(key, member);
    },
    async smembers(key) {
      return redis.smembers(key);
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      if (closed) return;
      closed = true;
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
