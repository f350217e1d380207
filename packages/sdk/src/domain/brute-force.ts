/**
 * Brute-force and credential-stuffing detection with sliding windows.
 *
 * - brute_force / account: failed logins against one account within `windows.accountSeconds`.
 * - brute_force / ip: failed logins from one client IP within `windows.ipSeconds`.
 * - credential_stuffing / ip: distinct accounts failing from one client IP within
 *   `windows.stuffingSeconds`.
 *
 * A detection fires when a count reaches its threshold (not before, and once per crossing: it
 * fires again only after the window has slid below the threshold). State is in-process by
 * default; with a Redis client or URL (or `REDIS_URL`) it lives in sorted sets updated by one
 * atomic script, so replicas share counts and exactly one replica sees each crossing.
 * Each detection records `security.events`, writes a security log line and calls `onDetect`.
 */
import { randomUUID } from 'node:crypto';
import { invalidOption } from '../errors.ts';
import { getLogger } from '../logs/logger.ts';
import {
  checkRedisOption,
  connectRedis,
  hashSubject,
  lazyRedisSource,
  type RedisLike,
  type RedisOption,
} from './redis.ts';
import { type SecurityLogger, securityLogger } from './security-logger.ts';
import { type SecurityMetrics, securityMetrics } from './security-metrics.ts';

export interface Detection {
  kind: 'brute_force' | 'credential_stuffing';
  scope: 'account' | 'ip';
  /** The raw account ID or IP address: for the alert and the log, never a metric label. */
  subject: string;
  count: number;
  threshold: number;
  windowSeconds: number;
  at: Date;
}

export interface BruteForceThresholds {
  /** Failures against one account (default 5). */
  accountFailures: number;
  /** Failures from one IP (default 20). */
  ipFailures: number;
  /** Distinct accounts failing from one IP (default 10). */
  distinctAccountsPerIp: number;
}

export interface BruteForceWindows {
  accountSeconds: number;
  ipSeconds: number;
  stuffingSeconds: number;
}

export interface BruteForceDetectorOptions {
  /** An ioredis-compatible client, a `redis://` URL, or `false` (in-process even if `REDIS_URL` is set). */
  redis?: RedisOption;
  /** Prefix of the Redis keys (default `authlens:bf`). */
  keyPrefix?: string;
  thresholds?: Partial<BruteForceThresholds>;
  windows?: Partial<BruteForceWindows>;
  /** Called for every detection; errors it throws or rejects with are logged, not propagated. */
  onDetect?: (detection: Detection) => void | Promise<void>;
  /** Where `security.events` goes (default: the `securityMetrics` instance). */
  metrics?: SecurityMetrics;
  /** Where the security log line goes (default: `securityLogger`). */
  logger?: SecurityLogger;
  /** Most subjects tracked in process before the oldest are forgotten (default 100 000). */
  maxTrackedSubjects?: number;
}

export interface FailedAttempt {
  account?: string;
  ip?: string;
  /** When it happened (default: now). */
  at?: Date;
}

export interface BruteForceDetector {
  /** Counts a failed authentication; resolves with the detections it triggered (usually none). */
  recordFailure(attempt: FailedAttempt): Promise<Detection[]>;
  /** Whether counts are shared through Redis. */
  readonly shared: boolean;
  /** Closes the Redis connection the detector opened itself; safe to call twice. */
  close(): Promise<void>;
}

/** The detector's thresholds and windows when `createBruteForceDetector()` is given none. */
export const BruteForceDefaults: {
  readonly thresholds: Readonly<BruteForceThresholds>;
  readonly windows: Readonly<BruteForceWindows>;
} = Object.freeze({
  thresholds: Object.freeze({ accountFailures: 5, ipFailures: 20, distinctAccountsPerIp: 10 }),
  windows: Object.freeze({ accountSeconds: 300, ipSeconds: 300, stuffingSeconds: 600 }),
});

