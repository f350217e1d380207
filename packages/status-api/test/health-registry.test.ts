/** The registry: per-check timeouts, concurrency, caching under a probe burst, score, status, gauge. */
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { healthScore } from '../src/health/registry.ts';
import { createHealthRegistry, defineHealthCheck, processCheck } from '../src/index.ts';
import { bearer, buildApp, readKey } from './support/monitoring-support.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class PullReader extends MetricReader {
  protected async onShutdown() {}
  protected async onForceFlush() {}
}

describe('health registry', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('times a hanging check out without blocking the others', async () => {
    let aborted = false;
    const registry = createHealthRegistry({
      timeoutMs: 300,
      checks: [
        defineHealthCheck('hangs', (signal) => {
          signal.addEventListener('abort', () => {
            aborted = true;
          });
          return new Promise(() => {});
        }),
        defineHealthCheck('quick', async () => {
          await sleep(30);
          return { status: 'pass' };
        }),
      ],
    });
    const started = performance.now();
    const report = await registry.run({ fresh: true });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(600);
    const hangs = report.checks.find((c) => c.name === 'hangs')!;
    const quick = report.checks.find((c) => c.name === 'quick')!;
    expect(hangs).toMatchObject({ status: 'fail', error: 'timed out after 300 ms' });
    expect(aborted).toBe(true);
    expect(quick.status).toBe('pass');
    expect(quick.durationMs).toBeLessThan(150);
    expect(report.status).toBe('fail');
    await registry.close();
  });

  it('holds a burst of 1,000 probes to one check run, then refreshes in the background', async () => {
    let runs = 0;
    // The first run answers at once; later runs wait on a gate the test opens, so "probes do
    // not wait for the refresh" is checked by order, not by a wall-clock budget.
    let gate: Promise<void> | undefined;
    let openGate = () => {};
    let refreshFinished = false;
    // The cache's clock (`Date`) is the test's: a burst that takes longer than the TTL on a busy
    // machine must not count as a second run. Timers stay real.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const app = await buildApp({
      healthCheckCacheTtlSeconds: 0.3,
      checks: [
        defineHealthCheck('db', async () => {
          runs += 1;
          if (gate) {
            await gate;
            refreshFinished = true;
          } else await sleep(50);
          return { status: 'pass' };
        }),
      ],
    });
    const probes = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        app.inject({ url: i % 2 === 0 ? '/monitoring/health/' : '/monitoring/health/ready/' }),
      ),
    );
    expect(probes.every((r) => r.statusCode === 200)).toBe(true);
    expect(runs).toBe(1);

    // Stale after the TTL: served at once from cache while exactly one refresh runs.
    vi.setSystemTime(Date.now() + 350);
    gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    const stale = await Promise.all(
      Array.from({ length: 100 }, () => app.inject({ url: '/monitoring/health/' })),
    );
    expect(stale.every((r) => r.statusCode === 200)).toBe(true);
    expect(refreshFinished).toBe(false); // every probe answered while the refresh was still held
    expect(runs).toBe(2);
    openGate();
    await sleep(50);
    expect(refreshFinished).toBe(true);
    expect(runs).toBe(2);
    await app.close();
  });

  it('a failing non-critical check degrades; a failing critical check fails readiness', async () => {
    let dbUp = true;
    const app = await buildApp({
      healthCheckCacheTtlSeconds: 0,
      checks: [
        defineHealthCheck('db', async () => ({ status: dbUp ? 'pass' : 'fail' })),
        defineHealthCheck('sms', async () => ({ status: 'fail', message: 'provider down' }), {
          critical: false,
        }),
      ],
    });
    const health = await app.inject({ url: '/monitoring/health/' });
    expect(health.statusCode).toBe(200);
    expect(health.json().status).toBe('degraded');
    expect((await app.inject({ url: '/monitoring/health/ready/' })).json()).toEqual({ status: 'pass' });
    dbUp = false;
    const down = await app.inject({ url: '/monitoring/health/' });
    expect(down.statusCode).toBe(503);
    expect(down.json().status).toBe('unhealthy');
    const ready = await app.inject({ url: '/monitoring/health/ready/' });
    expect(ready.statusCode).toBe(503);
    expect((await app.inject({ url: '/monitoring/health/live/' })).statusCode).toBe(200);
    const detailed = await app.inject({ url: '/monitoring/health/detailed/', headers: bearer(readKey) });
    expect(detailed.headers['content-type']).toMatch(/^application\/health\+json/);
    const body = detailed.json();
    expect(body.status).toBe('fail');
    // process (non-critical, pass) 1·1, db (critical, fail) 2·0, sms (non-critical, fail) 1·0 → 25
    expect(body.score).toBe(25);
    expect(body.checks['db:status'][0]).toMatchObject({ status: 'fail', affectsReadiness: true });
    expect(body.checks['sms:status'][0]).toMatchObject({
      status: 'fail',
      affectsReadiness: false,
      output: 'provider down',
    });
    expect(body.checks['process:heapUsed'][0]).toMatchObject({
      observedUnit: 'bytes',
      componentType: 'system',
    });
    await app.close();
  });

  it('computes the documented score', () => {
    expect(healthScore([])).toBe(100);
    expect(
      healthScore([
        { status: 'pass', critical: true },
        { status: 'warn', critical: true },
        { status: 'fail', critical: false },
      ]),
    ).toBe(60); // (2·1 + 2·0.5 + 1·0) / 5
  });

  it('process check: samples event-loop delay from its first run and warns on a blocked loop', async () => {
    const registry = createHealthRegistry({ checks: [processCheck({ maxEventLoopDelayMs: 100 })] });
    const first = (await registry.run({ fresh: true })).checks[0]!;
    expect(first.status).toBe('pass');
    expect(first.observations?.map((o) => o.measurement)).toEqual(['heapUsed', 'heapUsedRatio']);
    await sleep(100);
    const until = performance.now() + 250;
    while (performance.now() < until) {
      // block the event loop
    }
    await sleep(100);
    const second = (await registry.run({ fresh: true })).checks[0]!;
    const delay = second.observations?.find((o) => o.measurement === 'eventLoopDelayP99');
    expect(delay?.observedValue).toBeGreaterThan(200);
    expect(second.status).toBe('warn');
    await registry.close();
  });

  it('rejects bad and duplicate names', () => {
    const registry = createHealthRegistry();
    expect(() => registry.register(defineHealthCheck('Bad Name', async () => ({ status: 'pass' })))).toThrow(
      /check\.name/,
    );
    registry.register(defineHealthCheck('a', async () => ({ status: 'pass' })));
    expect(() => registry.register(defineHealthCheck('a', async () => ({ status: 'pass' })))).toThrow(
      /already/,
    );
  });

  describe('authlens.health.check.status gauge', () => {
    const reader = new PullReader();
    const provider = new MeterProvider({ readers: [reader] });
    metrics.setGlobalMeterProvider(provider);
    afterAll(async () => {
      await provider.shutdown();
      metrics.disable();
    });

    it('reports 1 / 0.5 / 0 per check through @opentelemetry/api', async () => {
      const registry = createHealthRegistry({
        checks: [
          defineHealthCheck('up', async () => ({ status: 'pass' })),
          defineHealthCheck('slow', async () => ({ status: 'warn' })),
          defineHealthCheck('down', async () => ({ status: 'fail' })),
          processCheck(),
        ],
      });
      const report = await registry.run();
      const { resourceMetrics } = await reader.collect();
      const metric = resourceMetrics.scopeMetrics
        .flatMap((s) => s.metrics)
        .find((m) => m.descriptor.name === 'authlens.health.check.status');
      const values = Object.fromEntries(
        (metric?.dataPoints ?? []).map((p) => [String(p.attributes['health.check']), p.value]),
      );
      expect(values).toMatchObject({ up: 1, slow: 0.5, down: 0 });
      // The process check's status depends on the machine's load; its gauge follows the status.
      const processStatus = report.checks.find((c) => c.name === 'process')?.status;
      const weights: Record<string, number> = { pass: 1, warn: 0.5, fail: 0 };
      expect(Object.keys(weights)).toContain(processStatus);
      expect(values.process).toBe(weights[processStatus!]);
      await registry.close();
    });
  });
});
