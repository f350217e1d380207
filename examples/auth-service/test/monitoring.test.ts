/**
 * The monitoring side on `app.inject`: `/monitoring` mounted with the service's health checks, and
 * brute-force detections raised as alerts — through the status API's alert manager and
 * `securityDetectionAlerts` bridge, and through the HTTP fallback used when the package does not
 * export them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  createAlertManager,
  securityDetectionAlerts,
} from '../../../packages/status-api/src/alerts/index.ts';
import { buildApp } from '../src/app.ts';
import { type CreateMonitoringOptions, createMonitoring } from '../src/monitoring.ts';
import { PASSWORD, randomEmail } from './support.ts';

vi.hoisted(() => {
  process.env.LOG_LEVEL ??= 'error';
});

const dir = mkdtempSync(path.join(tmpdir(), 'authsvc-monitoring-'));
const KEY = 'test-key-0123456789abcdef';
const auth = { authorization: `Bearer ${KEY}` };
const apps: FastifyInstance[] = [];

afterAll(async () => {
  for (const app of apps) await app.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(name: string, extra: Pick<CreateMonitoringOptions, 'alerts'>): Promise<FastifyInstance> {
  const env = {
    MONITORING_API_KEYS: `ops:${KEY}:write`,
    ALERT_STORE_URL: `sqlite:${path.join(dir, `${name}.db`)}`,
  };
  const monitoring = await createMonitoring({ env, ...extra });
  const app = await buildApp({
    env: {},
    bruteForce: { threshold: 3, windowSeconds: 60 },
    onBruteForce: monitoring.onBruteForce,
    configure: monitoring.configure,
  });
  apps.push(app);
  return app;
}

async function burst(app: FastifyInstance, ip: string): Promise<void> {
  const email = randomEmail('target');
  await app.inject({ method: 'POST', url: '/auth/register', payload: { email, password: PASSWORD } });
  for (let i = 0; i < 3; i++) {
    await app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'x-forwarded-for': ip },
      payload: { email: randomEmail('nobody'), password: `guess-${i}` },
    });
  }
}

async function alertsFor(app: FastifyInstance, ip: string) {
  const res = await app.inject({ url: '/monitoring/alerts/', headers: auth });
  expect(res.statusCode).toBe(200);
  const { items } = res.json() as {
    items: { name: string; severity: string; labels: Record<string, string> }[];
  };
  return items.filter((a) => a.labels.subject === ip);
}

describe('monitoring', () => {
  it('mounts /monitoring with the user-store, session-store and oauth-provider checks', async () => {
    const app = await start('checks', {});
    const status = await app.inject({ url: '/monitoring/status/' });
    expect(status.statusCode).toBe(200);
    const names = (status.json() as { components: { name: string; status: string }[] }).components;
    expect(names).toEqual(
      expect.arrayContaining([
        { name: 'User database', status: 'operational' },
        { name: 'Session store', status: 'operational' },
        { name: 'OAuth provider', status: 'operational' },
      ]),
    );
    expect((await app.inject({ url: '/monitoring/health/detailed/' })).statusCode).toBe(401);
    const detailed = await app.inject({ url: '/monitoring/health/detailed/', headers: auth });
    expect(detailed.body).toContain('"backend":"sqlite"');
  });

  it('raises a brute-force alert through the alert manager and the securityDetectionAlerts bridge', async () => {
    const app = await start('bridge', { alerts: { createAlertManager, securityDetectionAlerts } });
    await burst(app, '192.0.2.10');
    expect(await alertsFor(app, '192.0.2.10')).toEqual([
      expect.objectContaining({ name: 'security_brute_force', severity: 'high' }),
    ]);
  });

  it('raises it through POST /monitoring/alerts/create/ when the bridge is not available', async () => {
    const app = await start('fallback', { alerts: undefined });
    await burst(app, '192.0.2.20');
    expect(await alertsFor(app, '192.0.2.20')).toEqual([
      expect.objectContaining({ name: 'security_brute_force', severity: 'high' }),
    ]);
  });
});
