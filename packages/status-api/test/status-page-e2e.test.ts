/**
 * The standalone server's HTML status page in headless Chromium (Debian's, driven by
 * playwright-core) at a phone-sized viewport: components and states shown, screenshot saved.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary, requirePostgres, services } from '../../../test/support/services.ts';
import { buildServer, defineHealthCheck, postgresCheck, type StandaloneServer } from '../src/index.ts';
import { apiKeys, readKey, testAlerts } from './monitoring-support.ts';

const outputDir = path.resolve(import.meta.dirname, '../test-output');
let server: StandaloneServer;
let browser: Browser;
let base: string;

beforeAll(async () => {
  await requirePostgres();
  const executablePath = requireBinary('chromium', 'chromium');
  server = await buildServer({
    port: 0,
    host: '127.0.0.1',
    logger: false,
    apiKeys,
    serviceName: 'Example Auth',
    env: {},
    alerts: testAlerts,
    checks: [
      postgresCheck({ connectionString: services.postgresUrl, displayName: 'Sign-in database' }),
      defineHealthCheck('sms', async () => ({ status: 'warn' }), {
        critical: false,
        displayName: 'SMS codes',
      }),
      defineHealthCheck('oauth-github', async () => ({ status: 'fail' }), {
        critical: false,
        displayName: 'GitHub sign-in',
      }),
    ],
  });
  base = await server.start();
  browser = await chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('HTML status page', () => {
  it('shows every component with its state, readable on a phone', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    const page = await context.newPage();
    const response = await page.goto(`${base}/monitoring/status/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);
    expect(await page.title()).toBe('Example Auth status');
    await expect.poll(() => page.locator('#overall').textContent()).toBe('Partial System Outage');
    const rows = await page.locator('#components li').evaluateAll((items) =>
      items.map((li) => ({
        name: li.querySelector('.name')?.textContent,
        state: li.querySelector('.state')?.textContent,
      })),
    );
    expect(rows).toEqual([
      { name: 'Application', state: 'Operational' },
      { name: 'Sign-in database', state: 'Operational' },
      { name: 'SMS codes', state: 'Degraded performance' },
      { name: 'GitHub sign-in', state: 'Partial outage' },
    ]);
    // nothing overflows the phone's width
    const scrollWidth = await page
      .locator('html')
      .evaluate((html: { scrollWidth: number }) => html.scrollWidth);
    expect(scrollWidth).toBeLessThanOrEqual(390);
    mkdirSync(outputDir, { recursive: true });
    const file = path.join(outputDir, 'status-page-phone.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(existsSync(file)).toBe(true);
    await context.close();
  });

  it('the OpenAPI docs page renders every documented operation (key sent by the browser)', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      extraHTTPHeaders: { authorization: `Bearer ${readKey}` },
    });
    const page = await context.newPage();
    const response = await page.goto(`${base}/monitoring/docs/`);
    expect(response?.status()).toBe(200);
    await page.locator('.opblock').first().waitFor({ timeout: 15_000 });
    const paths = await page.locator('.opblock-summary-path').allTextContents();
    const cleaned = paths.map((p) => p.replace(/\u200b/g, '').trim());
    expect(cleaned).toContain('/monitoring/health/detailed/');
    expect(cleaned).toContain('/monitoring/metrics/performance/');
    await page.screenshot({ path: path.join(outputDir, 'openapi-docs.png') });
    await context.close();
  });

  it('the same URL answers JSON to API clients, and / redirects to the page', async () => {
    const json = await fetch(`${base}/monitoring/status/`, { headers: { accept: 'application/json' } });
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await json.json()) as { status: unknown }).status).toEqual({
      indicator: 'minor',
      description: 'Partial System Outage',
    });
    const root = await fetch(`${base}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/monitoring/status/');
  });
});
