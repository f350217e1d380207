/**
 * What `pnpm demo` adds to the status page, on `app.inject` with the demo's own settings
 * (`demoStatusEnv`: the demo routing file and 7 days of seeded history): the seeded days are
 * labelled demo data, and the brute-force burst opens a public incident whose text comes from
 * the routing rule — the attacked account and address never reach the page.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../src/app.ts';
import { exampleDir } from '../src/demo-kit.ts';
import { demoStatusEnv } from '../src/demo-status-env.ts';
import { createMonitoring } from '../src/monitoring.ts';
import { PASSWORD, randomEmail } from './support.ts';

vi.hoisted(() => {
  process.env.LOG_LEVEL ??= 'error';
});

const dir = mkdtempSync(path.join(tmpdir(), 'authsvc-demo-status-'));
let app: FastifyInstance;

beforeAll(async () => {
  const monitoring = await createMonitoring({
    env: {
      MONITORING_API_KEYS: 'ops:demo-status-key-0123456789:write',
      ALERT_STORE_URL: `sqlite:${path.join(dir, 'alerts.db')}`,
      ...demoStatusEnv(exampleDir),
    },
  });
  app = await buildApp({
    env: {},
    bruteForce: { threshold: 3, windowSeconds: 60 },
    onBruteForce: monitoring.onBruteForce,
    configure: monitoring.configure,
  });
});
afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('demo status page', () => {
  it('shows a week of seeded history, labelled as demo data', async () => {
    const html = (await app.inject({ url: '/monitoring/status/?format=html' })).body;
    expect(html).toContain('id="demo-note"');
    const demoDays = html.match(/title="\d{4}-\d{2}-\d{2}: [^"]*\(demo data\)"/g) ?? [];
    // 7 days for each of the 4 components (process, user-store, session-store, oauth-provider)
    expect(demoDays).toHaveLength(28);
  });

  it('the brute-force burst opens an incident with the routing rule text only', async () => {
    const before = (await app.inject({ url: '/monitoring/status/summary.json' })).json() as {
      incidents: unknown[];
    };
    expect(before.incidents).toEqual([]);
    const target = randomEmail('target');
    await app.inject({
      method: 'POST',
      url: '/auth/register',
      payload: { email: target, password: PASSWORD },
    });
    for (let i = 0; i < 3; i++) {
      await app.inject({
        method: 'POST',
        url: '/auth/login',
        headers: { 'x-forwarded-for': '198.51.100.7' },
        payload: { email: randomEmail('nobody'), password: `guess-${i}` },
      });
    }
    const summary = await app.inject({ url: '/monitoring/status/summary.json' });
    const body = summary.json() as {
      status: { indicator: string };
      incidents: Array<{ name: string; status: string; impact: string; components: Array<{ name: string }> }>;
    };
    expect(body.incidents).toEqual([
      expect.objectContaining({
        name: 'Unusual sign-in activity',
        status: 'investigating',
        impact: 'minor',
        components: [expect.objectContaining({ name: 'User database' })],
      }),
    ]);
    expect(body.status.indicator).toBe('minor');
    const page = (await app.inject({ url: '/monitoring/status/?format=html' })).body;
    expect(page).toContain('Unusual sign-in activity');
    for (const text of [summary.body, page]) {
      expect(text).not.toContain('198.51.100.7');
      expect(text).not.toContain('security_brute_force');
    }
  });
});
