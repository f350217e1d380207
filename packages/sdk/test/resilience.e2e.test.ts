/**
 * Collector down, slow or refusing: the service keeps its latency, queues stay bounded,
 * dropped items are counted in `authlens.telemetry.dropped`, and each signal logs one warning
 * per outage, not one per batch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, requireRedis, services } from '../../../test/support/services.ts';
import { type FixtureProcess, startFixture } from './support/fixture-process.ts';
import { type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver.ts';
import { freePort } from './support/ports.ts';

const started: FixtureProcess[] = [];
let stalled: OtlpReceiver;
let failing: OtlpReceiver;

beforeAll(async () => {
  await requirePostgres();
  await requireRedis();
  stalled = await startOtlpReceiver();
  stalled.mode = 'stall';
  failing = await startOtlpReceiver();
  failing.mode = 'fail';
});

afterAll(async () => {
  for (const p of started) await p.stop();
  await stalled?.close();
  await failing?.close();
});

async function launch(endpoint: string | undefined, promPort: number) {
  const env: Record<string, string> = {
    FIXTURE_PG_URL: services.postgresUrl,
    FIXTURE_REDIS_URL: services.redisUrl,
    OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort),
    OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
    OTEL_BSP_MAX_QUEUE_SIZE: '64',
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '16',
    OTEL_BSP_SCHEDULE_DELAY: '50',
    OTEL_BLRP_MAX_QUEUE_SIZE: '64',
    OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '16',
    OTEL_BLRP_SCHEDULE_DELAY: '50',
    OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
    OTEL_METRIC_EXPORT_INTERVAL: '500',
  };
  if (endpoint) env.OTEL_EXPORTER_OTLP_ENDPOINT = endpoint;
  const app = await startFixture(env);
  started.push(app);
  return app;
}

/** Median latency (ms) of `n` sequential requests. */
async function medianLatency(app: FixtureProcess, n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await fetch(`${app.base}/ping`);
    await res.arrayBuffer();
    expect(res.status).toBe(200);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(n / 2)] as number;
}

function dropped(text: string, signal: string): number {
  const m = new RegExp(
    `authlens_telemetry_dropped_total\\{[^}]*authlens_signal="${signal}"[^}]*\\} (\\d+)`,
  ).exec(text);
  return m ? Number(m[1]) : 0;
}

describe('collector down, slow or refusing', () => {
  it('keeps latency, counts drops and warns once per outage', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 5; i++) ports.push(await freePort());
    const [basePort, slowPort, refusingPort, downPort, closedPort] = ports as [
      number,
      number,
      number,
      number,
      number,
    ];
    const baseline = await launch(undefined, basePort);
    const slow = await launch(stalled.url, slowPort);
    const refusing = await launch(failing.url, refusingPort);
    // Nothing listens on closedPort: connections are refused.
    const down = await launch(`http://127.0.0.1:${closedPort}`, downPort);

    // Warm up, then measure the same route under each condition.
    for (const app of [baseline, slow, refusing, down]) await medianLatency(app, 30);
    const base = await medianLatency(baseline, 200);
    const results = {
      slow: await medianLatency(slow, 200),
      refusing: await medianLatency(refusing, 200),
      down: await medianLatency(down, 200),
    };
    for (const [name, ms] of Object.entries(results)) {
      expect(
        ms,
        `${name}: median ${ms.toFixed(2)} ms vs ${base.toFixed(2)} ms without a collector`,
      ).toBeLessThan(base * 2 + 2);
    }

    // Drops are counted per signal (spans overflow the 64-item queue while exports stall/fail).
    for (const [app, port] of [
      [slow, slowPort],
      [refusing, refusingPort],
      [down, downPort],
    ] as const) {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(dropped(text, 'traces'), `dropped spans (${app.base})\n${app.stderr()}`).toBeGreaterThan(0);
    }
    // The stalled collector saw at most one export in flight per signal at a time.
    expect(stalled.requests).toBeLessThan(20);

    // One warning per signal per outage, not one per failed batch.
    for (const app of [slow, refusing, down]) {
      const lines = app
        .stderr()
        .split('\n')
        .filter((l) => l.includes('OTLP traces export'));
      expect(lines, app.stderr()).toHaveLength(1);
      expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 'warn', 'authlens.signal': 'traces' });
    }
    // The service never logged a failure per request either.
    expect(down.stderr().split('\n').filter(Boolean).length).toBeLessThanOrEqual(3);
  });
});
