/**
 * Fault test with the real gateway (collector/gateway.yaml): the Loki backend (a local receiver
 * speaking Loki's OTLP endpoint) is down for 30 s while log traffic flows, and the gateway is
 * killed (SIGKILL) and restarted on the same file_storage directory in the middle of the outage.
 * Every log record the gateway accepted (HTTP 200) must reach Loki once it is back.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireCollector, services } from '../../test/support/services.ts';
import {
  type CollectorOptions,
  type CollectorProcess,
  collectorPorts,
  metricValues,
  type OtlpSink,
  portEnv,
  postLogs,
  sleep,
  startCollector,
  startOtlpSink,
  waitFor,
} from './support/harness.ts';

const OUTAGE_MS = 30_000;
const BATCH = 20;

const serviceName = `collector-fault-${randomBytes(4).toString('hex')}`;
let storageDir: string;
let loki: OtlpSink;
let sentry: OtlpSink;
let gateway: CollectorProcess | undefined;
let gatewayOptions: CollectorOptions;
let otlpHttp: string;

beforeAll(async () => {
  const bin = requireCollector();
  storageDir = mkdtempSync(path.join(os.tmpdir(), 'authlens-gw-fault-'));
  loki = await startOtlpSink({ logsPath: '/otlp/v1/logs' });
  sentry = await startOtlpSink({
    logsPath: '/api/1/integration/otlp/v1/logs',
    tracesPath: '/api/1/integration/otlp/v1/traces',
  });
  const ports = await collectorPorts();
  otlpHttp = `http://127.0.0.1:${ports.http}`;
  gatewayOptions = {
    bin,
    name: 'gateway',
    config: 'gateway.yaml',
    healthPort: ports.health,
    metricsPort: ports.metrics,
    env: {
      ...portEnv(ports),
      OTELCOL_STORAGE_DIR: storageDir,
      PROMETHEUS_REMOTE_WRITE_URL: new URL('/api/v1/write', services.prometheusUrl).href,
      LOKI_OTLP_ENDPOINT: `http://127.0.0.1:${loki.port}/otlp`,
      SENTRY_OTLP_ENDPOINT: `http://127.0.0.1:${sentry.port}/api/1/integration/otlp`,
      SENTRY_PUBLIC_KEY: 'fault',
      EXPORT_RETRY_INITIAL_INTERVAL: '200ms',
      EXPORT_RETRY_MAX_INTERVAL: '1s',
      MEMORY_LIMIT_MIB: '256',
      MEMORY_SPIKE_LIMIT_MIB: '64',
    },
  };
  gateway = await startCollector(gatewayOptions);
});

afterAll(async () => {
  await gateway?.stop();
  await loki?.close();
  await sentry?.close();
  if (storageDir) rmSync(storageDir, { recursive: true, force: true });
});

describe('gateway persistent queue', () => {
  it('loses no accepted log record while Loki is down for 30 s and the gateway restarts', async () => {
    const accepted = new Set<number>();
    let next = 0;
    let sending = true;
    let refusedRequests = 0;
    const sender = (async () => {
      while (sending) {
        const seqs = Array.from({ length: BATCH }, () => next++);
        const status = await postLogs(otlpHttp, serviceName, seqs);
        if (status === 200) for (const s of seqs) accepted.add(s);
        else refusedRequests++;
        await sleep(100);
      }
    })();
    const received = () =>
      new Set(
        loki.logs
          .filter((l) => l.resource['service.name'] === serviceName)
          .map((l) => Number(l.attributes.seq)),
      );

    await sleep(3000);
    expect(received().size).toBeGreaterThan(0);
    await loki.down();
    const acceptedBeforeOutage = accepted.size;
    const outageStart = Date.now();

    // Mid-outage: the queue on disk holds what the gateway accepted; kill it hard and restart.
    await sleep(OUTAGE_MS / 2 - 3000);
    const metrics = await (await fetch(gateway?.metricsUrl ?? '')).text();
    const queued = metricValues(metrics, 'otelcol_exporter_queue_size').find((m) =>
      m.labels.includes('exporter="otlp_http/loki"'),
    );
    expect(queued?.value ?? 0).toBeGreaterThan(0);
    // The exporter keeps retrying (send_failed counts only batches it gives up on).
    expect(gateway?.output()).toMatch(/Exporting failed\. Will retry[^\n]*otlp_http\/loki/);
    if (process.env.DEBUG_COLLECTOR)
      console.log(
        metrics
          .split('\n')
          .filter((l) => /^otelcol_(exporter|receiver)/.test(l))
          .join('\n'),
      );
    await gateway?.stop('SIGKILL');
    gateway = await startCollector(gatewayOptions);

    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - outageStart)));
    const acceptedDuringOutage = accepted.size - acceptedBeforeOutage;
    expect(acceptedDuringOutage).toBeGreaterThan(0);
    await loki.up();
    await sleep(2000);
    sending = false;
    await sender;

    const missing = await waitFor(
      'every accepted record at the Loki receiver',
      () => {
        const got = received();
        const lost = [...accepted].filter((s) => !got.has(s));
        return lost.length === 0 ? lost : undefined;
      },
      30_000,
      500,
    ).catch(() => [...accepted].filter((s) => !received().has(s)));
    expect(missing.slice(0, 20), `${missing.length} of ${accepted.size} accepted records lost`).toEqual([]);
    console.info(
      `fault test: ${accepted.size} records accepted (${acceptedDuringOutage} during the 30 s outage), ` +
        `${refusedRequests} requests refused while the gateway restarted, ${received().size} distinct at Loki, ` +
        `${loki.logs.length} deliveries (at least once)`,
    );
  }, 100_000);
});
