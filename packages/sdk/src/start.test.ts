import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startOtlpReceiver } from '../test/support/otlp-receiver.ts';
import { currentHandle, getLogger, start } from './index.ts';

const quiet = { prometheusPort: 0 as const, handleSignals: false };

describe('start', () => {
  afterEach(async () => {
    await currentHandle()?.shutdown();
  });

  it('returns a handle whose shutdown can be called twice', async () => {
    const handle = await start({ serviceName: 'test', ...quiet, env: {} });
    expect(handle.enabled).toBe(true);
    await handle.shutdown();
    await expect(handle.shutdown()).resolves.toBeUndefined();
    expect(currentHandle()).toBeUndefined();
  });

  it('exposes the running handle through currentHandle() and a global symbol', async () => {
    const handle = await start({ serviceName: 'test', ...quiet, env: {} });
    expect(currentHandle()).toBe(handle);
    const g = globalThis as unknown as Record<symbol, { handle?: unknown }>;
    expect(g[Symbol.for('authlens.sdk')]?.handle).toBe(handle);
    expect(await start({ serviceName: 'again', ...quiet, env: {} })).toBe(handle);
  });

  it('reads its metrics in process: collect() and prometheusText() show an HTTP request', async () => {
    const handle = await start({ serviceName: 'test', ...quiet, env: {} });
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`);
    expect(res.headers.get('x-correlation-id')).toMatch(/^[0-9a-f]{32}$/);
    await new Promise<void>((r) => server.close(() => r()));
    const rm = await handle.metrics.collect();
    const names = rm?.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name)) ?? [];
    expect(names).toContain('http.server.request.duration');
    const text = await handle.metrics.prometheusText();
    expect(text).toMatch(
      /http_server_request_duration_seconds_count\{[^}]*http_response_status_code="200"[^}]*\} 1/,
    );
    // The scrape port answers the same text.
    expect(handle.scrapePort).toBeGreaterThan(0);
    const scraped = await (await fetch(`http://127.0.0.1:${handle.scrapePort}/metrics`)).text();
    expect(scraped).toContain('http_server_request_duration_seconds_bucket');
  });

  it('exports getLogger() records over OTLP from AUTHLENS_LOGS_EXPORT_LEVEL up', async () => {
    const otlp = await startOtlpReceiver();
    try {
      const handle = await start({
        serviceName: 'log-level-test',
        ...quiet,
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, AUTHLENS_LOGS_EXPORT_LEVEL: 'warn' },
      });
      const log = getLogger('level-test');
      log.info('info line stays on stdout', { n: 1 });
      log.warn('warn line is exported', { n: 2, nested: { ok: true } });
      await handle.forceFlush();
      expect(otlp.logs.map((l) => l.body)).toEqual(['warn line is exported']);
      expect(otlp.logs[0]?.attributes).toMatchObject({ logger: 'level-test', n: 2, nested: { ok: true } });
      expect(otlp.logs[0]?.severityText).toBe('WARN');
      expect(otlp.logs[0]?.resource['service.name']).toBe('log-level-test');
    } finally {
      await currentHandle()?.shutdown();
      await otlp.close();
    }
  });

  it('is a no-op when MONITORING_ENABLED=false', async () => {
    const handle = await start({ env: { MONITORING_ENABLED: 'false' }, ...quiet });
    expect(handle.enabled).toBe(false);
    expect(await handle.metrics.collect()).toBeUndefined();
    expect(await handle.metrics.prometheusText()).toBe('');
    expect(currentHandle()).toBeUndefined();
  });

  it('stays off with one line naming a bad variable, without throwing', async () => {
    const writes: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      writes.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      const handle = await start({ env: { OTEL_TRACES_SAMPLER: 'sometimes' }, ...quiet });
      expect(handle.enabled).toBe(false);
    } finally {
      process.stderr.write = original;
    }
    expect(writes).toHaveLength(1);
    expect(writes[0]).toContain('OTEL_TRACES_SAMPLER');
    expect(writes[0]).toContain('parentbased_traceidratio');
  });
});
