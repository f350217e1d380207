/**
 * Business recorders: registrations, feature usage, funnel steps and daily/weekly/monthly active
 * users. Active users are counted with a HyperLogLog — in process, or in Redis (`PFADD`/`PFCOUNT`)
 * when a client or URL is given (or `REDIS_URL` is set) so that replicas count one set of users.
 * No user ID ever becomes a metric label.
 */
import type { Meter, ObservableResult } from '@opentelemetry/api';
import { invalidOption } from '../errors.ts';
import { getLogger } from '../logs/logger.ts';
import type { BusinessAttributeValues } from './attribute-values.ts';
import type { Known } from './auth-metrics.ts';
import { checkDeclaredValues, createValueGuard } from './cardinality.ts';
import { OTHER } from './catalogue.ts';
import { createHyperLogLog, type HyperLogLog } from './hyperloglog.ts';
import { instrument, lazyInstruments } from './meter.ts';
import { clockMs, type RecorderOptions } from './recorder-support.ts';
import {
  checkRedisOption,
  connectRedis,
  hashSubject,
  lazyRedisSource,
  type RedisLike,
  type RedisOption,
} from './redis.ts';

export interface UserRegistration {
  source: Known<typeof BusinessAttributeValues.registrationSources>;
  method: Known<typeof BusinessAttributeValues.registrationMethods>;
  /** ISO 3166-1 alpha-2 code, e.g. `US`. */
  country: string;
  deviceType: Known<typeof BusinessAttributeValues.deviceTypes>;
}

export interface ActiveUserCounts {
  daily: number;
  weekly: number;
  monthly: number;
}

export interface BusinessMetrics {
  recordUserRegistration(registration: UserRegistration): void;
  recordFeatureUsage(usage: {
    feature: string;
    action: string;
    userType: Known<typeof BusinessAttributeValues.userTypes>;
  }): void;
  recordFunnelStep(step: { funnel: string; step: string }): void;
  /** Marks a user active now (the ID only feeds the HyperLogLogs; Redis gets its SHA-256). */
  recordActiveUser(userId: string): void;
  /** Distinct active users in the current UTC day, ISO week and month. */
  activeUsers(): Promise<ActiveUserCounts>;
  /** Waits for pending Redis writes and closes a connection the recorder opened. */
  close(): Promise<void>;
}

export interface BusinessMetricsOptions extends RecorderOptions {
  /**
   * The application's features (`business.feature`), e.g. `['mfa_setup', 'passkey_login']`:
   * any other value becomes `other` (one warning). Undeclared, values are screened for personal
   * data and capped at `maxFreeValues`.
   */
  features?: readonly string[];
  /** Feature-usage actions (`business.action`), e.g. `['started', 'completed']`; same rule. */
  actions?: readonly string[];
  /**
   * Funnels and their steps, e.g. `{ signup: ['start', 'verify', 'done'] }`: another funnel, or a
   * step not declared for its funnel, becomes `other` (one warning per funnel).
   */
  funnels?: Readonly<Record<string, readonly string[]>>;
  /** Shared active-user counting: an ioredis-compatible client, a URL, or `false` for in-process. */
  redis?: RedisOption;
  /** Prefix of the Redis keys (default `authlens:au`). */
  keyPrefix?: string;
  /** Clock (tests). */
  now?: () => Date;
}

type Period = 'daily' | 'weekly' | 'monthly';
const PERIODS: readonly Period[] = ['daily', 'weekly', 'monthly'];
const DAY_MS = 86_400_000;
// Redis keys outlive their period a little so late scrapes still read them.
const TTL_SECONDS: Record<Period, number> = { daily: 2 * 86_400, weekly: 8 * 86_400, monthly: 32 * 86_400 };

