/**
 * In-process KPI windows: a real OTel MeterProvider, the SDK backend with a history sampled on a
 * test clock, and reports over `period` that leave out what happened before it.
 */
import { describe, expect, it } from 'vitest';
import { increase, MetricsHistory } from '../src/metrics/history.ts';
import { businessReport, performanceReport } from '../src/metrics/reports.ts';
import { createMetricsHistory, createSdkBackend } from '../src/metrics/source.ts';
import { createMetrics } from './support/monitoring-support.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function setup() {
  const m = createMetrics();
  let now = Date.UTC(2026, 10, 30, 0, 0, 0);
  const history = createMetricsHistory(() => m.source, { now: () => now });
  const backend = createSdkBackend(() => m.source, { history });
  const logins = m.meter.createCounter('auth.login.attempts');
  const duration = m.meter.createHistogram('http.server.request.duration', {
    unit: 's',
    advice: { explicitBucketBoundaries: [0.01, 0.1, 1] },
  });
  const login = (outcome: 'success' | 'failure', n: number) =>
    logins.add(n, { 'auth.method': 'password', 'auth.outcome': outcome });
  const request = (seconds: number, status: number) =>
    duration.record(seconds, {
      'http.request.method': 'POST',
      'http.route': '/login',
      'http.response.status_code': status,
    });
  /** Moves the clock in one-minute steps, sampling at each as the timer would. */
  const advance = async (ms: number) => {
    for (let t = 0; t < ms; t += MINUTE) {
      now += MINUTE;
      await history.sample();
    }
  };
  return { history, backend, login, request, advance };
}

describe('in-process KPI windows', () => {
  it('answers since process start until the history reaches back a whole period', async () => {
    const { history, backend, login, advance } = setup();
    await history.sample();
    login('success', 3);
    await advance(30 * MINUTE);
    const report = await businessReport(backend, '1h');
    expect(report.window).toBe('since process start');
    expect(report.logins.total).toBe(3);
  });

  it('leaves out what happened before the period, for counters and histograms', async () => {
    const { history, backend, login, request, advance } = setup();
    await history.sample();
    login('failure', 50); // two hours ago: outside a 1h window, inside 6h
    for (let i = 0; i < 20; i++) request(0.5, 500);
    await advance(2 * HOUR);
    login('success', 9);
    login('failure', 1);
    for (let i = 0; i < 10; i++) request(0.005, 200);
    await advance(5 * MINUTE);

    const hour = await businessReport(backend, '1h');
    expect(hour.window).toBe('last 1h');
    expect(hour.logins.total).toBe(10);
    expect(hour.logins.successRate).toBe(0.9);
    const perf = await performanceReport(backend, '1h', 0.99);
    expect(perf.window).toBe('last 1h');
    expect(perf.requests).toBe(10);
    expect(perf.errorRate).toBe(0);

    const sixHours = await businessReport(backend, '6h');
    expect(sixHours.window).toBe('since process start'); // the history is 2h05m long
    expect(sixHours.logins.total).toBe(60);
  });

  it('treats a counter that went down (a reset) as starting from zero', () => {
    expect(increase(5, 8)).toBe(5);
    expect(increase(8, 5)).toBe(3);
    expect(
      increase({ count: 2, boundaries: [1], counts: [1, 1] }, { count: 3, boundaries: [1], counts: [3, 0] }),
    ).toEqual({ count: 2, boundaries: [1], counts: [1, 1] });
    expect(
      increase({ count: 5, boundaries: [1], counts: [3, 2] }, { count: 3, boundaries: [1], counts: [2, 1] }),
    ).toEqual({ count: 2, boundaries: [1], counts: [1, 1] });
  });

  it('keeps its memory bounded over a month of one-minute samples', async () => {
    let now = 0;
    const history = new MetricsHistory(async () => ({ scopeMetrics: [] }), { now: () => now });
    for (let i = 0; i < 31 * 24 * 60; i++) {
      now += MINUTE;
      await history.sample();
    }
    expect(history.size).toBeLessThan(260);
    // Every window still finds a baseline no older than its period plus one slot.
    for (const [period, slot] of [
      [HOUR, MINUTE],
      [6 * HOUR, 10 * MINUTE],
      [24 * HOUR, HOUR],
      [7 * 24 * HOUR, 6 * HOUR],
      [30 * 24 * HOUR, 6 * HOUR],
    ] as const) {
      const base = history.baseline(period);
      expect(base).toBeDefined();
      expect(now - (base?.at ?? 0)).toBeGreaterThanOrEqual(period);
      expect(now - (base?.at ?? 0)).toBeLessThanOrEqual(period + slot);
    }
  });
});
