/**
 * End to end with the example auth service: `examples/auth-service`, started exactly as the demo
 * starts it (`node --import @authlens/sdk/register src/server.ts`), sends OTLP to an agent →
 * gateway chain. Real logins through its HTTP API become `auth_login_attempts_total` in the real
 * Prometheus (remote write from the gateway) and log records at the Loki receiver carrying the
 * request's trace ID, with neither the password nor the access token anywhere in them.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthClient, createClient } from '../../examples/auth-service/src/client.ts';
import {
  freePort,
  type StartedService,
  startService,
  stopChild,
} from '../../examples/auth-service/src/demo-kit.ts';
import { requireCollector, requirePrometheus } from '../../test/support/services.ts';
import { type Chain, promQuery, startChain } from './support/chain.ts';
import { waitFor } from './support/harness.ts';

const serviceName = `collector-example-e2e-${randomBytes(4).toString('hex')}`;
const password = `pw-${randomBytes(6).toString('hex')}-secret`;
const email = `alice.${randomBytes(3).toString('hex')}@example.com`;
let chain: Chain | undefined;
let service: StartedService | undefined;
let client: AuthClient;
let workDir: string;
let failedTraceId: string;
let accessToken: string;

beforeAll(async () => {
  const bin = requireCollector();
  await requirePrometheus();
  chain = await startChain(bin);
  workDir = mkdtempSync(path.join(os.tmpdir(), 'authlens-collector-example-'));
  service = await startService({
    workDir,
    logFile: path.join(workDir, 'service.log'),
    apiKey: `key_${randomBytes(12).toString('hex')}`,
    env: {
      PORT: String(await freePort()),
      OTEL_SERVICE_NAME: serviceName,
      OTEL_EXPORTER_OTLP_ENDPOINT: chain.agentOtlpHttp,
      OTEL_EXPORTER_PROMETHEUS_PORT: '0',
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_BLRP_SCHEDULE_DELAY: '200',
    },
  });
  client = createClient(service.url);
  expect((await client.register(email, password)).status).toBe(201);
  const good = await client.login(email, password);
  expect(good.status).toBe(200);
  accessToken = String((good.body as { accessToken?: string }).accessToken);
  expect(accessToken.length).toBeGreaterThanOrEqual(16);
  const bad = await client.login(email, 'wrong-password');
  expect(bad.status).toBe(401);
  failedTraceId = String(bad.headers.get('x-correlation-id'));
  expect(failedTraceId).toMatch(/^[0-9a-f]{32}$/);
}, 90_000);

afterAll(async () => {
  await stopChild(service?.child);
  await chain?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('example auth service → agent → gateway', () => {
  it('Prometheus answers PromQL for its login attempts, by outcome', async () => {
    const series = await waitFor(
      'auth_login_attempts_total of the example service in Prometheus',
      async () => {
        const r = await promQuery(`auth_login_attempts_total{job="${serviceName}"}`);
        return r.length >= 2 ? r : undefined;
      },
      30_000,
      500,
    );
    const byOutcome = Object.fromEntries(series.map((s) => [s.metric.auth_outcome, Number(s.value[1])]));
    expect(byOutcome).toEqual({ success: 1, failure: 1 });
    expect(series.find((s) => s.metric.auth_outcome === 'failure')?.metric.auth_method).toBe('password');
  }, 40_000);

  it('the Loki receiver gets its log records with trace IDs and no secret', async () => {
    const logs = await waitFor(
      'a log record of the failed login at the Loki receiver',
      () => {
        const mine = chain?.loki.logs.filter((l) => l.resource['service.name'] === serviceName) ?? [];
        return mine.some((l) => l.traceId === failedTraceId) ? mine : undefined;
      },
      20_000,
    );
    const everything = JSON.stringify(logs);
    expect(everything).not.toContain(password);
    expect(everything).not.toContain(accessToken);
  }, 30_000);
});
