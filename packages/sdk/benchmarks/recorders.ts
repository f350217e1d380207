/**
 * Micro-benchmark: a recorder call against a bare OpenTelemetry counter `add` with the same
 * attributes, both on a real MeterProvider registered globally (the default instances' path).
 * Run from packages/sdk: `node benchmarks/recorders.ts`. Bounded to a few seconds.
 */
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { authMetrics, businessMetrics, securityMetrics } from '../src/domain/index.ts';

class PullReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const provider = new MeterProvider({ readers: [new PullReader()] });
metrics.setGlobalMeterProvider(provider);
const meter = provider.getMeter('bench');
const bareCounter = meter.createCounter('bench.counter');
const bareHistogram = meter.createHistogram('bench.histogram');

const ITERATIONS = 100_000;
const ROUNDS = 5;

function nsPerOp(fn: () => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) fn();
  return Number(process.hrtime.bigint() - start) / ITERATIONS;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function compare(name: string, baseline: () => void, candidate: () => void) {
  for (let i = 0; i < 2; i++) {
    nsPerOp(baseline);
    nsPerOp(candidate);
  }
  const base: number[] = [];
  const cand: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate so that drift (GC, CPU contention) hits both sides alike.
    base.push(nsPerOp(baseline));
    cand.push(nsPerOp(candidate));
  }
  const b = median(base);
  const c = median(cand);
  return {
    scenario: name,
    'bare ns/op': b.toFixed(0),
    'recorder ns/op': c.toFixed(0),
    ratio: (c / b).toFixed(2),
  };
}

const results = [
  compare(
    'businessMetrics.recordFeatureUsage vs counter.add (3 attributes)',
    () =>
      bareCounter.add(1, {
        'business.feature': 'mfa_setup',
        'business.action': 'completed',
        'business.user_type': 'premium',
      }),
    () =>
      businessMetrics.recordFeatureUsage({ feature: 'mfa_setup', action: 'completed', userType: 'premium' }),
  ),
  compare(
    'authMetrics.recordLoginAttempt vs counter.add (3 attributes)',
    () =>
      bareCounter.add(1, {
        'auth.method': 'password',
        'auth.outcome': 'failure',
        'auth.failure_reason': 'invalid_credentials',
      }),
    () =>
      authMetrics.recordLoginAttempt({
        method: 'password',
        success: false,
        failureReason: 'invalid_credentials',
      }),
  ),
  compare(
    'authMetrics.recordLoginAttempt + duration vs counter.add + histogram.record',
    () => {
      bareCounter.add(1, {
        'auth.method': 'password',
        'auth.outcome': 'success',
        'auth.failure_reason': 'none',
      });
      bareHistogram.record(0.12, { 'auth.method': 'password', 'auth.outcome': 'success' });
    },
    () => authMetrics.recordLoginAttempt({ method: 'password', success: true, durationSeconds: 0.12 }),
  ),
  compare(
    'securityMetrics.recordAuthFailure vs counter.add (2 attributes)',
    () => bareCounter.add(1, { 'auth.method': 'password', 'auth.failure_reason': 'unknown_user' }),
    () => securityMetrics.recordAuthFailure({ method: 'password', reason: 'unknown_user' }),
  ),
];

console.log(`node ${process.version}, ${ITERATIONS} calls × ${ROUNDS} rounds, median per side`);
console.table(results);
const worst = Math.max(...results.map((r) => Number(r.ratio)));
console.log(`worst ratio: ${worst.toFixed(2)} (target ≤ 2.00) ${worst <= 2 ? 'OK' : 'OVER'}`);
await provider.shutdown();
