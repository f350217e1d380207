/**
 * Issue 13, part 2: the Alertmanager receiver takes what a real Alertmanager sends. A private
 * Debian Alertmanager 0.25 (its own config, port and storage: no other test's routes) gets 600
 * alerts of one group with long annotations and sends them to the standalone server's webhook
 * through the real API-key check (a `write` key in Alertmanager's `http_config`). Every alert is
 * stored, then resolved when Alertmanager resolves them. A bad batch stores nothing.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/ports.ts';
import { buildServer, type StandaloneServer } from '../src/server.ts';
import { eventually } from './support/alerts-support.ts';

const AM_BIN = 'prometheus-alertmanager';
const writeKey = `am-write-${randomBytes(12).toString('hex')}`;
const readKey = `ops-read-${randomBytes(12).toString('hex')}`;
const GROUP = 600;
const alertname = `AuthlensBatch_${randomBytes(4).toString('hex')}`;
/** ~2 KB of annotation per alert: the group's body is over 1 MB, far past the 16 KiB create limit. */
const description = `Host unreachable from the load balancer; runbook and context follow. ${'x'.repeat(2000)}`;

function requireAlertmanagerBinary() {
  try {
    execFileSync(AM_BIN, ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      `${AM_BIN} (Debian's prometheus-alertmanager 0.25) is not installed: run \`bash scripts/services install alertmanager\``,
    );
  }
}

describe('a real Alertmanager group of 600 alerts through the real API key', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'authlens-am-batch-'));
  let server: StandaloneServer;
  let base: string;
  let am: ChildProcess;
  let amUrl: string;
  let amLog = '';

  beforeAll(async () => {
    requireAlertmanagerBinary();
    server = await buildServer({
      port: 0,
      host: '127.0.0.1',
      logger: false,
      apiKeys: `alertmanager:${writeKey}:write,ops:${readKey}:read`,
      env: {},
      alerts: {
        managerOptions: { storeUrl: `sqlite:${path.join(dir, 'alerts.db')}`, env: {}, channels: [] },
      },
    });
    base = await server.start();
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    writeFileSync(
      path.join(dir, 'alertmanager.yml'),
      `route:
  receiver: authlens
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: authlens
    webhook_configs:
      - url: ${base}/monitoring/alerts/webhooks/alertmanager/
        send_resolved: true
        max_alerts: 0
        http_config:
          authorization:
            type: Bearer
            credentials: ${writeKey}
`,
    );
    am = spawn(
      AM_BIN,
      [
        `--config.file=${path.join(dir, 'alertmanager.yml')}`,
        `--storage.path=${path.join(dir, 'am-data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    am.stderr?.on('data', (c: Buffer) => {
      amLog += c.toString();
    });
    await eventually(async () => (await fetch(`${amUrl}/-/ready`)).ok || undefined, 30_000).catch((err) => {
      throw new Error(`Alertmanager did not start: ${err}\n${amLog}`);
    });
  });

  afterAll(async () => {
    if (am && am.exitCode === null) {
      const exited = new Promise((r) => am.once('exit', r));
      am.kill('SIGTERM');
      await exited;
    }
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Pushes the group to Alertmanager's API (as Prometheus would), firing or resolved. */
  async function push(endsAt: Date) {
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const alerts = Array.from({ length: GROUP }, (_, i) => ({
      labels: { alertname, severity: 'critical', instance: `host-${i}`, job: 'node' },
      annotations: { summary: `host-${i} is down`, description },
      startsAt,
      endsAt: endsAt.toISOString(),
      generatorURL: `http://prometheus.example/graph?g0.expr=up%3D%3D0&i=${i}`,
    }));
    const res = await fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    expect(res.status, await res.text()).toBe(200);
  }

  /** Every stored alert of the group, through the API with the read key. */
  async function stored() {
    const items: Array<{ status: string; labels: Record<string, string>; resolvedBy: string | null }> = [];
    for (let offset = 0; ; offset += 500) {
      const res = await fetch(`${base}/monitoring/alerts/?name=${alertname}&limit=500&offset=${offset}`, {
        headers: { authorization: `Bearer ${readKey}` },
      });
      const page = (await res.json()) as { items: typeof items; total: number };
      items.push(...page.items);
      if (items.length >= page.total) return items;
    }
  }

  async function amCounter(name: string): Promise<number> {
    const text = await (await fetch(`${amUrl}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`${name}{`) && l.includes('integration="webhook"'));
    return Number(line?.split(' ').at(-1) ?? Number.NaN);
  }

  it('stores every alert of the group, then resolves every one', async () => {
    await push(new Date(Date.now() + 3_600_000));
    const firing = await eventually(async () => {
      const items = await stored();
      return items.length === GROUP ? items : undefined;
    }, 60_000);
    expect(firing.every((a) => a.status === 'firing')).toBe(true);
    expect(new Set(firing.map((a) => a.labels.instance)).size).toBe(GROUP);
    expect(await amCounter('alertmanager_notifications_failed_total')).toBe(0);

    await push(new Date(Date.now() - 1000));
    const resolved = await eventually(async () => {
      const items = await stored();
      return items.every((a) => a.status === 'resolved') ? items : undefined;
    }, 60_000);
    expect(resolved).toHaveLength(GROUP);
    expect(resolved.every((a) => a.resolvedBy === 'alertmanager')).toBe(true);
    expect(await amCounter('alertmanager_notifications_failed_total')).toBe(0);
    expect(await amCounter('alertmanager_notifications_total')).toBeGreaterThanOrEqual(2);
  }, 150_000);

  it('refuses a bad batch whole: nothing of it is stored', async () => {
    const name = `${alertname}_bad`;
    const alert = (i: number, labels: Record<string, string> = {}) => ({
      status: 'firing',
      labels: { alertname: name, instance: `bad-${i}`, ...labels },
      annotations: { summary: 's' },
    });
    const post = (body: unknown) =>
      fetch(`${base}/monitoring/alerts/webhooks/alertmanager/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${writeKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const tooManyLabels = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`l${i}`, 'v']));
    const cases: Array<[string, unknown, string]> = [
      [
        '2nd alert without alertname',
        { version: '4', alerts: [alert(0), { status: 'firing', labels: { instance: 'x' } }] },
        'alerts.1.labels.alertname',
      ],
      ['version 3', { version: '3', alerts: [alert(0)] }, 'version'],
      ['no version', { alerts: [alert(0)] }, 'version'],
      ['80 labels', { version: '4', alerts: [alert(0), alert(1, tooManyLabels)] }, 'alerts.1.labels'],
      [
        'a 10,000-character label',
        { version: '4', alerts: [alert(0), alert(1, { long: 'v'.repeat(10_000) })] },
        'alerts.1.labels.long',
      ],
    ];
    for (const [what, body, field] of cases) {
      const res = await post(body);
      expect(res.status, what).toBe(400);
      expect(res.headers.get('content-type'), what).toMatch(/application\/problem\+json/);
      expect(await res.json(), what).toMatchObject({ code: 'invalid_field', field });
    }
    const res = await fetch(`${base}/monitoring/alerts/?name=${name}`, {
      headers: { authorization: `Bearer ${readKey}` },
    });
    expect(((await res.json()) as { total: number }).total).toBe(0);
    // Without the key, Alertmanager's request is refused before its body is read.
    const anonymous = await fetch(`${base}/monitoring/alerts/webhooks/alertmanager/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: '4', alerts: [alert(0)] }),
    });
    expect(anonymous.status).toBe(401);
  });
});
