/**
 * Micro-benchmark: every public recording method of `authMetrics`, `securityMetrics`,
 * `businessMetrics` and `complianceMetrics` (the default instances, bound to a real MeterProvider
 * registered globally) against the bare OpenTelemetry call(s) it makes with the same attributes.
 * `recordActiveUser` makes no OTel call (it feeds HyperLogLogs): its baseline is one
 * `counter.add` with one attribute, the bar. The brute-force detector's sliding windows
 * are reported separately: they are not held to the 2× bar.
 *
 * Not timed: `activeUsers()`, `snapshot()`, `restore()` and `close()` read or load state (for a
 * scrape, a report, a restart), they are not per-event calls.
 *
 *   node benchmarks/recorders.ts               (from packages/sdk; about 20 s)
 *   BENCH_ROUNDS (default 7), BENCH_ITERATIONS (default 50 000 calls per side and round)
 *
 * Rounds are interleaved: each round times every scenario's bare side and recorder side in turn
 * (alternating which goes first), so a busy moment on a shared machine hits both alike; the
 * table shows the median over rounds of each side and the median of the per-round ratios.
 */
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  authMetrics,
  businessMetrics,
  complianceMetrics,
  createBruteForceDetector,
  METER_NAME,
  securityMetrics,
} from '../src/index.ts';

class PullReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const reader = new PullReader();
const provider = new MeterProvider({ readers: [reader] });
metrics.setGlobalMeterProvider(provider);
const meter = provider.getMeter('bench');
const counter = meter.createCounter('bench.counter');
const histogram = meter.createHistogram('bench.histogram');
const gauge = meter.createGauge('bench.gauge');
const upDown = meter.createUpDownCounter('bench.updown');

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 50_000);
const ROUNDS = Math.max(3, Number(process.env.BENCH_ROUNDS ?? 7));

interface Scenario {
  name: string;
  baseline: string;
  bare: (i: number) => void;
  recorder: (i: number) => unknown;
  separate?: boolean;
}

const USERS = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);
const IPS = Array.from({ length: 1_000 }, (_, i) => `198.51.${i >> 8}.${i & 255}`);
const DSR_IDS = Array.from({ length: 1_000 }, (_, i) => `dsr-${i}`);
const receivedAt = new Date(Date.now() - 3_600_000);
for (const id of DSR_IDS) complianceMetrics.recordDsrReceived({ id, regulation: 'gdpr', type: 'erasure' });

// Thresholds far above what the benchmark reaches: detections would log a line each.
const detector = createBruteForceDetector({
  redis: false,
  thresholds: { accountFailures: 1e9, ipFailures: 1e9, distinctAccountsPerIp: 1e9 },
});