/** How long the detector counts in process after a Redis failure before trying Redis again. */
const REDIS_RETRY_AFTER_MS = 30_000;

function positiveInteger(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw invalidOption(field, `${field} must be a positive integer, got ${value}`);
  return value;
}
function positiveNumber(field: string, value: number): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw invalidOption(field, `${field} must be a positive number of seconds, got ${value}`);
  }
  return value;
}

/** What a store answers for one window update: the count after it and whether it grew. */
interface WindowResult {
  count: number;
  added: boolean;
}

interface WindowStore {
  /** Adds `member` at `nowMs` to the window `key`, trims entries older than `windowMs`, returns the count. */
  add(key: string, member: string, nowMs: number, windowMs: number): Promise<WindowResult>;
}

function createMemoryStore(maxSubjects: number): WindowStore {
  // key → member → time seen. Maps keep insertion order: re-inserting on every touch keeps the
  // least recently used key first (evicted when full) and each window sorted by time, so trimming
  // stops at the first fresh entry.
  const windows = new Map<string, Map<string, number>>();
  return {
    async add(key, member, nowMs, windowMs) {
      let window = windows.get(key);
      if (window) windows.delete(key);
      else {
        if (windows.size >= maxSubjects) windows.delete(windows.keys().next().value as string);
        window = new Map();
      }
      windows.set(key, window);
      const cutoff = nowMs - windowMs;
      for (const [m, t] of window) {
        if (t > cutoff) break;
        window.delete(m);
      }
      const added = !window.delete(member);
      window.set(member, nowMs);
      return { count: window.size, added };
    },
  };
}

