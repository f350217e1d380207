/**
 * collector/debug.yaml, the overlay docs/custom-telemetry.md uses to answer "did my span arrive?":
 * the real binary runs `--config collector/config.yaml --config collector/debug.yaml` with NO
 * backend variable set (the overlay's local defaults), a service started with `@authlens/sdk`
 * exports a span and a log line to it, and the collector prints both, with the span's trace ID,
 * on its own output, before tail sampling could drop the span.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireCollector } from '../../test/support/services.ts';
import { runFixture } from './support/chain.ts';
import {
  type CollectorProcess,
  collectorPorts,
  freePort,
  portEnv,
  startCollector,
  waitFor,
} from './support/harness.ts';

const storage = mkdtempSync(path.join(os.tmpdir(), 'authlens-debug-overlay-'));
let collector: CollectorProcess | undefined;
let traceId = '';

beforeAll(async () => {
  const bin = requireCollector();
  const ports = await collectorPorts();
  collector = await startCollector({
    bin,
    name: 'single+debug',
    config: 'config.yaml',
    extraConfigs: ['debug.yaml'],
    healthPort: ports.health,
    metricsPort: ports.metrics,
    // Only where to listen (free ports) and where to keep queues: no Loki, Sentry or Prometheus.
    env: {
      ...portEnv(ports),
      PROMETHEUS_EXPORTER_ENDPOINT: `127.0.0.1:${await freePort()}`,
      OTELCOL_STORAGE_DIR: storage,
    },
  });
  ({ traceId } = await runFixture<{ traceId: string }>('sdk-service.ts', {
    AUTHLENS_FIXTURE_OTLP_ENDPOINT: `http://127.0.0.1:${ports.http}`,
    AUTHLENS_FIXTURE_SERVICE: 'debug-overlay-e2e',
  }));
}, 60_000);

afterAll(async () => {
  await collector?.stop();
  rmSync(storage, { recursive: true, force: true });
});

describe('collector/debug.yaml on top of collector/config.yaml', () => {
  it('starts with no backend variable set (local defaults)', () => {
    expect(collector!.output()).toContain('Everything is ready');
  });

  it("prints the service's span, with its trace ID, as it arrives", async () => {
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const out = await waitFor(
      'the span in the debug output',
      () => {
        const text = collector!.output();
        return text.includes(`Trace ID       : ${traceId}`) ? text : undefined;
      },
      15_000,
    );
    expect(out).toMatch(/Name +: POST \/auth\/login/);
    expect(out).toMatch(/service\.name: Str\(debug-overlay-e2e\)/);
  });
});
