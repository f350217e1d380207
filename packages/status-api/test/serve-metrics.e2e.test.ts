/**
 * `authlens serve` (the real CLI process, no `--import`) exposes its own metrics on
 * `/monitoring/metrics/` and on the scrape port: open alerts, notifications by outcome,
 * deliveries pending, job runs, HTTP and Node runtime. The KPI endpoints still need a source and
 * say so (503 naming PROMETHEUS_URL).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../benchmarks/servers.ts';
import { eventually, type Receiver, startReceiver } from './support/alerts-support.ts';

const bin = fileURLToPath(new URL('../bin/authlens.js', import.meta.url));
const node = fileURLToPath(new URL('../../../node_modules/node/bin/node', import.meta.url));
const key = 'serve-metrics-write-key-0123';
const auth = { authorization: `Bearer ${key}` };

describe('authlens serve metrics (e2e)', () => {
  let dir: string;
  let ok: Receiver;
  let failing: Receiver;
  let child: ChildProcess;
  let base: string;
  let scrapePort: number;
  let stderr = '';

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'authlens-serve-metrics-'));
    ok = await startReceiver({ status: 200, body: 'ok' });
    failing = await startReceiver({ status: 503, body: 'down' });
    const routing = path.join(dir, 'routing.json');
    writeFileSync(routing, JSON.stringify({ routes: [{ channels: ['webhook', 'webhook-2'] }] }));
    const port = await freePort();
    scrapePort = await freePort();
    child = spawn(node, ['--conditions=authlens-source', '--no-warnings', bin, 'serve'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        MONITORING_API_KEYS: `ops:${key}:write`,
        // The test polls the metrics endpoint.
        MONITORING_RATE_LIMIT_PER_MINUTE: '100000',
        ALERT_STORE_URL: `sqlite:${path.join(dir, 'alerts.db')}`,
        ALERT_ROUTING_FILE: routing,
        ALERT_WEBHOOK_URLS: `${ok.url}/hook,${failing.url}/hook`,
        AUTHLENS_JOBS_SCHEDULE: '*=off,run_system_health_checks=1s',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(scrapePort),
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.resume();
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    base = `http://127.0.0.1:${port}`;
    await eventually(
      async () => (await fetch(`${base}/monitoring/health/live/`)).ok || undefined,
      30_000,
    ).catch((err) => {
      throw new Error(`serve did not start: ${String(err)}; stderr: ${stderr}`);
    });
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await ok?.close();
    await failing?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const metricsText = async () => {
    const res = await fetch(`${base}/monitoring/metrics/`, { headers: auth });
    expect(res.status).toBe(200);
    return res.text();
  };
  /** The value of the series `name` whose labels include `labels` (the scope labels are extra). */
  const sample = (text: string, name: string, labels: Record<string, string> = {}) => {
    const line = text.split('\n').find((l) => {
      if (!l.startsWith(`${name}{`) && !l.startsWith(`${name} `)) return false;
      return Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`));
    });
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  const notifications = (t: string, outcome: string) =>
    sample(t, 'authlens_alerts_notifications_total', { alert_channel: 'webhook', alert_outcome: outcome }) ??
    0;

  it('serves open alerts, notifications by outcome, pending deliveries, job runs and runtime metrics', async () => {
    for (const n of ['a', 'b']) {
      const res = await fetch(`${base}/monitoring/alerts/create/`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `serve_metrics_${n}`, severity: 'high', message: 'm' }),
      });
      expect(res.status).toBe(201);
    }
    await ok.waitFor(2);
    await failing.waitFor(2);
    const text = await eventually(async () => {
      const t = await metricsText();
      const runs = sample(t, 'authlens_jobs_runs_total', {
        job_name: 'run_system_health_checks',
        job_outcome: 'succeeded',
      });
      return notifications(t, 'success') >= 2 && notifications(t, 'retry') >= 2 && (runs ?? 0) >= 1
        ? t
        : undefined;
    }, 15_000);
    expect(sample(text, 'authlens_alerts_open', { alert_severity: 'high' })).toBe(2);
    expect(sample(text, 'authlens_alerts_open', { alert_severity: 'low' })).toBe(0);
    // The failing channel's two deliveries wait for their retry.
    expect(sample(text, 'authlens_alerts_deliveries_pending')).toBe(2);
    expect(sample(text, 'nodejs_eventloop_delay_p99_seconds')).toBeGreaterThan(0);
    expect(sample(text, 'v8js_gc_duration_seconds_count')).toBeGreaterThan(0);
  });

  it('serves the same registry on the scrape port', async () => {
    const res = await fetch(`http://127.0.0.1:${scrapePort}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(sample(text, 'authlens_alerts_open', { alert_severity: 'high' })).toBe(2);
  });

  it('still answers the KPI endpoints with 503 naming the missing source', async () => {
    const res = await fetch(`${base}/monitoring/metrics/business/`, { headers: auth });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = (await res.json()) as { code?: string; detail?: string };
    expect(body.detail).toContain('PROMETHEUS_URL');
  });
});
