/**
 * End to end with the real collector binary: fixture service (OTel JS SDK, OTLP/HTTP) → agent
 * (collector/agent.yaml, load balancing by trace ID) → gateway (collector/gateway.yaml) →
 *   the real Prometheus (remote write, queried with PromQL),
 *   a local receiver speaking Loki's native OTLP endpoint,
 *   a local receiver speaking Sentry's OTLP endpoint (checks x-sentry-auth from the DSN).
 * Also: tail sampling keeps the error trace and slow login traces and drops a share of fast ones;
 * the gateway's own metrics are scraped by Prometheus.
 */
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prometheusTargetsDir, requireCollector, requirePrometheus } from '../../test/support/services.ts';
import { type Chain, promQuery, runFixture, startChain } from './support/chain.ts';
import { sleep, waitFor } from './support/harness.ts';

const FAST_TRACES = 40;
const SAMPLING_PERCENTAGE = 25;

interface Emitted {
  errorTraceId: string;
  slowTraceIds: string[];
  fastTraceIds: string[];
}

const id = randomBytes(4).toString('hex');
const serviceName = `collector-e2e-${id}`;
const targetFile = path.join(prometheusTargetsDir(), `collector-e2e-${id}.json`);
let chain: Chain | undefined;
let loki: Chain['loki'];
let sentry: Chain['sentry'];
let emitted: Emitted;

beforeAll(async () => {
  const bin = requireCollector();
  await requirePrometheus();
  chain = await startChain(bin, {
    TAIL_SAMPLING_DECISION_WAIT: '2s',
    TAIL_SAMPLING_PERCENTAGE: String(SAMPLING_PERCENTAGE),
    TAIL_SAMPLING_SLOW_MS: '1000',
  });
  ({ loki, sentry } = chain);
  // Prometheus scrapes the gateway's own metrics (job authlens, file_sd).
  writeFileSync(
    targetFile,
    JSON.stringify([
      {
        targets: [`127.0.0.1:${chain.gatewayPorts.metrics}`],
        labels: { collector_e2e: id, tier: 'gateway' },
      },
    ]),
  );
  emitted = await runFixture<Emitted>('emit.ts', {
    AUTHLENS_FIXTURE_OTLP_ENDPOINT: chain.agentOtlpHttp,
    AUTHLENS_FIXTURE_SERVICE: serviceName,
    AUTHLENS_FIXTURE_FAST_TRACES: String(FAST_TRACES),
  });
}, 90_000);

afterAll(async () => {
  if (process.env.DEBUG_COLLECTOR && chain) {
    const lines = `${chain.gateway.output()}\n${chain.agent.output()}`.split('\n');
    console.log(lines.filter((l) => /\t(warn|error)\t/.test(l)).join('\n'));
  }
  rmSync(targetFile, { force: true });
  await chain?.stop();
});