/** The UTC period a moment belongs to: `2026-11-26`, `2026-W48`, `2026-11`. */
export function periodId(period: Period, at: Date): string {
  const iso = at.toISOString();
  if (period === 'daily') return iso.slice(0, 10);
  if (period === 'monthly') return iso.slice(0, 7);
  // ISO week: the week (Monday first) containing the Thursday of this week.
  const day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const weekday = (at.getUTCDay() + 6) % 7;
  const thursday = new Date(day - weekday * DAY_MS + 3 * DAY_MS);
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = Math.floor((thursday.getTime() - yearStart) / DAY_MS / 7) + 1;
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/**
 * The guard of `business.funnel.steps`: with declared funnels, the funnel name is checked against
 * them and the step against its own funnel's steps; else both are guarded as free values.
 */
function funnelStepGuard(
  options: BusinessMetricsOptions,
): (funnel: string, step: string) => { 'business.funnel': string; 'business.funnel.step': string } {
  const instrumentName = 'business.funnel.steps';
  const funnels = options.funnels;
  if (funnels === undefined) {
    const funnel = createValueGuard(instrumentName, 'business.funnel', options);
    const step = createValueGuard(instrumentName, 'business.funnel.step', options);
    return (f, s) => ({ 'business.funnel': funnel(f), 'business.funnel.step': step(s) });
  }
  if (typeof funnels !== 'object' || funnels === null)
    throw invalidOption('funnels', 'funnels must be an object of funnel name → steps');
  const names = checkDeclaredValues('funnels', Object.keys(funnels));
  const funnel = createValueGuard(instrumentName, 'business.funnel', options, names);
  const steps = new Map(
    names.map((name) => [
      name,
      createValueGuard(
        instrumentName,
        'business.funnel.step',
        options,
        checkDeclaredValues(`funnels.${name}`, funnels[name]),
      ),
    ]),
  );
  return (f, s) => {
    const name = funnel(f);
    const step = steps.get(name);
    return { 'business.funnel': name, 'business.funnel.step': step === undefined ? OTHER : step(s) };
  };
}

const PFADD_SCRIPT = `
for i = 1, 3 do
  redis.call('PFADD', KEYS[i], ARGV[1])
  redis.call('EXPIRE', KEYS[i], ARGV[i + 1])
end
return 1
`;
const PFCOUNT_SCRIPT = `
return { redis.call('PFCOUNT', KEYS[1]), redis.call('PFCOUNT', KEYS[2]), redis.call('PFCOUNT', KEYS[3]) }
`;

/**
 * Builds a business recorder. Its active-user gauge observes this instance's HyperLogLogs (or the
 * shared Redis ones): create one per MeterProvider, or use the default `businessMetrics`.
 */
export function createBusinessMetrics(options: BusinessMetricsOptions = {}): BusinessMetrics {
  const prefix = options.keyPrefix ?? 'authlens:au';
  checkRedisOption('redis', options.redis);
  const g = (name: string, key: string) => createValueGuard(name, key, options);
  const reg = {
    source: g('business.registrations', 'business.source'),
    method: g('business.registrations', 'business.method'),
    country: g('business.registrations', 'business.country'),
    device: g('business.registrations', 'business.device_type'),
  };
  const declared = (field: string, values: readonly string[] | undefined) =>
    values === undefined ? undefined : checkDeclaredValues(field, values);
  const usage = {
    feature: createValueGuard(
      'business.feature_usage',
      'business.feature',
      options,
      declared('features', options.features),
    ),
    action: createValueGuard(
      'business.feature_usage',
      'business.action',
      options,
      declared('actions', options.actions),
    ),
    userType: g('business.feature_usage', 'business.user_type'),
  };
  const funnelStep = funnelStepGuard(options);

  const nowMs = clockMs(options.now);
  // Period ids and Redis keys only change at a UTC day boundary (weeks and months start on one):
  // they are computed once per day, not per call.
  let cachedDay = Number.NaN;
  let cachedIds: Record<Period, string> = { daily: '', weekly: '', monthly: '' };
  let cachedKeys: string[] = [];
  const periodsAt = (ms: number): Record<Period, string> => {
    const day = Math.floor(ms / DAY_MS);
    if (day !== cachedDay) {
      const at = new Date(day * DAY_MS);
      cachedIds = {
        daily: periodId('daily', at),
        weekly: periodId('weekly', at),
        monthly: periodId('monthly', at),
      };
      cachedKeys = PERIODS.map((p) => `${prefix}:${p}:${cachedIds[p]}`);
      cachedDay = day;
    }
    return cachedIds;
  };

  // In-process HyperLogLogs, one per period, reset when the period changes. They hash the raw
  // ID themselves (a fast non-cryptographic hash); only Redis gets the SHA-256 of it.
  const initial = periodsAt(nowMs());
  const slot = (p: Period) => ({ id: initial[p], hll: createHyperLogLog() });
  const local: Record<Period, { id: string; hll: HyperLogLog }> = {
    daily: slot('daily'),
    weekly: slot('weekly'),
    monthly: slot('monthly'),
  };
  // The ids object the slots were last checked against: when it is still the cached one, the
  // day has not changed and no slot needs a reset.
  let slotsCheckedFor = initial;
  const localCounts = (ms: number): ActiveUserCounts => {
    const ids = periodsAt(ms);
    const out: ActiveUserCounts = { daily: 0, weekly: 0, monthly: 0 };
    for (const p of PERIODS) out[p] = local[p].id === ids[p] ? local[p].hll.count() : 0;
    return out;
  };

  let redis: Promise<{ client: RedisLike; owned: boolean }> | undefined;
  const redisSource = lazyRedisSource(options.redis, (message) =>
    getLogger('authlens.business').warn(message),
  );
  const pending = new Set<Promise<unknown>>();
  let redisWarned = false;
  // After a Redis failure, use the in-process counts for a while instead of waiting on Redis.
  let redisDownUntil = 0;
  const redisUsable = () => Date.now() >= redisDownUntil;
  const warnRedis = (err: unknown) => {
    redisDownUntil = Date.now() + 30_000;
    if (redisWarned) return;
    redisWarned = true;
    getLogger('authlens.business').warn('Active-user counting cannot use Redis; counting in process', {
      error: String(err),
    });
  };
  const keys = (ms: number) => {
    periodsAt(ms);
    return cachedKeys;
  };

  const activeUsers = async (): Promise<ActiveUserCounts> => {
    const at = nowMs();
    const source = redisSource();
    if (source === undefined || !redisUsable()) return localCounts(at);
    try {
      redis ??= connectRedis(source);
      const { client } = await redis;
      const [daily, weekly, monthly] = (await client.eval(PFCOUNT_SCRIPT, 3, ...keys(at))) as number[];
      return { daily: Number(daily), weekly: Number(weekly), monthly: Number(monthly) };
    } catch (err) {
      warnRedis(err);
      return localCounts(at);
    }
  };

  const observeActiveUsers = async (result: ObservableResult) => {
    const counts = await activeUsers();
    for (const p of PERIODS) result.observe(counts[p], { 'business.period': p });
  };

  const build = (meter: Meter) => {
    const activeUsersGauge = instrument.observableGauge(meter, 'business.active_users');
    activeUsersGauge.addCallback(observeActiveUsers);
    return {
      registrations: instrument.counter(meter, 'business.registrations'),
      featureUsage: instrument.counter(meter, 'business.feature_usage'),
      funnelSteps: instrument.counter(meter, 'business.funnel.steps'),
    };
  };
  const get = lazyInstruments(options, build, 'BUSINESS_METRICS_ENABLED');
  if (options.meter || options.meterProvider) get();

  return {
    recordUserRegistration({ source: src, method, country, deviceType }) {
      get().registrations.add(1, {
        'business.source': reg.source(src),
        'business.method': reg.method(method),
        'business.country': reg.country(country),
        'business.device_type': reg.device(deviceType),
      });
    },
    recordFeatureUsage({ feature, action, userType }) {
      get().featureUsage.add(1, {
        'business.feature': usage.feature(feature),
        'business.action': usage.action(action),
        'business.user_type': usage.userType(userType),
      });
    },
    recordFunnelStep({ funnel, step }) {
      get().funnelSteps.add(1, funnelStep(funnel, step));
    },
    recordActiveUser(userId) {
      if (typeof userId !== 'string' || userId === '') return;
      get();
      const at = nowMs();
      const ids = periodsAt(at);
      if (ids !== slotsCheckedFor) {
        for (const p of PERIODS) {
          if (local[p].id !== ids[p]) {
            local[p].id = ids[p];
            local[p].hll.clear();
          }
        }
        slotsCheckedFor = ids;
      }
      local.daily.hll.add(userId);
      local.weekly.hll.add(userId);
      local.monthly.hll.add(userId);
      const source = redisSource();
      if (source === undefined || !redisUsable()) return;
      redis ??= connectRedis(source);
      const hashed = hashSubject(userId);
      const redisKeys = keys(at);
      const write = redis
        .then(({ client }) =>
          client.eval(
            PFADD_SCRIPT,
            3,
            ...redisKeys,
            hashed,
            TTL_SECONDS.daily,
            TTL_SECONDS.weekly,
            TTL_SECONDS.monthly,
          ),
        )
        .catch(warnRedis)
        .finally(() => pending.delete(write));
      pending.add(write);
    },
    activeUsers,
    async close() {
      await Promise.all(pending);
      if (!redis) return;
      const r = redis;
      redis = undefined;
      try {
        const { client, owned } = await r;
        if (owned) await client.quit();
      } catch {
        // The connection never came up.
      }
    },
  };
}

/** Default recorder bound lazily to the global MeterProvider (active users in process unless `REDIS_URL`). */
export const businessMetrics: BusinessMetrics = createBusinessMetrics();
