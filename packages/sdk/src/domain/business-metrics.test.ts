import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireRedis, services } from '../../../../test/support/services.ts';
import {
  createMetricsHarness,
  type MetricsHarness,
  prometheusSample,
} from '../../test/support/metrics-harness.ts';
import { createBusinessMetrics, periodId } from './business-metrics.ts';
import { createHyperLogLog } from './hyperloglog.ts';
import { hashSubject } from './redis.ts';

describe('HyperLogLog', () => {
  it('estimates distinct counts within 2 % and ignores repeats', () => {
    for (const n of [10, 1000, 50_000]) {
      const hll = createHyperLogLog();
      for (let round = 0; round < 2; round++) for (let i = 0; i < n; i++) hll.add(`user-${i}`);
      expect(Math.abs(hll.count() - n) / n, `n=${n}`).toBeLessThan(0.02);
    }
  });
  it('rejects a bad precision', () => {
    expect(() => createHyperLogLog(3)).toThrow(/precision/);
  });
});

describe('periods', () => {
  it('names UTC days, ISO weeks and months', () => {
    expect(periodId('daily', new Date('2026-11-26T23:59:59Z'))).toBe('2026-11-26');
    expect(periodId('monthly', new Date('2026-11-26T00:00:00Z'))).toBe('2026-11');
    expect(periodId('weekly', new Date('2026-11-26T12:00:00Z'))).toBe('2026-W48');
    expect(periodId('weekly', new Date('2027-01-01T00:00:00Z'))).toBe('2026-W53');
    expect(periodId('weekly', new Date('2024-12-30T00:00:00Z'))).toBe('2025-W01');
  });
});

describe('active users', () => {
  let h: MetricsHarness;
  beforeAll(async () => {
    h = await createMetricsHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('in process: a new day resets the daily count but not the month', async () => {
    let clock = new Date('2026-11-26T10:00:00Z');
    const business = createBusinessMetrics({ meterProvider: h.provider, redis: false, now: () => clock });
    for (let i = 0; i < 500; i++) business.recordActiveUser(`u${i % 200}`);
    const day1 = await business.activeUsers();
    // HyperLogLog estimates (deterministic for these IDs): within 1 % of the truth.
    for (const period of ['daily', 'weekly', 'monthly'] as const)
      expect(Math.abs(day1[period] - 200)).toBeLessThanOrEqual(2);
    clock = new Date('2026-11-27T10:00:00Z');
    expect((await business.activeUsers()).daily).toBe(0);
    business.recordActiveUser('u-new');
    const day2 = await business.activeUsers();
    expect(day2.daily).toBe(1);
    expect(day2.monthly).toBeGreaterThan(day1.monthly);
    expect(Math.abs(day2.weekly - 201)).toBeLessThanOrEqual(2);
    await business.close();
  });

  it('in process: periods follow the clock across week and month boundaries (ids cached per day)', async () => {
    // Sunday 2026-11-29 → Monday 2026-11-30 (new ISO week) → Tuesday 2026-12-01 (new month).
    let clock = new Date('2026-11-29T23:59:59.999Z');
    const business = createBusinessMetrics({ redis: false, now: () => clock, enabled: false });
    business.recordActiveUser('a');
    business.recordActiveUser('b');
    expect(await business.activeUsers()).toEqual({ daily: 2, weekly: 2, monthly: 2 });
    clock = new Date('2026-11-30T00:00:00.000Z');
    business.recordActiveUser('c');
    expect(await business.activeUsers()).toEqual({ daily: 1, weekly: 1, monthly: 3 });
    business.recordActiveUser('c');
    clock = new Date('2026-11-30T23:00:00Z');
    business.recordActiveUser('a');
    expect(await business.activeUsers()).toEqual({ daily: 2, weekly: 2, monthly: 3 });
    clock = new Date('2026-12-01T00:00:01Z');
    business.recordActiveUser('d');
    expect(await business.activeUsers()).toEqual({ daily: 1, weekly: 3, monthly: 1 });
    await business.close();
  });

  describe('shared through Redis (PFADD/PFCOUNT)', () => {
    const prefix = `authlens-test:au:${randomUUID()}`;
    let redis: Redis;
    beforeAll(async () => {
      await requireRedis();
      redis = new Redis(services.redisUrl);
    });
    afterAll(async () => {
      if (!redis) return;
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    });

    it('two replicas count one set of users, with the gauge read from Redis', async () => {
      const now = () => new Date('2026-11-26T10:00:00Z');
      const replicaA = createBusinessMetrics({
        meterProvider: h.provider,
        redis: services.redisUrl,
        keyPrefix: prefix,
        now,
      });
      const replicaB = createBusinessMetrics({ redis, keyPrefix: prefix, now });
      for (let i = 0; i < 300; i++) replicaA.recordActiveUser(`user-${i}`);
      for (let i = 150; i < 450; i++) replicaB.recordActiveUser(`user-${i}`);
      await replicaA.close();
      await replicaB.close();
      const replicaC = createBusinessMetrics({ redis, keyPrefix: prefix, now });
      const counts = await replicaC.activeUsers();
      // Redis's HyperLogLog error is 0.81 %: 450 distinct users across both replicas.
      for (const period of ['daily', 'weekly', 'monthly'] as const) {
        expect(Math.abs(counts[period] - 450), period).toBeLessThanOrEqual(10);
      }
      const keys = await redis.keys(`${prefix}:*`);
      expect(keys.sort()).toEqual([
        `${prefix}:daily:2026-11-26`,
        `${prefix}:monthly:2026-11`,
        `${prefix}:weekly:2026-W48`,
      ]);
      expect(await redis.ttl(`${prefix}:daily:2026-11-26`)).toBeGreaterThan(86_400);
      // Redis holds hashes, never the raw IDs: a raw ID is not already counted, its hash is.
      expect(await redis.pfadd(`${prefix}:daily:2026-11-26`, hashSubject('user-7'))).toBe(0);
      expect(await redis.pfadd(`${prefix}:daily:2026-11-26`, 'user-7')).toBe(1);
      // The observable gauge of replica A (whose own connection is closed) reads Redis again.
      const replicaA2 = createBusinessMetrics({
        meterProvider: h.provider,
        redis,
        keyPrefix: `${prefix}-other`,
        now,
      });
      replicaA2.recordActiveUser('someone');
      await replicaA2.close();
      const text = await h.scrape();
      const daily = [
        ...text.matchAll(/^business_active_users\{[^}]*business_period="daily"[^}]*\} (\S+)/gm),
      ].map((m) => Number(m[1]));
      expect(daily.some((v) => Math.abs(v - 450) <= 10)).toBe(true);
      expect(prometheusSample(text, 'business_active_users', { business_period: 'weekly' })).toBeDefined();
    });
  });
});
