import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { requireRedis, services } from '../../../../test/support/services.ts';
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

// ---- shared through the real Redis, across two real processes -----------------------------------

const detectorModule = new URL('./brute-force.ts', import.meta.url).href;
const CHILD = `
import { createInterface } from 'node:readline';
const { createBruteForceDetector } = await import(${JSON.stringify(detectorModule)});
const detector = createBruteForceDetector({
  redis: process.env.TEST_REDIS_URL,
  keyPrefix: process.env.TEST_PREFIX,
  thresholds: { accountFailures: 5, ipFailures: 1000, distinctAccountsPerIp: 1000 },
  windows: { accountSeconds: 60 },
});
console.log('READY ' + JSON.stringify({ shared: detector.shared }));
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'close') { await detector.close(); break; }
  const detections = await detector.recordFailure(JSON.parse(line));
  console.log('RESULT ' + JSON.stringify(detections));
}
`;

interface Child {
  proc: ChildProcessWithoutNullStreams;
  send(line: string): Promise<string>;
  output: string[];
}

function startChild(env: Record<string, string>): Promise<Child> {
  const proc = spawn(process.execPath, ['--conditions=authlens-source', '--input-type=module', '-e', CHILD], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    env: { ...process.env, ...env },
  });
  const output: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  createInterface({ input: proc.stdout }).on('line', (line) => {
    output.push(line);
    if (line.startsWith('RESULT ') || line.startsWith('READY ')) waiting.shift()?.(line);
  });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      waiting.push(resolve);
      proc.once('exit', (code) => reject(new Error(`child exited ${code}: ${stderr}`)));
    });
  return next().then(() => ({
    proc,
    output,
    send: (line: string) => {
      const reply = next();
      proc.stdin.write(`${line}\n`);
      return reply;
    },
  }));
}

describe('brute-force detector shared through Redis by two processes', () => {
  const prefix = `authlens-test:bf:${randomUUID()}`;
  const children: Child[] = [];
  let redis: Redis;

  beforeAll(async () => {
    await requireRedis();
    redis = new Redis(services.redisUrl);
    const env = { TEST_REDIS_URL: services.redisUrl, TEST_PREFIX: prefix };
    children.push(await startChild(env), await startChild(env));
  });

  afterAll(async () => {
    for (const child of children) {
      child.proc.stdin.end('close\n');
      await new Promise((resolve) => {
        if (child.proc.exitCode !== null) resolve(undefined);
        else child.proc.once('exit', resolve);
        setTimeout(() => child.proc.kill(), 5000).unref();
      });
    }
    if (redis) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
  });

  it('counts failures from both processes together and fires exactly once, at the threshold', async () => {
    const [a, b] = children as [Child, Child];
    for (const child of children) expect(child.output[0]).toBe('READY {"shared":true}');
    const results: Detection[][] = [];
    // Failures 1..4 alternate between the processes: no detection anywhere.
    for (let i = 0; i < 4; i++) {
      const child = i % 2 === 0 ? a : b;
      results.push(JSON.parse((await child.send(JSON.stringify({ account: 'mallory' }))).slice(7)));
    }
    expect(results.flat()).toEqual([]);
    // Failure 5, in process b: only 2 of its own, but 5 in Redis → b detects.
    const fifth: Detection[] = JSON.parse((await b.send(JSON.stringify({ account: 'mallory' }))).slice(7));
    expect(fifth).toHaveLength(1);
    expect(fifth[0]).toMatchObject({
      kind: 'brute_force',
      scope: 'account',
      subject: 'mallory',
      count: 5,
      threshold: 5,
    });
    // Failure 6, in process a: above the threshold, no second alert.
    const sixth: Detection[] = JSON.parse((await a.send(JSON.stringify({ account: 'mallory' }))).slice(7));
    expect(sixth).toEqual([]);
    // The security log line was written by the process that detected it (getLogger() lines are
    // written at the end of the event-loop turn, so it can arrive after that turn's RESULT line).
    await vi.waitFor(
      () =>
        expect(
          b.output.some((l) => l.includes('"security.event.type":"brute_force"') && l.includes('mallory')),
        ).toBe(true),
      { timeout: 5000 },
    );
    expect(a.output.some((l) => l.includes('"security.event.type":"brute_force"'))).toBe(false);
    // Redis keys carry a hash of the account, not the account itself.
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.some((k) => k.includes('mallory'))).toBe(false);
  });
});
