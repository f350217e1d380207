/** `collectorCheck` against the real authlens collector build and its health_check extension. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/ports.ts';
import { requireCollector } from '../../../test/support/services.ts';
import { collectorCheck, createHealthRegistry, type HealthRegistry } from '../src/index.ts';

let child: ChildProcess | undefined;
let dir: string;
let registry: HealthRegistry;
let healthPort: number;

beforeAll(async () => {
  const bin = requireCollector();
  healthPort = await freePort();
  const otlpPort = await freePort();
  dir = mkdtempSync(path.join(os.tmpdir(), 'authlens-collector-health-'));
  const config = path.join(dir, 'config.yaml');
  writeFileSync(
    config,
    `extensions:
  health_check:
    endpoint: 127.0.0.1:${healthPort}
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${otlpPort}
exporters:
  debug: {}
service:
  telemetry:
    metrics:
      level: none
  extensions: [health_check]
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [debug]
`,
  );
  child = spawn(bin, ['--config', config], { stdio: 'ignore' });
  registry = createHealthRegistry({
    timeoutMs: 1000,
    cacheTtlMs: 0,
    checks: [collectorCheck({ url: `http://127.0.0.1:${healthPort}/` })],
  });
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child?.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
  await registry?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('collector check', () => {
  it('passes while the collector runs and fails once it is stopped', async () => {
    const deadline = Date.now() + 20_000;
    let result = (await registry.run({ fresh: true })).checks[0]!;
    while (result.status !== 'pass' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      result = (await registry.run({ fresh: true })).checks[0]!;
    }
    expect(result).toMatchObject({
      name: 'otel-collector',
      status: 'pass',
      critical: false,
      details: { statusCode: 200 },
    });

    const exited = new Promise((r) => child?.once('exit', r));
    child?.kill('SIGTERM');
    await exited;
    const down = (await registry.run({ fresh: true })).checks[0]!;
    expect(down.status).toBe('fail');
    expect(down.durationMs).toBeLessThanOrEqual(1100);
  });
});