describe('agent → gateway → backends', () => {
  it('Prometheus answers PromQL for the auth metrics with the right labels', async () => {
    const series = await waitFor(
      'auth_login_attempts_total in Prometheus',
      async () => {
        const r = await promQuery(`auth_login_attempts_total{job="${serviceName}"}`);
        return r.length >= 2 ? r : undefined;
      },
      30_000,
      500,
    );
    const byOutcome = Object.fromEntries(series.map((s) => [s.metric.auth_outcome, s]));
    expect(byOutcome.failure?.metric).toMatchObject({
      auth_method: 'password',
      auth_failure_reason: 'invalid_credentials',
      instance: `${serviceName}-1`,
    });
    expect(Number(byOutcome.failure?.value[1])).toBe(3);
    expect(Number(byOutcome.success?.value[1])).toBe(5);
    const count = await promQuery(`sum(auth_login_duration_seconds_count{job="${serviceName}"})`);
    expect(Number(count[0]?.value[1])).toBe(2);
    const buckets = await promQuery(
      `auth_login_duration_seconds_bucket{job="${serviceName}",auth_outcome="failure",le="+Inf"}`,
    );
    expect(buckets).toHaveLength(1);
  }, 40_000);

  it('the Loki receiver gets log records with trace IDs and labels, and no secrets', async () => {
    const logs = await waitFor(
      'log records at the Loki receiver',
      () => {
        const mine = loki.logs.filter((l) => l.resource['service.name'] === serviceName);
        return mine.length >= 2 ? mine : undefined;
      },
      20_000,
    );
    expect(loki.refused).toEqual([]);
    expect(logs).toHaveLength(2);
    for (const log of logs) {
      expect(log.traceId).toBe(emitted.errorTraceId);
      expect(log.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(log.resource['deployment.environment.name']).toBe('e2e');
    }
    const smuggled = logs.find((l) => String(l.body).startsWith('login failed for alice'));
    expect(smuggled?.body).toBe('login failed for alice password=[REDACTED]');
    expect(smuggled?.attributes.password).not.toBe('hunter2-smuggled');
    expect(smuggled?.attributes['http.route']).toBe('/auth/login');
    expect(JSON.stringify(logs)).not.toContain('hunter2');
  }, 30_000);

  it('the Sentry receiver gets spans and logs with the auth header from the DSN', async () => {
    const spans = await waitFor(
      'the error trace at the Sentry receiver',
      () => {
        const mine = sentry.spans.filter((s) => s.resource['service.name'] === serviceName);
        return mine.some((s) => s.traceId === emitted.errorTraceId) ? mine : undefined;
      },
      20_000,
    );
    // Every request carried the right x-sentry-auth header (the receiver answers 401 otherwise).
    expect(sentry.refused).toEqual([]);
    const error = spans.find((s) => s.traceId === emitted.errorTraceId);
    expect(error).toMatchObject({ name: 'POST /auth/login', status: { code: 2 } });
    const sentryLogs = await waitFor(
      'logs at the Sentry receiver',
      () => {
        const mine = sentry.logs.filter((l) => l.resource['service.name'] === serviceName);
        return mine.length >= 2 ? mine : undefined;
      },
      10_000,
    );
    expect(sentryLogs.map((l) => l.traceId)).toEqual([emitted.errorTraceId, emitted.errorTraceId]);
    expect(JSON.stringify(sentryLogs)).not.toContain('hunter2');
  }, 30_000);

  it('tail sampling keeps the error trace and slow login traces and drops a share of fast ones', async () => {
    await waitFor(
      'the slow login traces at the Sentry receiver',
      () => (emitted.slowTraceIds.every((t) => sentry.spans.some((s) => s.traceId === t)) ? true : undefined),
      20_000,
    );
    // Decisions are taken 2 s after a trace's first span; let the rest settle.
    await sleep(4000);
    const kept = new Set(sentry.spans.map((s) => s.traceId));
    expect(kept.has(emitted.errorTraceId)).toBe(true);
    for (const t of emitted.slowTraceIds) expect(kept.has(t)).toBe(true);
    const fastKept = emitted.fastTraceIds.filter((t) => kept.has(t)).length;
    // 25 % of 40: P(0 kept) ≈ 1e-5, P(all kept) ≈ 1e-24.
    expect(fastKept).toBeGreaterThan(0);
    expect(fastKept).toBeLessThan(FAST_TRACES);
  }, 30_000);

  it("Prometheus scrapes the gateway's own metrics", async () => {
    const accepted = await waitFor(
      'otelcol_receiver_accepted_log_records_total from the gateway',
      async () => {
        const r = await promQuery(`sum(otelcol_receiver_accepted_log_records_total{collector_e2e="${id}"})`);
        return r.length === 1 && Number(r[0]?.value[1]) >= 2 ? r : undefined;
      },
      20_000,
      500,
    );
    expect(Number(accepted[0]?.value[1])).toBeGreaterThanOrEqual(2);
    const sent = await promQuery(
      `otelcol_exporter_sent_log_records_total{collector_e2e="${id}",exporter="otlp_http/loki"}`,
    );
    expect(Number(sent[0]?.value[1])).toBeGreaterThanOrEqual(2);
  }, 30_000);
});
