/**
 * Real Debian Prometheus + Alertmanager: a rule that fires is routed by Alertmanager to our
 * webhook receiver; the alert appears, then resolves when the rule stops firing.
 *
 * Prometheus forgets its Alertmanagers for up to 5 s after every `/-/reload` (prometheus#13064),
 * by us or by other tests sharing it, and drops what it sends meanwhile (resending after 1 min).
 * So the rule is loaded once, and fires and stops firing on a gauge this test serves and
 * Prometheus scrapes (file_sd target): no reload between firing and resolving.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alertmanagerDir,
  prometheusRulesDir,
  prometheusTargetsDir,
  requireAlertmanager,
  requirePrometheus,
  services,
} from '../../../test/support/services.ts';
import { type AlertManager, alertRoutes, createAlertManager } from '../src/alerts/index.ts';
import {
  eventually,
  headerAuthorize,
  TEST_WRITE_TOKEN,
  type TempStore,
  tempSqlite,
} from './support/alerts-support.ts';

const alertname = `AuthlensE2E_${randomBytes(4).toString('hex')}`;
const ruleFile = path.join(prometheusRulesDir(), `authlens-alerts-${alertname}.yml`);
const targetFile = path.join(prometheusTargetsDir(), `authlens-alerts-${alertname}.json`);
const amConfig = path.join(alertmanagerDir(), 'alertmanager.yml');
/** The gauge Prometheus scrapes from this test; the rule fires while it is 1. */
let active = 0;

const rule = (expr: string) => `groups:
  - name: ${alertname}
    interval: 1s
    rules:
      - alert: ${alertname}
        expr: ${expr}
        labels:
          severity: critical
          team: auth
        annotations:
          summary: Login error rate above threshold (e2e)
`;

async function reload(base: string) {
  const res = await fetch(new URL('/-/reload', base), { method: 'POST' });
  if (!res.ok) throw new Error(`reload of ${base} failed: HTTP ${res.status} ${await res.text()}`);
}

describe('Prometheus → Alertmanager → webhook receiver', () => {
  let temp: TempStore;
  let manager: AlertManager;
  let app: FastifyInstance;
  let originalAmConfig: string | undefined;

  beforeAll(async () => {
    await requirePrometheus();
    await requireAlertmanager();
    temp = await tempSqlite();
    manager = await createAlertManager({ storeUrl: temp.url, env: {}, channels: [], pollIntervalMs: 200 });
    app = Fastify();
    app.get('/metrics', async (_req, reply) =>
      reply
        .type('text/plain; version=0.0.4')
        .send(`# TYPE authlens_alerts_e2e_active gauge\nauthlens_alerts_e2e_active ${active}\n`),
    );
    await app.register(alertRoutes, { prefix: '/monitoring/alerts', authorize: headerAuthorize, manager });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;

    originalAmConfig = readFileSync(amConfig, 'utf8');
    writeFileSync(
      amConfig,
      `route:
  receiver: blackhole
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - receiver: authlens
      matchers: ['alertname="${alertname}"']
      group_wait: 1s
      group_interval: 1s
receivers:
  - name: blackhole
  - name: authlens
    webhook_configs:
      - url: http://127.0.0.1:${port}/monitoring/alerts/webhooks/alertmanager/
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: ${TEST_WRITE_TOKEN}
`,
    );
    await reload(services.alertmanagerUrl);
    // Scrape target (written atomically: Prometheus may read a half-written file).
    writeFileSync(
      `${targetFile}.tmp`,
      JSON.stringify([{ targets: [`127.0.0.1:${port}`], labels: { run: alertname } }]),
    );
    renameSync(`${targetFile}.tmp`, targetFile);
    writeFileSync(ruleFile, rule(`authlens_alerts_e2e_active{run="${alertname}"} > 0`));
    await reload(services.prometheusUrl);
    // Rule loaded, target scraped, Alertmanager rediscovered after the reload.
    await eventually(async () => {
      const rules = (await (await fetch(new URL('/api/v1/rules', services.prometheusUrl))).json()) as {
        data: { groups: Array<{ name: string }> };
      };
      const ams = (await (await fetch(new URL('/api/v1/alertmanagers', services.prometheusUrl))).json()) as {
        data: { activeAlertmanagers: unknown[] };
      };
      const q = (await (
        await fetch(
          new URL(
            `/api/v1/query?query=authlens_alerts_e2e_active{run="${alertname}"}`,
            services.prometheusUrl,
          ),
        )
      ).json()) as { data: { result: unknown[] } };
      return (
        (rules.data.groups.some((g) => g.name === alertname) &&
          ams.data.activeAlertmanagers.length > 0 &&
          q.data.result.length > 0) ||
        undefined
      );
    }, 30_000);
  });

  afterAll(async () => {
    if (existsSync(ruleFile)) rmSync(ruleFile);
    rmSync(targetFile, { force: true });
    await reload(services.prometheusUrl).catch(() => undefined);
    if (originalAmConfig !== undefined) {
      writeFileSync(amConfig, originalAmConfig);
      await reload(services.alertmanagerUrl).catch(() => undefined);
    }
    await app?.close();
    await manager?.close();
    await temp?.drop();
  });

  it('the alert appears firing, then resolves', async () => {
    active = 1;
    // Generous timeouts: another test's reload can cost one 1-minute resend.
    const firing = await eventually(
      async () => (await manager.listAlerts({ name: alertname })).items[0],
      75_000,
    );
    expect(firing).toMatchObject({
      name: alertname,
      severity: 'critical',
      source: 'prometheus',
      status: 'firing',
      message: 'Login error rate above threshold (e2e)',
      labels: { team: 'auth' },
    });
    expect(firing.annotations.generatorURL).toMatch(/^http/);

    const stoppedAt = Date.now();
    active = 0;
    const resolved = await eventually(async () => {
      const a = await manager.store.getAlert(firing.id);
      return a?.status === 'resolved' ? a : undefined;
    }, 75_000);
    expect(resolved.resolvedBy).toBe('alertmanager');
    expect(resolved.resolvedAt!.getTime()).toBeGreaterThan(stoppedAt);
  }, 160_000);
});
