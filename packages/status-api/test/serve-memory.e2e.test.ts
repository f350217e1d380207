/**
 * `authlens serve` keeps its memory bounded under alert ingest: it runs with V8 heap limits
 * (bin/heap-flags.js, unless the operator set them), and nothing it keeps grows with the number of
 * distinct alerts: its metric series are the same after hundreds of distinct alerts, and no series
 * carries an alert's name or fingerprint.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerUnderTest, startAuthlens } from '../benchmarks/servers.ts';
import { SERVE_HEAP_FLAGS, serveHeapFlags } from '../bin/heap-flags.js';

const key = 'serve-memory-write-key-0123';
const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

describe('serve heap flags', () => {
  it('adds each heap flag the operator did not set, in node flags or NODE_OPTIONS', () => {
    const all = Object.entries(SERVE_HEAP_FLAGS).map(([f, v]) => `${f}=${v}`);
    expect(serveHeapFlags([], undefined)).toEqual(all);
    expect(serveHeapFlags(['--conditions=authlens-source'], '')).toEqual(all);
    expect(serveHeapFlags(['--max-semi-space-size=32'], '')).toEqual(['--heap-growing-percent=30']);
    expect(serveHeapFlags([], '--max_semi_space_size=32 --heap-growing-percent=50')).toEqual([]);
  });
});

describe('authlens serve memory (e2e)', () => {
  let dir: string;
  let serve: ServerUnderTest;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'authlens-serve-memory-'));
    serve = await startAuthlens({
      name: 'serve-memory',
      storeUrl: `sqlite:${path.join(dir, 'alerts.db')}`,
      apiKey: key,
      // No job runs: their series would appear between the two reads.
      env: { AUTHLENS_JOBS_ENABLED: 'false', LOG_LEVEL: 'warn' },
    });
    base = `http://127.0.0.1:${serve.port}`;
  });
  afterAll(async () => {
    await serve?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs as the same process with the heap flags', () => {
    const argv = readFileSync(`/proc/${serve.pid}/cmdline`, 'utf8').split('\0');
    for (const [flag, value] of Object.entries(SERVE_HEAP_FLAGS)) expect(argv).toContain(`${flag}=${value}`);
    expect(argv).toContain('serve');
  });

  /** Series of the metrics endpoint: name and labels, without values. */
  const series = async () => {
    const res = await fetch(`${base}/monitoring/metrics/`, { headers: auth });
    expect(res.status).toBe(200);
    const text = await res.text();
    return {
      text,
      set: new Set(
        text
          .split('\n')
          .filter((l) => l !== '' && !l.startsWith('#'))
          .map((l) => l.slice(0, l.lastIndexOf(' '))),
      ),
    };
  };

  /** `count` distinct alerts: half one per `/create/`, half in one Alertmanager payload. */
  const ingest = async (prefix: string, count: number) => {
    const half = Math.floor(count / 2);
    await Promise.all(
      Array.from({ length: half }, async (_, i) => {
        const res = await fetch(`${base}/monitoring/alerts/create/`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({
            name: `${prefix}_${i}`,
            severity: 'low',
            message: 'm',
            labels: { instance: `${prefix}-host-${i}` },
          }),
        });
        expect(res.status).toBe(201);
      }),
    );
    const res = await fetch(`${base}/monitoring/alerts/webhooks/alertmanager/`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        version: '4',
        groupKey: '{}:{}',
        truncatedAlerts: 0,
        status: 'firing',
        receiver: 'authlens',
        groupLabels: {},
        commonLabels: {},
        commonAnnotations: {},
        externalURL: 'http://alertmanager:9093',
        alerts: Array.from({ length: count - half }, (_, i) => ({
          status: 'firing',
          labels: { alertname: `${prefix}_am_${i}`, severity: 'warning', instance: `${prefix}-am-${i}` },
          annotations: { summary: 's' },
          startsAt: new Date().toISOString(),
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prometheus:9090/graph',
          fingerprint: `${i}`.padStart(16, '0'),
        })),
      }),
    });
    expect(res.status).toBe(200);
  };

  it('keeps the same metric series after hundreds of distinct alerts, none naming an alert', async () => {
    // Every route and metric in use once, then many more distinct alerts.
    await ingest('warmup', 10);
    const before = await series();
    await ingest('distinct', 400);
    const after = await series();
    expect([...after.set].filter((s) => !before.set.has(s))).toEqual([]);
    expect(after.text).not.toMatch(/distinct_|warmup_|-host-|-am-/);
    const open = await fetch(`${base}/monitoring/alerts/?status=firing&limit=1`, { headers: auth });
    expect(((await open.json()) as { total: number }).total).toBe(410);
  });
});
