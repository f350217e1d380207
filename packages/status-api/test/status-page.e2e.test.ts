/**
 * The public status page as a person sees it, in headless Chromium (Debian's, driven by
 * playwright-core): a week of seeded history, an open incident, a past one and upcoming
 * maintenance, at desktop width and at 360 px, light and dark, with scripts off; checked by
 * axe-core; the Atom feed read by a real feed parser; the Statuspage-shaped JSON validated
 * against a schema written from Statuspage's public API documentation.
 *
 * `AUTHLENS_UPDATE_SCREENSHOTS=1` copies the screenshots into docs/images/ (the README shows them).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseFeed } from '@rowanmanning/feed-parser';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { type Browser, type BrowserContextOptions, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary, requirePostgres, services } from '../../../test/support/services.ts';
import {
  buildServer,
  createStatusHistory,
  type Database,
  defineHealthCheck,
  migrate,
  openDatabase,
  postgresCheck,
  type StandaloneServer,
  seedDemoHistory,
  storeOver,
} from '../src/index.ts';
import { apiKeys, readKey, writeKey } from './support/monitoring-support.ts';

const outputDir = path.resolve(import.meta.dirname, '../test-output');
const docsImages = path.resolve(import.meta.dirname, '../../../docs/images');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
let server: StandaloneServer;
let browser: Browser;
let base: string;
let db: Database;
let dir: string;

const json = { 'content-type': 'application/json', authorization: `Bearer ${writeKey}` };
async function api(url: string, body: unknown) {
  const res = await fetch(`${base}${url}`, { method: 'POST', headers: json, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { id: string };
}

beforeAll(async () => {
  await requirePostgres();
  const executablePath = requireBinary('chromium', 'chromium');
  dir = mkdtempSync(path.join(os.tmpdir(), 'authlens-status-page-'));
  db = openDatabase(`sqlite:${path.join(dir, 'authlens.db')}`);
  await migrate(db);
  const names = ['process', 'sign-in-db', 'sms', 'oauth-github'];
  await seedDemoHistory(createStatusHistory(db), names, 7);
  server = await buildServer({
    port: 0,
    host: '127.0.0.1',
    logger: false,
    apiKeys,
    serviceName: 'Example Auth',
    env: {},
    alerts: { managerOptions: { store: storeOver(db), workers: false, env: {} } },
    statusPage: { db },
    checks: [
      postgresCheck({
        name: 'sign-in-db',
        connectionString: services.postgresUrl,
        displayName: 'Sign-in database',
      }),
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
  // A past incident, closed; the open one; maintenance tomorrow.
  const past = await api('/monitoring/incidents/', {
    title: 'SMS codes delayed',
    impact: 'minor',
    components: ['sms'],
    body: 'Some sign-in codes by SMS arrive late.',
  });
  await api(`/monitoring/incidents/${past.id}/updates/`, {
    status: 'resolved',
    body: 'Codes arrive on time again.',
  });
  const open = await api('/monitoring/incidents/', {
    title: 'GitHub sign-in is failing',
    impact: 'major',
    components: ['oauth-github'],
    body: 'Signing in with GitHub fails for all users. Password sign-in works.',
  });
  await api(`/monitoring/incidents/${open.id}/updates/`, {
    status: 'identified',
    body: 'GitHub is rejecting our sign-in requests; we are rotating the credentials.',
  });
  const tomorrow = Date.UTC(
    new Date().getUTCFullYear(),
    new Date().getUTCMonth(),
    new Date().getUTCDate() + 1,
    2,
  );
  await api('/monitoring/incidents/', {
    kind: 'maintenance',
    title: 'Database upgrade',
    impact: 'none',
    components: ['sign-in-db'],
    body: 'Sign-in may pause for up to a minute.',
    scheduledFor: new Date(tomorrow).toISOString(),
    scheduledUntil: new Date(tomorrow + 3_600_000).toISOString(),
  });
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
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sizes = [
  { size: 'desktop', viewport: { width: 1280, height: 900 } },
  { size: 'phone', viewport: { width: 360, height: 740 } },
] as const;
const schemes = ['light', 'dark'] as const;
const views = sizes.flatMap((s) => schemes.map((scheme) => ({ ...s, scheme })));

describe('HTML status page', () => {
  it.each(views)(
    '$size, $scheme, scripts off: banner, components with bars, incidents, maintenance',
    async ({ size, viewport, scheme }) => {
      const options: BrowserContextOptions = {
        viewport,
        colorScheme: scheme,
        javaScriptEnabled: false,
        deviceScaleFactor: 1,
      };
      const context = await browser.newContext(options);
      const page = await context.newPage();
      const response = await page.goto(`${base}/monitoring/status/`);
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-type']).toMatch(/^text\/html/);
      expect(await page.title()).toBe('Example Auth status');
      // The open major incident outranks the components' partial outage.
      expect(await page.locator('#overall').textContent()).toBe('Major Service Outage');
      const rows = await page.locator('#components > li').evaluateAll((items) =>
        items.map((li) => ({
          name: li.querySelector('.name')?.textContent,
          state: li.querySelector('.state')?.textContent,
          cells: li.querySelectorAll('ol.days > li').length,
          labelled: [...li.querySelectorAll('ol.days > li .sr')].every((s) =>
            /^\d{4}-\d{2}-\d{2}: /.test(s.textContent ?? ''),
          ),
        })),
      );
      expect(rows).toEqual([
        { name: 'Application', state: 'Operational', cells: 90, labelled: true },
        { name: 'Sign-in database', state: 'Operational', cells: 90, labelled: true },
        { name: 'SMS codes', state: 'Degraded performance', cells: 90, labelled: true },
        { name: 'GitHub sign-in', state: 'Partial outage', cells: 90, labelled: true },
      ]);
      // The seeded week is there (and labelled demo data); older days have no data.
      const signIn = page.locator('#components > li').nth(1).locator('ol.days > li');
      expect(await signIn.nth(89 - 2).getAttribute('title')).toMatch(
        /^\d{4}-\d{2}-\d{2}: Partial outage, partial outage 45 min, uptime 99\.06% \(demo data\)$/,
      );
      expect(await signIn.nth(0).getAttribute('title')).toMatch(/no data$/);
      expect(await page.locator('#demo-note').isVisible()).toBe(true);
      // Bars: 90 cells wide, 30 at phone width.
      const visible = await signIn.evaluateAll(
        (cells) => cells.filter((c) => (c as unknown as { offsetWidth: number }).offsetWidth > 0).length,
      );
      expect(visible).toBe(size === 'phone' ? 30 : 90);
      // Incidents with their timelines, newest update first; maintenance upcoming; the past one.
      const active = page.locator('section[aria-labelledby="h-active"] article');
      expect(await active.locator('h3').allTextContents()).toEqual(['GitHub sign-in is failing']);
      expect(await active.locator('.timeline .status').allTextContents()).toEqual([
        'Identified',
        'Investigating',
      ]);
      expect(await page.locator('section[aria-labelledby="h-maintenance"] h3').allTextContents()).toEqual([
        'Database upgrade',
      ]);
      expect(await page.locator('section[aria-labelledby="h-recent"] h3').allTextContents()).toEqual([
        'SMS codes delayed',
      ]);
      // Nothing overflows the width.
      const scrollWidth = await page
        .locator('html')
        .evaluate((html: { scrollWidth: number }) => html.scrollWidth);
      expect(scrollWidth).toBeLessThanOrEqual(viewport.width);
      // The colour scheme is applied (a dark background in dark mode).
      const bg = await page
        .locator('body')
        .evaluate(
          (b) =>
            (
              globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }
            ).getComputedStyle(b).backgroundColor,
        );
      expect(bg).toBe(scheme === 'dark' ? 'rgb(13, 17, 23)' : 'rgb(255, 255, 255)');
      mkdirSync(outputDir, { recursive: true });
      const file = path.join(outputDir, `status-page-${size}-${scheme}.png`);
      await page.screenshot({ path: file, fullPage: true });
      expect(existsSync(file)).toBe(true);
      if (process.env.AUTHLENS_UPDATE_SCREENSHOTS === '1') {
        mkdirSync(docsImages, { recursive: true });
        copyFileSync(file, path.join(docsImages, path.basename(file)));
      }
      await context.close();
    },
  );

  it.each(views)(
    '$size, $scheme: no accessibility violations (axe-core, WCAG 2 A/AA)',
    async ({ viewport, scheme }) => {
      // axe runs as a script, so this context has scripts on; the page itself has none.
      const context = await browser.newContext({ viewport, colorScheme: scheme, bypassCSP: true });
      const page = await context.newPage();
      await page.goto(`${base}/monitoring/status/`);
      expect(await page.locator('script').count()).toBe(0);
      await page.addScriptTag({ content: axeSource });
      const result = await page.evaluate(async () => {
        const axe = (
          globalThis as unknown as {
            axe: {
              run(o: unknown): Promise<{
                violations: Array<{ id: string; nodes: unknown[] }>;
                passes: Array<{ id: string }>;
              }>;
            };
          }
        ).axe;
        return axe.run({
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'] },
        });
      });
      expect(result.violations.map((v) => `${v.id} (${v.nodes.length})`)).toEqual([]);
      // The checks that matter here did run: contrast, landmarks, the page's title and language.
      const passed = result.passes.map((p) => p.id);
      for (const id of [
        'color-contrast',
        'landmark-one-main',
        'document-title',
        'html-has-lang',
        'list',
        'listitem',
      ])
        expect(passed, id).toContain(id);
      await context.close();
    },
  );

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
    expect(cleaned).toContain('/monitoring/incidents/{id}/updates/');
    await page.screenshot({ path: path.join(outputDir, 'openapi-docs.png') });
    await context.close();
  });

  it('the same URL answers JSON to API clients, and / redirects to the page', async () => {
    const res = await fetch(`${base}/monitoring/status/`, { headers: { accept: 'application/json' } });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    // Unchanged shape: component states only, indicator from the components.
    const body = (await res.json()) as { status: unknown; components: unknown[] };
    expect(body.status).toEqual({ indicator: 'minor', description: 'Partial System Outage' });
    expect(body.components).toHaveLength(4);
    const root = await fetch(`${base}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/monitoring/status/');
  });
});

describe('feeds', () => {
  it('the Atom feed parses with a real feed parser and lists the incidents', async () => {
    const res = await fetch(`${base}/monitoring/status/feed.atom`);
    expect(res.headers.get('content-type')).toMatch(/^application\/atom\+xml/);
    const feed = parseFeed(await res.text());
    expect(feed.meta.type).toBe('atom');
    expect(feed.title).toBe('Example Auth status: incidents');
    const titles = feed.items.map((i) => i.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'GitHub sign-in is failing',
        'SMS codes delayed',
        'Maintenance: Database upgrade',
      ]),
    );
    const open = feed.items.find((i) => i.title === 'GitHub sign-in is failing');
    expect(open?.id).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(open?.content).toContain('rotating the credentials');
    expect(open?.updated).toBeInstanceOf(Date);
  });

  it('summary.json and status.json match the Statuspage schema', async () => {
    const ajv = new Ajv({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const schema = JSON.parse(
      readFileSync(path.join(import.meta.dirname, 'schemas/statuspage-summary.schema.json'), 'utf8'),
    );
    const validate = ajv.compile(schema);
    for (const file of ['summary.json', 'status.json']) {
      const body = await (await fetch(`${base}/monitoring/status/${file}`)).json();
      expect(validate(body) ? [] : validate.errors, file).toEqual([]);
    }
    const summary = (await (await fetch(`${base}/monitoring/status/summary.json`)).json()) as {
      status: { indicator: string };
      incidents: Array<{ name: string; incident_updates: unknown[] }>;
      scheduled_maintenances: Array<{ name: string; status: string }>;
    };
    expect(summary.status.indicator).toBe('major');
    expect(summary.incidents.map((i) => i.name)).toEqual(['GitHub sign-in is failing']);
    expect(summary.incidents[0]?.incident_updates).toHaveLength(2);
    expect(summary.scheduled_maintenances).toEqual([
      expect.objectContaining({ name: 'Database upgrade', status: 'scheduled' }),
    ]);
    // The schema rejects what it should: a wrong indicator.
    expect(validate({ ...summary, status: { indicator: 'amber', description: 'x' } })).toBe(false);
  });
});
