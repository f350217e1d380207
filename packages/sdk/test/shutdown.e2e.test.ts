/**
 * SIGTERM with the one-line import: queued telemetry is flushed and the process ends in time
 * (the stock auto-instrumentations register keeps a Fastify process alive until SIGKILL), and
 * an app's own SIGTERM handler still runs and decides the exit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, requireRedis, services } from '../../../test/support/services.ts';
import { type FixtureProcess, startFixture, waitFor } from './support/fixture-process.ts';
import { type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver.ts';

let otlp: OtlpReceiver;
const started: FixtureProcess[] = [];

const baseEnv = () => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
  // Long batch delays: only the shutdown flush can deliver what the requests produced.
  OTEL_BSP_SCHEDULE_DELAY: '60000',
  OTEL_BLRP_SCHEDULE_DELAY: '60000',
  OTEL_METRIC_EXPORT_INTERVAL: '60000',
  AUTHLENS_SHUTDOWN_TIMEOUT_MS: '3000',
  FIXTURE_PG_URL: services.postgresUrl,
  FIXTURE_REDIS_URL: services.redisUrl,
});

beforeAll(async () => {
  await requirePostgres();
  await requireRedis();
  otlp = await startOtlpReceiver();
});

afterAll(async () => {
  for (const p of started) await p.stop();
  await otlp?.close();
});

async function loginOnce(app: FixtureProcess): Promise<string> {
  const res = await fetch(`${app.base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'sigterm', password: 'pw-should-not-matter' }),
  });
  expect(res.status).toBe(200);
  return res.headers.get('x-correlation-id') as string;
}

describe('shutdown on SIGTERM', () => {
  it('flushes spans and logs, then exits by the signal within the budget', async () => {
    const app = await startFixture(baseEnv());
    started.push(app);
    const traceId = await loginOnce(app);
    expect(otlp.spans.some((s) => s.traceId === traceId)).toBe(false);
    const t0 = Date.now();
    app.child.kill('SIGTERM');
    const exit = await Promise.race([
      app.exited,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('still alive 6 s after SIGTERM')), 6000),
      ),
    ]);
    const elapsed = Date.now() - t0;
    expect(exit.signal).toBe('SIGTERM');
    expect(elapsed).toBeLessThan(4000);
    expect(otlp.spans.filter((s) => s.traceId === traceId).length).toBeGreaterThanOrEqual(3);
    expect(otlp.logs.some((l) => l.traceId === traceId)).toBe(true);
  });

  it("keeps the app's own SIGTERM handler working and still flushes", async () => {
    const app = await startFixture({ ...baseEnv(), FIXTURE_OWN_SIGTERM: '1' });
    started.push(app);
    const traceId = await loginOnce(app);
    app.child.kill('SIGTERM');
    const exit = await Promise.race([
      app.exited,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('still alive 6 s after SIGTERM')), 6000),
      ),
    ]);
    expect(app.stdout()).toContain('APP SIGTERM HANDLER');
    expect(exit.code).toBe(0);
    await waitFor(() => otlp.spans.some((s) => s.traceId === traceId) || undefined, 3000, 'flushed spans');
  });
});
