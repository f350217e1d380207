/**
 * SIGTERM with the one-line import: queued telemetry is flushed and the process ends in time
 * (the stock auto-instrumentations register keeps a Fastify process alive until SIGKILL), and
 * an app's own SIGTERM handler still runs and decides the exit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureProcess, waitFor } from './support/fixture-process.ts';
import { fixtureSuite } from './support/fixture-suite.ts';
import { type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver.ts';
import { freePort } from './support/ports.ts';

const suite = fixtureSuite();
let stalled: OtlpReceiver;

const baseEnv = (endpoint = suite.otlp.url) => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
  // Long batch delays: only the shutdown flush can deliver what the requests produced.
  OTEL_BSP_SCHEDULE_DELAY: '60000',
  OTEL_BLRP_SCHEDULE_DELAY: '60000',
  OTEL_METRIC_EXPORT_INTERVAL: '60000',
  AUTHLENS_SHUTDOWN_TIMEOUT_MS: '3000',
});

beforeAll(async () => {
  stalled = await startOtlpReceiver();
  stalled.mode = 'stall';
});

afterAll(async () => {
  await stalled?.close();
});

/** Resolves with the exit, or rejects once the process is still alive `ms` after the signal. */
function exitWithin(app: FixtureProcess, ms: number) {
  return Promise.race([
    app.exited,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`still alive ${ms} ms after SIGTERM\n${app.stderr()}`)), ms),
    ),
  ]);
}

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
    const app = await suite.launch(baseEnv());
    const traceId = await loginOnce(app);
    expect(suite.otlp.spans.some((s) => s.traceId === traceId)).toBe(false);
    const t0 = Date.now();
    app.child.kill('SIGTERM');
    const exit = await exitWithin(app, 6000);
    const elapsed = Date.now() - t0;
    expect(exit.signal).toBe('SIGTERM');
    expect(elapsed).toBeLessThan(4000);
    expect(suite.otlp.spans.filter((s) => s.traceId === traceId).length).toBeGreaterThanOrEqual(3);
    expect(suite.otlp.logs.some((l) => l.traceId === traceId)).toBe(true);
  });

  it("keeps the app's own SIGTERM handler working and still flushes", async () => {
    const app = await suite.launch({ ...baseEnv(), FIXTURE_OWN_SIGTERM: '1' });
    const traceId = await loginOnce(app);
    app.child.kill('SIGTERM');
    const exit = await exitWithin(app, 6000);
    expect(app.stdout()).toContain('APP SIGTERM HANDLER');
    expect(exit.code).toBe(0);
    await waitFor(
      () => suite.otlp.spans.some((s) => s.traceId === traceId) || undefined,
      3000,
      'flushed spans',
    );
  });

  it('exits within 1 s of SIGTERM when the collector refuses connections (three runs), drops reported once', async () => {
    for (let run = 0; run < 3; run++) {
      // A real closed port: connection refused at once.
      const app = await suite.launch({
        ...baseEnv(`http://127.0.0.1:${await freePort()}`),
        AUTHLENS_SHUTDOWN_TIMEOUT_MS: '5000',
        OTEL_EXPORTER_OTLP_TIMEOUT: '30000',
      });
      await loginOnce(app);
      const t0 = Date.now();
      app.child.kill('SIGTERM');
      const exit = await exitWithin(app, 6000);
      const elapsed = Date.now() - t0;
      expect(exit.signal).toBe('SIGTERM');
      console.info(`refused collector, run ${run + 1}: exited ${elapsed} ms after SIGTERM`);
      expect(elapsed, `run ${run}: ${app.stderr()}`).toBeLessThan(1000);
      // The queued spans and log records were dropped, counted and reported once per signal.
      for (const signal of ['traces', 'logs']) {
        const lines = app
          .stderr()
          .split('\n')
          .filter((l) => l.includes(`OTLP ${signal} export`) && l.includes('ECONNREFUSED'));
        expect(lines, `${signal}: ${app.stderr()}`).toHaveLength(1);
      }
    }
  });

  it.each([['stalled (accepts the connection, never answers)', 'stalled']] as const)(
    'exits within the shutdown timeout + 1 s when the collector is %s',
    async (_what, kind) => {
      const endpoint = kind === 'stalled' ? stalled.url : `http://127.0.0.1:${await freePort()}`;
      const app = await suite.launch({
        ...baseEnv(endpoint),
        AUTHLENS_SHUTDOWN_TIMEOUT_MS: '2000',
        // Longer than the shutdown budget: only the budget can end the flush.
        OTEL_EXPORTER_OTLP_TIMEOUT: '30000',
      });
      await loginOnce(app);
      const requestsBefore = stalled.requests;
      const t0 = Date.now();
      app.child.kill('SIGTERM');
      const exit = await exitWithin(app, 6000);
      const elapsed = Date.now() - t0;
      expect(exit.signal).toBe('SIGTERM');
      console.info(`${kind} collector: exited ${elapsed} ms after SIGTERM (budget 2000 ms)`);
      expect(elapsed, app.stderr()).toBeLessThan(2000 + 1000);
      // The stalled collector was really asked (the flush hung on it, then the budget ended it).
      if (kind === 'stalled') expect(stalled.requests).toBeGreaterThan(requestsBefore);
    },
  );
});
