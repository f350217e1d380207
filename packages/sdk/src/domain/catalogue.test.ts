import type { Attributes } from '@opentelemetry/api';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsHarness, type MetricsHarness } from '../../test/support/metrics-harness.ts';
import {
  catalogueEntry,
  findByPrometheusName,
  instrumentCatalogue,
  prometheusName,
  prometheusSeriesNames,
} from './catalogue.ts';

// The names of /tmp/metrics-contract.md (shared by the SDK, status API, dashboards and rules).
const CONTRACT: Record<string, string> = {
  'http.server.request.duration': 'histogram',
  'authlens.telemetry.dropped': 'counter',
  'auth.login.attempts': 'counter',
  'auth.login.duration': 'histogram',
  'auth.mfa.challenges': 'counter',
  'auth.mfa.verifications': 'counter',
  'auth.mfa.enrollments': 'counter',
  'auth.mfa.adoption': 'gauge',
  'auth.oauth.requests': 'counter',
  'auth.oauth.duration': 'histogram',
  'auth.tokens': 'counter',
  'auth.sessions.active': 'updowncounter',
  'auth.password_resets': 'counter',
  'security.auth.failures': 'counter',
  'security.events': 'counter',
  'security.risk_score': 'histogram',
  'security.account_lockouts': 'counter',
  'business.registrations': 'counter',
  'business.feature_usage': 'counter',
  'business.funnel.steps': 'counter',
  'business.active_users': 'gauge',
  'compliance.dsr.requests': 'counter',
  'compliance.dsr.completion_time': 'histogram',
  'compliance.dsr.open': 'gauge',
  'compliance.dsr.overdue': 'gauge',
  'compliance.consent.changes': 'counter',
  'compliance.retention.purged': 'counter',
  'compliance.audit.events': 'counter',
  'authlens.health.check.status': 'gauge',
  'authlens.alerts.notifications': 'counter',
  'authlens.alerts.open': 'gauge',
};

const PROMETHEUS_TYPE = {
  counter: 'counter',
  histogram: 'histogram',
  gauge: 'gauge',
  updowncounter: 'gauge',
} as const;

describe('instrument catalogue', () => {
  it('lists every instrument of the metrics contract with its kind', () => {
    for (const [name, kind] of Object.entries(CONTRACT)) expect(catalogueEntry(name).kind, name).toBe(kind);
  });

  it('has unique OTel and Prometheus names and non-empty descriptions and units', () => {
    const names = instrumentCatalogue.map((e) => e.name);
    const prom = instrumentCatalogue.map((e) => e.prometheusName);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(prom).size).toBe(prom.length);
    for (const e of instrumentCatalogue) {
      expect(e.description.length, e.name).toBeGreaterThan(10);
      expect(e.unit.length, e.name).toBeGreaterThan(0);
    }
  });

  it('translates names as documented and maps series back to entries', () => {
    expect(prometheusName('auth.login.attempts')).toBe('auth_login_attempts_total');
    expect(prometheusName('auth.login.duration')).toBe('auth_login_duration_seconds');
    expect(prometheusSeriesNames('auth.login.duration')).toEqual([
      'auth_login_duration_seconds_bucket',
      'auth_login_duration_seconds_sum',
      'auth_login_duration_seconds_count',
    ]);
    expect(prometheusName('auth.mfa.adoption')).toBe('auth_mfa_adoption_ratio');
    expect(prometheusName('security.risk_score')).toBe('security_risk_score');
    expect(prometheusName('nodejs.eventloop.time')).toBe('nodejs_eventloop_time_seconds_total');
    expect(prometheusName('v8js.memory.heap.used')).toBe('v8js_memory_heap_used_bytes');
    expect(findByPrometheusName('auth_login_duration_seconds_bucket')?.name).toBe('auth.login.duration');
    expect(findByPrometheusName('auth_login_attempts_total')?.name).toBe('auth.login.attempts');
    expect(findByPrometheusName('auth_login_attempts_total_bucket')).toBeUndefined();
    expect(() => prometheusName('auth.logins')).toThrow(/not in the authlens catalogue/);
  });
});

describe('Prometheus names against the real exporter, serialised as the SDK serves it', () => {
  let harness: MetricsHarness;
  let runtime: RuntimeNodeInstrumentation;

  beforeAll(async () => {
    harness = await createMetricsHarness();
  });
  afterAll(async () => {
    runtime?.disable();
    await harness?.close();
  });

  it('every non-runtime instrument, recorded once, appears under its prometheusName', async () => {
    const meter = harness.provider.getMeter('catalogue-test');
    const entries = instrumentCatalogue.filter((e) => e.source !== 'runtime');
    for (const e of entries) {
      const attributes: Attributes = Object.fromEntries(
        Object.entries(e.attributes).map(([key, values]) => [key, values === 'free' ? 'x' : values[0]!]),
      );
      const options = { unit: e.unit, description: e.description };
      if (e.kind === 'counter') meter.createCounter(e.name, options).add(1, attributes);
      else if (e.kind === 'histogram') meter.createHistogram(e.name, options).record(0.5, attributes);
      else if (e.kind === 'updowncounter') meter.createUpDownCounter(e.name, options).add(1, attributes);
      else meter.createGauge(e.name, options).record(1, attributes);
    }
    const text = await harness.scrape();
    for (const e of entries) {
      expect(text, e.name).toContain(`# TYPE ${e.prometheusName} ${PROMETHEUS_TYPE[e.kind]}\n`);
      for (const series of prometheusSeriesNames(e.name))
        expect(text, series).toMatch(new RegExp(`^${series}[{ ]`, 'm'));
    }
  });

  it('the Node runtime instrumentation emits exactly the catalogued runtime names', async () => {
    runtime = new RuntimeNodeInstrumentation({ monitoringPrecision: 10 });
    runtime.setMeterProvider(harness.provider);
    runtime.enable();
    // Produce garbage so at least one GC is observed, and let the event-loop monitor sample.
    const deadline = Date.now() + 3000;
    let garbage: number[][] = [];
    while (Date.now() < deadline) {
      for (let i = 0; i < 2000; i++) garbage.push(new Array(64).fill(i));
      garbage = [];
      await new Promise((r) => setTimeout(r, 20));
      const text = await harness.scrape();
      if (text.includes('v8js_gc_duration_seconds_bucket')) break;
    }
    // Every collection resets the event-loop histogram, which reports only with >= 5 samples:
    // give the 10 ms monitor 150 ms before the final collection.
    await new Promise((r) => setTimeout(r, 150));
    const text = await harness.scrape();
    const runtimeEntries = instrumentCatalogue.filter((e) => e.source === 'runtime');
    for (const e of runtimeEntries) {
      expect(text, e.name).toContain(`# TYPE ${e.prometheusName} ${PROMETHEUS_TYPE[e.kind]}\n`);
    }
    // …and nothing runtime-like that the catalogue misses.
    const emitted = [...text.matchAll(/^# TYPE ((?:nodejs|v8js)_\S+) /gm)].map((m) => m[1]);
    const catalogued = new Set(runtimeEntries.map((e) => e.prometheusName));
    expect(emitted.filter((n) => !catalogued.has(n!))).toEqual([]);
  });
});
