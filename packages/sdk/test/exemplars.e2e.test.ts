/**
 * End to end: a real Prometheus 2.42 with exemplar storage scrapes the SDK's scrape port
 * (OpenMetrics, negotiated by its Accept header) and answers `query_exemplars` with the trace
 * IDs of sampled requests, and only those. The shared Prometheus of `scripts/services` runs
 * without the feature flag, so this test starts its own, on a free port, in a temporary directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { metrics } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../../test/support/services.ts';
import { type AuthlensHandle, start } from '../src/index.ts';
import { type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver.ts';
import { freePort } from './support/ports.ts';

let handle: AuthlensHandle;
let otlp: OtlpReceiver;
let app: http.Server;
let prometheus: ChildProcess | undefined;
let prometheusLog = '';
let promUrl = '';
let dir = '';

interface ExemplarSeries {
  seriesLabels: Record<string, string>;
  exemplars: Array<{ labels: Record<string, string>; value: string; timestamp: number }>;
}

async function promGet<T>(pathAndQuery: string): Promise<T> {
  const res = await fetch(`${promUrl}${pathAndQuery}`, { signal: AbortSignal.timeout(5000) });
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`Prometheus ${pathAndQuery}: ${body.error}`);
  return body.data;
}

async function poll<T>(what: string, check: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\nprometheus log:\n${prometheusLog}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  const bin = requireBinary('prometheus', 'prometheus');
  otlp = await startOtlpReceiver();
  handle = await start({
    serviceName: 'exemplars-e2e',
    prometheusPort: 0,
    handleSignals: false,
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_TRACES_SAMPLER: 'traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.5',
    },
  } as Parameters<typeof start>[0]);
  expect(handle.enabled).toBe(true);
  // The status code (230–249) is the path: every request is its own attribute set, so its own exemplar.
  app = http.createServer((req, res) => {
    res.statusCode = Number(req.url?.slice(1));
    res.end('ok');
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));

  dir = await mkdtemp(path.join(tmpdir(), 'authlens-exemplars-'));
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  await writeFile(
    path.join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, scrape_timeout: 1s }',
      'scrape_configs:',
      '  - job_name: exemplars',
      `    static_configs: [{ targets: ['127.0.0.1:${(handle as { scrapePort?: number }).scrapePort}'] }]`,
      '',
    ].join('\n'),
  );
  prometheus = spawn(
    bin,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--enable-feature=exemplar-storage',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prometheus.stdout?.on('data', (c: Buffer) => (prometheusLog += c.toString()));
  prometheus.stderr?.on('data', (c: Buffer) => (prometheusLog += c.toString()));
  await poll('Prometheus ready', async () => ((await fetch(`${promUrl}/-/ready`)).ok ? true : undefined));
}, 60_000);

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((r) => prometheus?.once('exit', r));
    prometheus.kill('SIGTERM');
    await exited;
  }
  await new Promise<void>((r) => (app ? app.close(() => r()) : r()));
  await handle?.shutdown();
  await otlp?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('exemplars', () => {
  it('Prometheus stores the trace IDs of sampled requests as exemplars of the duration buckets', async () => {
    const base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    const traceOf = new Map<string, number>();
    for (let status = 230; status < 250; status++) {
      const res = await fetch(`${base}/${status}`);
      expect(res.status).toBe(status);
      traceOf.set(res.headers.get('x-correlation-id') ?? '', status);
    }
    // A counter and a gauge beside the histogram: OpenMetrics names them differently.
    const meter = metrics.getMeter('exemplars-e2e');
    meter.createCounter('e2e.checks', { unit: '{check}' }).add(3, { kind: 'a' });
    meter.createUpDownCounter('e2e.open', { unit: 'By' }).add(5);
    await handle.forceFlush();
    const sampled = new Set(otlp.spans.map((s) => s.traceId).filter((t) => traceOf.has(t)));
    // traceidratio 0.5 over 20 requests: both kinds are present (all or none: p = 2e-6).
    expect(sampled.size).toBeGreaterThan(0);
    expect(sampled.size).toBeLessThan(20);

    const scraped = await fetch(`http://127.0.0.1:${handle.scrapePort}/metrics`, {
      headers: { accept: 'application/openmetrics-text;version=1.0.0' },
    });
    expect(scraped.headers.get('content-type')).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    expect(await scraped.text()).toMatch(/\n# EOF\n$/);

    const query = encodeURIComponent('http_server_request_duration_seconds_bucket{job="exemplars"}');
    const from = Math.floor(Date.now() / 1000) - 600;
    const series = await poll('exemplars of every sampled request', async () => {
      const data = await promGet<ExemplarSeries[]>(
        `/api/v1/query_exemplars?query=${query}&start=${from}&end=${Math.ceil(Date.now() / 1000) + 60}`,
      );
      const found = new Set(data.flatMap((s) => s.exemplars.map((e) => e.labels.trace_id)));
      return [...sampled].every((t) => found.has(t)) ? data : undefined;
    });
    // (The in-process OTLP receiver's own requests, answered 200, have exemplars too.)
    const ours = series.filter((s) => Number(s.seriesLabels.http_response_status_code) >= 230);
    expect(ours.length).toBeGreaterThan(0);
    for (const s of ours) {
      for (const e of s.exemplars) {
        const traceId = e.labels.trace_id ?? '';
        // Only sampled requests, each on the series of its own status code and in its bucket.
        expect(sampled.has(traceId), traceId).toBe(true);
        expect(s.seriesLabels.http_response_status_code).toBe(String(traceOf.get(traceId)));
        expect(e.labels.span_id).toMatch(/^[0-9a-f]{16}$/);
        expect(Number(e.value)).toBeLessThanOrEqual(Number(s.seriesLabels.le));
      }
    }
    const values = await poll('the counter and the gauge', async () => {
      const data = await promGet<{
        result: Array<{ metric: { __name__: string }; value: [number, string] }>;
      }>(
        `/api/v1/query?query=${encodeURIComponent('{__name__=~"e2e_checks_total|e2e_open_bytes",job="exemplars"}')}`,
      );
      return data.result.length === 2 ? data.result : undefined;
    });
    expect(Object.fromEntries(values.map((r) => [r.metric.__name__, r.value[1]]))).toEqual({
      e2e_checks_total: '3',
      e2e_open_bytes: '5',
    });
    // The scrape itself is healthy: Prometheus parsed the whole OpenMetrics page.
    const targets = await promGet<{ activeTargets: Array<{ health: string; lastError: string }> }>(
      '/api/v1/targets',
    );
    expect(targets.activeTargets).toEqual([expect.objectContaining({ health: 'up', lastError: '' })]);
  }, 60_000);

  it('still answers the plain text format to scrapers that do not ask for OpenMetrics', async () => {
    const res = await fetch(`http://127.0.0.1:${handle.scrapePort}/metrics`);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('http_server_request_duration_seconds_bucket{');
    expect(text).not.toContain('trace_id');
    expect(text).not.toContain('# EOF');
  });
});
