/**
 * End to end with the real SDK: a service started with `@authlens/sdk`'s `start()` (OTLP to the
 * agent) records login attempts with the auth recorders and logs inside a span; through agent →
 * gateway, the real Prometheus answers PromQL for `auth_login_attempts_total` with the contract's
 * labels, and the Loki receiver gets the log record with the span's trace ID.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireCollector, requirePrometheus } from '../../test/support/services.ts';
import { type Chain, promQuery, runFixture, startChain } from './support/chain.ts';
import { waitFor } from './support/harness.ts';

const serviceName = `collector-sdk-e2e-${randomBytes(4).toString('hex')}`;
let chain: Chain | undefined;
let traceId: string;

beforeAll(async () => {
  const bin = requireCollector();
  await requirePrometheus();
  chain = await startChain(bin);
  ({ traceId } = await runFixture<{ traceId: string }>('sdk-service.ts', {
    AUTHLENS_FIXTURE_OTLP_ENDPOINT: chain.agentOtlpHttp,
    AUTHLENS_FIXTURE_SERVICE: serviceName,
  }));
}, 90_000);

afterAll(async () => {
  await chain?.stop();
});

describe('@authlens/sdk → agent → gateway', () => {
  it('Prometheus answers PromQL for the SDK auth metrics with the contract labels', async () => {
    const series = await waitFor(
      'auth_login_attempts_total from the SDK in Prometheus',
      async () => {
        const r = await promQuery(`auth_login_attempts_total{job="${serviceName}"}`);
        return r.length >= 3 ? r : undefined;
      },
      30_000,
      500,
    );
    const labels = series.map((s) => ({
      method: s.metric.auth_method,
      outcome: s.metric.auth_outcome,
      reason: s.metric.auth_failure_reason,
      value: Number(s.value[1]),
    }));
    expect(labels).toEqual(
      expect.arrayContaining([
        { method: 'password', outcome: 'failure', reason: 'invalid_credentials', value: 1 },
        { method: 'password', outcome: 'success', reason: 'none', value: 1 },
        { method: 'passkey', outcome: 'success', reason: 'none', value: 1 },
      ]),
    );
    const count = await promQuery(`sum(auth_login_duration_seconds_count{job="${serviceName}"})`);
    expect(Number(count[0]?.value[1])).toBe(3);
  }, 40_000);

  it('the Loki receiver gets the SDK log record with its trace ID', async () => {
    const logs = await waitFor(
      'the SDK log record at the Loki receiver',
      () => {
        const mine = chain?.loki.logs.filter((l) => l.resource['service.name'] === serviceName) ?? [];
        return mine.length > 0 ? mine : undefined;
      },
      20_000,
    );
    const login = logs.find((l) => String(l.body).includes('login failed'));
    expect(login?.traceId).toBe(traceId);
    // The fixture starts the SDK with `environment: 'e2e'`.
    expect(login?.resource['deployment.environment.name']).toBe('e2e');
  }, 30_000);
});