// One atomic step per window: trim, add, expire, count. ZADD answers 1 only for a new member.
const WINDOW_SCRIPT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
local added = redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return { redis.call('ZCARD', KEYS[1]), added }
`;

function createRedisStore(client: RedisLike): WindowStore {
  return {
    async add(key, member, nowMs, windowMs) {
      const reply = (await client.eval(WINDOW_SCRIPT, 1, key, nowMs, windowMs, member)) as [number, number];
      return { count: Number(reply[0]), added: Number(reply[1]) === 1 };
    },
  };
}

export function createBruteForceDetector(options: BruteForceDetectorOptions = {}): BruteForceDetector {
  const thresholds = { ...BruteForceDefaults.thresholds, ...options.thresholds };
  const windows = { ...BruteForceDefaults.windows, ...options.windows };
  positiveInteger('thresholds.accountFailures', thresholds.accountFailures);
  positiveInteger('thresholds.ipFailures', thresholds.ipFailures);
  positiveInteger('thresholds.distinctAccountsPerIp', thresholds.distinctAccountsPerIp);
  positiveNumber('windows.accountSeconds', windows.accountSeconds);
  positiveNumber('windows.ipSeconds', windows.ipSeconds);
  positiveNumber('windows.stuffingSeconds', windows.stuffingSeconds);
  const maxSubjects = positiveInteger('maxTrackedSubjects', options.maxTrackedSubjects ?? 100_000);
  const prefix = options.keyPrefix ?? 'authlens:bf';
  checkRedisOption('redis', options.redis);
  const metrics = options.metrics ?? securityMetrics;
  const logger = options.logger ?? securityLogger;
  const memory = createMemoryStore(maxSubjects);

  let diagnostics: ReturnType<typeof getLogger> | undefined;
  const diag = () => {
    diagnostics ??= getLogger('authlens.brute-force');
    return diagnostics;
  };

  const redisSource = lazyRedisSource(options.redis, (message) => diag().warn(message));
  let redis: Promise<{ client: RedisLike; owned: boolean }> | undefined;
  let redisStore: WindowStore | undefined;
  let redisWarned = false;
  // After a Redis failure, count in process for a while instead of waiting on Redis at every login.
  let redisDownUntil = 0;
  let closed = false;
  const store = async (): Promise<WindowStore> => {
    const source = redisSource();
    if (source === undefined || Date.now() < redisDownUntil) return memory;
    redis ??= connectRedis(source);
    try {
      redisStore ??= createRedisStore((await redis).client);
      return redisStore;
    } catch (err) {
      if (!redisWarned) {
        redisWarned = true;
        diag().warn('Brute-force detector cannot use Redis; counting in process', { error: String(err) });
      }
      return memory;
    }
  };

  const update = async (
    key: string,
    member: string,
    nowMs: number,
    windowMs: number,
  ): Promise<WindowResult> => {
    const s = await store();
    try {
      return await s.add(key, member, nowMs, windowMs);
    } catch (err) {
      // Telemetry never fails the login path: fall back to this process's counts.
      redisDownUntil = Date.now() + REDIS_RETRY_AFTER_MS;
      if (!redisWarned) {
        redisWarned = true;
        diag().warn('Brute-force detector Redis update failed; counting in process', { error: String(err) });
      }
      return memory.add(key, member, nowMs, windowMs);
    }
  };

  const emit = async (detection: Detection) => {
    const severity = detection.kind === 'credential_stuffing' ? 'critical' : 'high';
    metrics.recordSecurityEvent({ type: detection.kind, severity });
    logger.logSecurityEvent({
      type: detection.kind,
      severity,
      message: `Possible ${detection.kind.replace('_', ' ')}: ${detection.count} in ${detection.windowSeconds}s from one ${detection.scope}`,
      userId: detection.scope === 'account' ? detection.subject : undefined,
      ipAddress: detection.scope === 'ip' ? detection.subject : undefined,
      details: {
        'security.detection.scope': detection.scope,
        'security.detection.count': detection.count,
        'security.detection.threshold': detection.threshold,
        'security.detection.window_seconds': detection.windowSeconds,
      },
    });
    if (options.onDetect) {
      try {
        await options.onDetect(detection);
      } catch (err) {
        diag().error('onDetect callback failed', { error: err instanceof Error ? err.message : String(err) });
      }
    }
  };

  return {
    get shared() {
      return redisSource() !== undefined;
    },
    async recordFailure({ account, ip, at }) {
      const atDate = at ?? new Date();
      const now = atDate.getTime();
      const unique = randomUUID();
      const checks: Promise<Detection | undefined>[] = [];
      const check = (
        kind: Detection['kind'],
        scope: Detection['scope'],
        subject: string,
        key: string,
        member: string,
        threshold: number,
        windowSeconds: number,
      ) =>
        checks.push(
          update(key, member, now, windowSeconds * 1000).then(({ count, added }) =>
            added && count === threshold
              ? { kind, scope, subject, count, threshold, windowSeconds, at: atDate }
              : undefined,
          ),
        );
      if (account) {
        check(
          'brute_force',
          'account',
          account,
          `${prefix}:acct:${hashSubject(account)}`,
          unique,
          thresholds.accountFailures,
          windows.accountSeconds,
        );
      }
      if (ip) {
        const ipKey = hashSubject(ip);
        check(
          'brute_force',
          'ip',
          ip,
          `${prefix}:ip:${ipKey}`,
          unique,
          thresholds.ipFailures,
          windows.ipSeconds,
        );
        if (account) {
          check(
            'credential_stuffing',
            'ip',
            ip,
            `${prefix}:stuff:${ipKey}`,
            hashSubject(account),
            thresholds.distinctAccountsPerIp,
            windows.stuffingSeconds,
          );
        }
      }
      const detections = (await Promise.all(checks)).filter((d): d is Detection => d !== undefined);
      for (const detection of detections) await emit(detection);
      return detections;
    },
    async close() {
      if (closed) return;
      closed = true;
      if (!redis) return;
      try {
        const { client, owned } = await redis;
        if (owned) await client.quit();
      } catch {
        // Nothing to close: the connection never came up.
      }
    },
  };
}