const c = (name: string) => `counter.add (${name})`;
const SCENARIOS: Scenario[] = [
  {
    name: 'auth.recordLoginAttempt (failure)',
    baseline: c('3 attr'),
    bare: () =>
      counter.add(1, {
        'auth.method': 'password',
        'auth.outcome': 'failure',
        'auth.failure_reason': 'invalid_credentials',
      }),
    recorder: () =>
      authMetrics.recordLoginAttempt({
        method: 'password',
        success: false,
        failureReason: 'invalid_credentials',
      }),
  },
  {
    name: 'auth.recordLoginAttempt (+ duration)',
    baseline: 'counter.add (3) + histogram.record (2)',
    bare: () => {
      counter.add(1, { 'auth.method': 'password', 'auth.outcome': 'success', 'auth.failure_reason': 'none' });
      histogram.record(0.12, { 'auth.method': 'password', 'auth.outcome': 'success' });
    },
    recorder: () =>
      authMetrics.recordLoginAttempt({ method: 'password', success: true, durationSeconds: 0.12 }),
  },
  {
    name: 'auth.recordMfaChallenge',
    baseline: c('1 attr'),
    bare: () => counter.add(1, { 'auth.mfa.method': 'totp' }),
    recorder: () => authMetrics.recordMfaChallenge({ method: 'totp' }),
  },
  {
    name: 'auth.recordMfaVerification',
    baseline: c('2 attr'),
    bare: () => counter.add(1, { 'auth.mfa.method': 'webauthn', 'auth.outcome': 'success' }),
    recorder: () => authMetrics.recordMfaVerification({ method: 'webauthn', success: true }),
  },
  {
    name: 'auth.recordMfaEnrollment',
    baseline: c('2 attr'),
    bare: () => counter.add(1, { 'auth.mfa.method': 'totp', 'auth.mfa.action': 'enrolled' }),
    recorder: () => authMetrics.recordMfaEnrollment({ method: 'totp', action: 'enrolled' }),
  },
  {
    name: 'auth.recordMfaAdoption',
    baseline: 'gauge.record (0 attr)',
    bare: () => gauge.record(0.42),
    recorder: () => authMetrics.recordMfaAdoption({ usersWithMfa: 420, totalUsers: 1000 }),
  },
  {
    name: 'auth.recordOAuthRequest (+ duration)',
    baseline: 'counter.add (2) + histogram.record (2)',
    bare: () => {
      const attributes = { 'auth.oauth.provider': 'google', 'auth.outcome': 'success' };
      counter.add(1, attributes);
      histogram.record(0.3, attributes);
    },
    recorder: () =>
      authMetrics.recordOAuthRequest({ provider: 'google', success: true, durationSeconds: 0.3 }),
  },
  {
    name: 'auth.recordToken',
    baseline: c('2 attr'),
    bare: () => counter.add(1, { 'auth.token.type': 'refresh', 'auth.token.action': 'refreshed' }),
    recorder: () => authMetrics.recordToken({ type: 'refresh', action: 'refreshed' }),
  },
  {
    name: 'auth.sessionStarted',
    baseline: 'upDownCounter.add (0 attr)',
    bare: () => upDown.add(1),
    recorder: () => authMetrics.sessionStarted(),
  },
  {
    name: 'auth.sessionEnded',
    baseline: 'upDownCounter.add (0 attr)',
    bare: () => upDown.add(-1),
    recorder: () => authMetrics.sessionEnded(),
  },
  {
    name: 'auth.recordPasswordReset',
    baseline: c('1 attr'),
    bare: () => counter.add(1, { 'auth.password_reset.stage': 'requested' }),
    recorder: () => authMetrics.recordPasswordReset({ stage: 'requested' }),
  },
  {
    name: 'security.recordAuthFailure',
    baseline: c('2 attr'),
    bare: () => counter.add(1, { 'auth.method': 'password', 'auth.failure_reason': 'unknown_user' }),
    recorder: () => securityMetrics.recordAuthFailure({ method: 'password', reason: 'unknown_user' }),
  },
  {
    name: 'security.recordSecurityEvent',
    baseline: c('2 attr'),
    bare: () => counter.add(1, { 'security.event.type': 'token_reuse', 'security.severity': 'high' }),
    recorder: () => securityMetrics.recordSecurityEvent({ type: 'token_reuse', severity: 'high' }),
  },
  {
    name: 'security.recordRiskScore',
    baseline: 'histogram.record (1 attr)',
    bare: () => histogram.record(0.2, { 'auth.method': 'password' }),
    recorder: () => securityMetrics.recordRiskScore({ method: 'password', score: 0.2 }),
  },
  {
    name: 'security.recordAccountLockout',
    baseline: c('1 attr'),
    bare: () => counter.add(1, { 'security.lockout.reason': 'brute_force' }),
    recorder: () => securityMetrics.recordAccountLockout({ reason: 'brute_force' }),
  },
  {
    name: 'business.recordUserRegistration',
    baseline: c('4 attr'),
    bare: () =>
      counter.add(1, {
        'business.source': 'web_app',
        'business.method': 'email',
        'business.country': 'US',
        'business.device_type': 'desktop',
      }),
    recorder: () =>
      businessMetrics.recordUserRegistration({
        source: 'web_app',
        method: 'email',
        country: 'US',
        deviceType: 'desktop',
      }),
  },
  {
    name: 'business.recordFeatureUsage',
    baseline: c('3 attr'),
    bare: () =>
      counter.add(1, {
        'business.feature': 'mfa_setup',
        'business.action': 'completed',
        'business.user_type': 'premium',
      }),
    recorder: () =>
      businessMetrics.recordFeatureUsage({ feature: 'mfa_setup', action: 'completed', userType: 'premium' }),
  },
  {
    name: 'business.recordFunnelStep',
    baseline: c('2 attr'),
    bare: () => counter.add(1, { 'business.funnel': 'signup', 'business.funnel.step': 'verify' }),
    recorder: () => businessMetrics.recordFunnelStep({ funnel: 'signup', step: 'verify' }),
  },
  {
    name: 'business.recordActiveUser (in process)',
    baseline: c('1 attr'),
    bare: () => counter.add(1, { 'auth.method': 'password' }),
    recorder: (i) => businessMetrics.recordActiveUser(USERS[i % USERS.length]!),
  },
  {
    name: 'compliance.recordDsrReceived',
    baseline: c('3 attr'),
    bare: () =>
      counter.add(1, {
        'compliance.regulation': 'gdpr',
        'compliance.request.type': 'erasure',
        'compliance.request.status': 'received',
      }),
    recorder: (i) =>
      complianceMetrics.recordDsrReceived({
        id: DSR_IDS[i % DSR_IDS.length]!,
        regulation: 'gdpr',
        type: 'erasure',
      }),
  },
  {
    name: 'compliance.recordDsrInProgress',
    baseline: c('3 attr'),
    bare: () =>
      counter.add(1, {
        'compliance.regulation': 'gdpr',
        'compliance.request.type': 'erasure',
        'compliance.request.status': 'in_progress',
      }),
    recorder: (i) => complianceMetrics.recordDsrInProgress(DSR_IDS[i % DSR_IDS.length]!),
  },
  {
    name: 'compliance.recordDsrCompleted (untracked)',
    baseline: 'counter.add (3) + histogram.record (2)',
    bare: () => {
      counter.add(1, {
        'compliance.regulation': 'gdpr',
        'compliance.request.type': 'access',
        'compliance.request.status': 'completed',
      });
      histogram.record(3600, { 'compliance.regulation': 'gdpr', 'compliance.request.type': 'access' });
    },
    recorder: () =>
      complianceMetrics.recordDsrCompleted({
        id: 'untracked',
        regulation: 'gdpr',
        type: 'access',
        receivedAt,
      }),
  },
  {
    name: 'compliance.recordDsrRejected (untracked)',
    baseline: c('3 attr'),
    bare: () =>
      counter.add(1, {
        'compliance.regulation': 'ccpa',
        'compliance.request.type': 'access',
        'compliance.request.status': 'rejected',
      }),
    recorder: () =>
      complianceMetrics.recordDsrRejected({ id: 'untracked', regulation: 'ccpa', type: 'access' }),
  },
  {
    name: 'compliance.recordConsentChange',
    baseline: c('2 attr'),
    bare: () =>
      counter.add(1, { 'compliance.consent.purpose': 'marketing', 'compliance.consent.action': 'granted' }),
    recorder: () => complianceMetrics.recordConsentChange({ purpose: 'marketing', action: 'granted' }),
  },
  {
    name: 'compliance.recordRetentionPurge',
    baseline: c('1 attr'),
    bare: () => counter.add(3, { 'compliance.data.category': 'sessions' }),
    recorder: () => complianceMetrics.recordRetentionPurge({ category: 'sessions', count: 3 }),
  },
  {
    name: 'compliance.recordAuditEvent',
    baseline: c('2 attr'),
    bare: () => counter.add(1, { 'audit.category': 'authentication', 'audit.outcome': 'success' }),
    recorder: () => complianceMetrics.recordAuditEvent({ category: 'authentication', outcome: 'success' }),
  },
  {
    name: 'bruteForce.recordFailure (account + IP, awaited)',
    baseline: c('2 attr'),
    separate: true,
    bare: () => counter.add(1, { 'auth.method': 'password', 'auth.failure_reason': 'invalid_credentials' }),
    recorder: (i) => detector.recordFailure({ account: USERS[i % USERS.length]!, ip: IPS[i % IPS.length]! }),
  },
  {
    name: 'bruteForce.recordFailure (account only, awaited)',
    baseline: c('2 attr'),
    separate: true,
    bare: () => counter.add(1, { 'auth.method': 'password', 'auth.failure_reason': 'invalid_credentials' }),
    recorder: (i) => detector.recordFailure({ account: USERS[i % USERS.length]! }),
  },
];

