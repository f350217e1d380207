import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  captureStructuredLogger,
  createMetricsHarness,
  type MetricsHarness,
} from '../../test/support/metrics-harness.ts';
import { createBruteForceDetector, type Detection } from './brute-force.ts';
import { createSecurityLogger } from './security-logger.ts';
import { createSecurityMetrics } from './security-metrics.ts';

const t0 = Date.parse('2026-03-01T12:00:00Z');
const at = (seconds: number) => new Date(t0 + seconds * 1000);

describe('brute-force detector, in process', () => {
  let h: MetricsHarness;
  beforeAll(async () => {
    h = await createMetricsHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('fires at the account threshold, not before, once per crossing; logs and records the event', async () => {
    const seen: Detection[] = [];
    const log = captureStructuredLogger();
    const detector = createBruteForceDetector({
      redis: false,
      thresholds: { accountFailures: 3, ipFailures: 100, distinctAccountsPerIp: 100 },
      windows: { accountSeconds: 60 },
      onDetect: (d) => void seen.push(d),
      metrics: createSecurityMetrics({ meterProvider: h.provider }),
      logger: createSecurityLogger({ logger: log.logger }),
    });
    expect(detector.shared).toBe(false);
    expect(await detector.recordFailure({ account: 'alice', ip: '203.0.113.5', at: at(0) })).toEqual([]);
    expect(await detector.recordFailure({ account: 'alice', ip: '203.0.113.5', at: at(10) })).toEqual([]);
    expect(seen).toEqual([]);
    const third = await detector.recordFailure({ account: 'alice', ip: '203.0.113.5', at: at(20) });
    expect(third).toEqual([
      {
        kind: 'brute_force',
        scope: 'account',
        subject: 'alice',
        count: 3,
        threshold: 3,
        windowSeconds: 60,
        at: at(20),
      },
    ]);
    expect(seen).toEqual(third);
    // Above the threshold: no new alert for the same burst.
    expect(await detector.recordFailure({ account: 'alice', at: at(30) })).toEqual([]);
    // Another account is counted separately.
    expect(await detector.recordFailure({ account: 'bob', at: at(30) })).toEqual([]);

    expect(
      await h.value('security.events', { 'security.event.type': 'brute_force', 'security.severity': 'high' }),
    ).toBe(1);
    const line = log.lines.find((l) => l['security.event.type'] === 'brute_force');
    expect(line).toMatchObject({
      level: 'error',
      'user.id': 'alice',
      'security.detection.count': 3,
      'security.severity': 'high',
    });
    // The raw subject is never a metric label.
    expect(await h.scrape()).not.toContain('alice');
    await detector.close();
    await detector.close();
  });

  it('uses a sliding window: old failures fall out, a new crossing fires again', async () => {
    const detector = createBruteForceDetector({
      redis: false,
      thresholds: { accountFailures: 3 },
      windows: { accountSeconds: 60 },
      metrics: createSecurityMetrics({ meterProvider: h.provider }),
      logger: createSecurityLogger({ logger: captureStructuredLogger().logger }),
    });
    const fire = async (s: number) => (await detector.recordFailure({ account: 'carol', at: at(s) })).length;
    expect([await fire(0), await fire(30), await fire(50)]).toEqual([0, 0, 1]);
    // At 100 s only the failure at 50 s is still in the window: 2 after this one, then 3.
    expect([await fire(100), await fire(105)]).toEqual([0, 1]);
    // Sliding: 61 s after the first burst started nothing old counts.
    expect([await fire(200), await fire(261), await fire(262)]).toEqual([0, 0, 0]);
    expect(await fire(263)).toBe(1);
  });

  it('detects brute force from one IP and credential stuffing (distinct accounts per IP)', async () => {
    const seen: Detection[] = [];
    const detector = createBruteForceDetector({
      redis: false,
      thresholds: { accountFailures: 100, ipFailures: 6, distinctAccountsPerIp: 4 },
      onDetect: (d) => void seen.push(d),
      metrics: createSecurityMetrics({ meterProvider: h.provider }),
      logger: createSecurityLogger({ logger: captureStructuredLogger().logger }),
    });
    const ip = '198.51.100.9';
    // Same account three times: one distinct account, three IP failures.
    for (let i = 0; i < 3; i++) await detector.recordFailure({ account: 'dave', ip, at: at(i) });
    expect(seen).toEqual([]);
    await detector.recordFailure({ account: 'erin', ip, at: at(3) });
    await detector.recordFailure({ account: 'frank', ip, at: at(4) });
    expect(seen).toEqual([]);
    await detector.recordFailure({ account: 'grace', ip, at: at(5) }); // 4th distinct account, 6th failure
    expect(seen.map((d) => `${d.kind}/${d.scope}/${d.count}`).sort()).toEqual([
      'brute_force/ip/6',
      'credential_stuffing/ip/4',
    ]);
    expect(seen.every((d) => d.subject === ip)).toBe(true);
    expect(
      await h.value('security.events', {
        'security.event.type': 'credential_stuffing',
        'security.severity': 'critical',
      }),
    ).toBe(1);
  });

  it('an onDetect that throws does not break recording', async () => {
    const detector = createBruteForceDetector({
      redis: false,
      thresholds: { accountFailures: 1 },
      onDetect: () => {
        throw new Error('pager down');
      },
      metrics: createSecurityMetrics({ meterProvider: h.provider }),
      logger: createSecurityLogger({ logger: captureStructuredLogger().logger }),
    });
    expect(await detector.recordFailure({ account: 'heidi' })).toHaveLength(1);
  });

  it('keeps detecting in process when Redis is unreachable', async () => {
    const detector = createBruteForceDetector({
      redis: 'redis://127.0.0.1:1',
      thresholds: { accountFailures: 2 },
      metrics: createSecurityMetrics({ meterProvider: h.provider }),
      logger: createSecurityLogger({ logger: captureStructuredLogger().logger }),
    });
    expect(detector.shared).toBe(true);
    expect(await detector.recordFailure({ account: 'ivan' })).toEqual([]);
    // After the first failure it does not wait on Redis again at every login.
    const started = performance.now();
    expect(await detector.recordFailure({ account: 'ivan' })).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(100);
    await detector.close();
  });

  it('rejects bad configuration naming the field', () => {
    expect(() => createBruteForceDetector({ thresholds: { accountFailures: 0 } })).toThrow(
      /thresholds.accountFailures/,
    );
    expect(() => createBruteForceDetector({ windows: { ipSeconds: -5 } })).toThrow(/windows.ipSeconds/);
    expect(() => createBruteForceDetector({ redis: 'localhost:6379' })).toThrow(/redis must be a redis:\/\//);
  });
});