async function nsPerOp(fn: (i: number) => unknown, async: boolean): Promise<number> {
  const start = process.hrtime.bigint();
  if (async) for (let i = 0; i < ITERATIONS; i++) await fn(i);
  else for (let i = 0; i < ITERATIONS; i++) fn(i);
  return Number(process.hrtime.bigint() - start) / ITERATIONS;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const samples = SCENARIOS.map(() => ({
  bare: [] as number[],
  recorder: [] as number[],
  ratio: [] as number[],
}));
// Two warm-up rounds (JIT, series creation), not kept.
for (let round = -2; round < ROUNDS; round++) {
  for (const [k, s] of SCENARIOS.entries()) {
    const async = s.separate === true;
    let b: number;
    let r: number;
    if ((round + k) % 2 === 0) {
      b = await nsPerOp(s.bare, false);
      r = await nsPerOp(s.recorder, async);
    } else {
      r = await nsPerOp(s.recorder, async);
      b = await nsPerOp(s.bare, false);
    }
    if (round < 0) continue;
    samples[k]!.bare.push(b);
    samples[k]!.recorder.push(r);
    samples[k]!.ratio.push(r / b);
  }
}

// The values above must be catalogue values: a typo would benchmark the `other` path instead.
const { resourceMetrics } = await reader.collect();
for (const scope of resourceMetrics.scopeMetrics.filter((s) => s.scope.name === METER_NAME)) {
  for (const metric of scope.metrics) {
    for (const point of metric.dataPoints as { attributes: Record<string, unknown> }[]) {
      if (Object.values(point.attributes).includes('other'))
        throw new Error(`${metric.descriptor.name} recorded "other": fix the benchmark's values`);
    }
  }
}

const rows = SCENARIOS.map((s, k) => ({
  scenario: s.name,
  baseline: s.baseline,
  'bare ns/op': Math.round(median(samples[k]!.bare)),
  'recorder ns/op': Math.round(median(samples[k]!.recorder)),
  ratio: median(samples[k]!.ratio),
  separate: s.separate === true,
}));

const markdown = (list: typeof rows) =>
  [
    '| recorder call | bare baseline | bare ns/op | recorder ns/op | ratio |',
    '|---|---|---|---|---|',
    ...list.map(
      (r) =>
        `| \`${r.scenario}\` | ${r.baseline} | ${r['bare ns/op']} | ${r['recorder ns/op']} | ${r.ratio.toFixed(2)} |`,
    ),
  ].join('\n');

const recorders = rows.filter((r) => !r.separate);
const detectors = rows.filter((r) => r.separate);
console.log(
  `node ${process.version}, ${new Date().toISOString().slice(0, 10)}, ${ITERATIONS} calls × ${ROUNDS} interleaved rounds, medians`,
);
console.log(`\nRecorders (target ≤ 2.00 × the bare call):\n\n${markdown(recorders)}`);
console.log(`\nBrute-force detector (sliding windows; not held to the 2× bar):\n\n${markdown(detectors)}`);
const worst = recorders.reduce((a, b) => (b.ratio > a.ratio ? b : a));
console.log(
  `\nworst recorder ratio: ${worst.ratio.toFixed(2)} (${worst.scenario}; target ≤ 2.00) ${worst.ratio <= 2 ? 'OK' : 'OVER'}`,
);
await detector.close();
await provider.shutdown();
