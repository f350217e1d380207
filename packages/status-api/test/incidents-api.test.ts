/**
 * The incident API through the monitoring plugin (on the in-memory SQLite alert store): keyed,
 * schema-first and in the OpenAPI document, strict bodies (no type coercion, unknown keys
 * refused), problem+json naming the field; and what the public page and feeds make of it.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineHealthCheck } from '../src/index.ts';
import { bearer, buildApp, readKey, writeKey } from './support/monitoring-support.ts';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildApp({
    serviceName: 'Example Auth',
    checks: [
      defineHealthCheck('user-db', async () => ({ status: 'pass' }), { displayName: 'User database' }),
    ],
  });
});
afterAll(async () => app?.close());

const post = (url: string, payload: unknown, key = writeKey) =>
  app.inject({ method: 'POST', url, headers: bearer(key), payload: payload as object });

const valid = {
  title: 'Sign-in is slow',
  impact: 'minor',
  components: ['user-db'],
  body: 'We are investigating slow sign-ins.',
};

describe('incident API', () => {
  it('opens an incident with a write key and lists it with a read key', async () => {
    const res = await post('/monitoring/incidents/', valid);
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({
      kind: 'incident',
      status: 'investigating',
      impact: 'minor',
      origin: 'api',
    });
    expect(created.updates).toHaveLength(1);
    const list = await app.inject({ url: '/monitoring/incidents', headers: bearer(readKey) });
    expect(list.json().items.map((i: { id: string }) => i.id)).toContain(created.id);
    const one = await app.inject({ url: `/monitoring/incidents/${created.id}/`, headers: bearer(readKey) });
    expect(one.json().title).toBe('Sign-in is slow');
  });

  it('needs the write role to change anything', async () => {
    expect((await post('/monitoring/incidents/', valid, readKey)).statusCode).toBe(403);
    const anonymous = await app.inject({ method: 'POST', url: '/monitoring/incidents/', payload: valid });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it.each([
    [{ ...valid, impact: 1 }, 'impact'],
    [{ ...valid, title: 42 }, 'title'],
    [{ ...valid, components: 'user-db' }, 'components'],
    [{ ...valid, titel: 'typo' }, 'titel'],
    [{ ...valid, body: '   ' }, 'body'],
    [{ ...valid, impact: 'huge' }, 'impact'],
    [{ ...valid, components: ['nope'] }, 'components[0]'],
    [{ ...valid, status: 'completed' }, 'status'],
    [{ ...valid, kind: 'maintenance' }, 'scheduledFor'],
    [{ ...valid, scheduledFor: 'tomorrow' }, 'scheduledFor'],
  ])('refuses %j naming the field, without coercing types', async (payload, field) => {
    const res = await post('/monitoring/incidents/', payload);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'invalid_field', field });
  });

  it('refuses an unknown key by name (the same rule as every body), never echoing its value', async () => {
    const marker = 'zq7incident';
    for (const [url, payload] of [
      ['/monitoring/incidents/', { ...valid, severity: marker }],
      ['/monitoring/incidents/any-id/updates/', { status: 'identified', body: 'b', eta: marker }],
    ] as const) {
      const res = await post(url, payload);
      const field = Object.keys(payload).at(-1);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({
        code: 'invalid_field',
        field,
        detail: `body field '${field}' is not a field of this body`,
      });
      expect(res.body).not.toContain(marker);
    }
  });

  it('adds updates to the timeline; a resolved incident takes no more (409); unknown ids are 404', async () => {
    const { id } = (await post('/monitoring/incidents/', valid)).json();
    const identified = await post(`/monitoring/incidents/${id}/updates/`, {
      status: 'identified',
      body: 'A slow query; a fix is being deployed.',
      impact: 'major',
    });
    expect(identified.statusCode).toBe(201);
    expect(identified.json()).toMatchObject({ status: 'identified', impact: 'major' });
    const wrongType = await post(`/monitoring/incidents/${id}/updates/`, { status: 'resolved', body: 7 });
    expect(wrongType.json()).toMatchObject({ code: 'invalid_field', field: 'body' });
    const resolved = await post(`/monitoring/incidents/${id}/updates/`, {
      status: 'resolved',
      body: 'Fixed.',
    });
    expect(resolved.json().resolvedAt).not.toBeNull();
    expect(resolved.json().updates.map((u: { status: string }) => u.status)).toEqual([
      'investigating',
      'identified',
      'resolved',
    ]);
    const again = await post(`/monitoring/incidents/${id}/updates/`, { status: 'monitoring', body: 'x' });
    expect(again.statusCode).toBe(409);
    expect(again.json().field).toBe('status');
    const missing = await post('/monitoring/incidents/no-such-id/updates/', {
      status: 'resolved',
      body: 'x',
    });
    expect(missing.statusCode).toBe(404);
  });

  it('schedules maintenance with maintenance statuses', async () => {
    const start = new Date(Date.now() + 86_400_000);
    const res = await post('/monitoring/incidents/', {
      kind: 'maintenance',
      title: 'Database upgrade',
      impact: 'none',
      body: 'Sign-in may be briefly unavailable.',
      components: ['user-db'],
      scheduledFor: start.toISOString(),
      scheduledUntil: new Date(start.getTime() + 3_600_000).toISOString(),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ kind: 'maintenance', status: 'scheduled' });
    const bad = await post(`/monitoring/incidents/${res.json().id}/updates/`, {
      status: 'identified',
      body: 'x',
    });
    expect(bad.json()).toMatchObject({ code: 'invalid_field', field: 'status' });
  });

  it('is in the OpenAPI document with bearer auth and its error answers', async () => {
    const doc = (await app.inject({ url: '/monitoring/docs/json', headers: bearer(readKey) })).json();
    const ops = Object.entries(
      doc.paths as Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>,
    )
      .filter(([p]) => p.startsWith('/monitoring/incidents'))
      .flatMap(([p, o]) => Object.entries(o).map(([m, op]) => ({ name: `${m.toUpperCase()} ${p}`, op })));
    expect(ops.map((o) => o.name).sort()).toEqual(
      [
        'GET /monitoring/incidents/',
        'POST /monitoring/incidents/',
        'GET /monitoring/incidents/{id}/',
        'POST /monitoring/incidents/{id}/updates/',
      ].sort(),
    );
    for (const { name, op } of ops) {
      expect(op.security, name).toEqual([{ bearerAuth: [] }]);
      for (const code of ['400', '401', '403', '429', '500'])
        expect(op.responses[code], `${name} ${code}`).toBeDefined();
    }
    expect(doc.paths['/monitoring/status/summary.json'].get).toBeDefined();
    expect(doc.paths['/monitoring/status/feed.atom'].get).toBeDefined();
  });
});

describe('public page, feeds and caching', () => {
  it('shows open incidents with their public text and the Statuspage indicator', async () => {
    const summary = await app.inject({ url: '/monitoring/status/summary.json' });
    expect(summary.statusCode).toBe(200);
    const body = summary.json();
    expect(body.status.indicator).toBe('minor'); // the open minor incident of the first test
    expect(body.incidents.map((i: { name: string }) => i.name)).toContain('Sign-in is slow');
    expect(body.components).toEqual([
      expect.objectContaining({ name: 'Application', status: 'operational' }),
      expect.objectContaining({ name: 'User database', status: 'operational' }),
    ]);
    // internal check names never appear; ids are opaque
    expect(summary.body).not.toContain('user-db');
    const html = await app.inject({ url: '/monitoring/status/?format=html' });
    expect(html.body).toContain('Sign-in is slow');
    expect(html.body).toContain('Affects: User database');
  });

  it('answers 304 to a matching If-None-Match, with Cache-Control', async () => {
    for (const url of [
      '/monitoring/status/?format=html',
      '/monitoring/status/summary.json',
      '/monitoring/status/feed.atom',
      '/monitoring/status/',
    ]) {
      const first = await app.inject({ url });
      expect(first.headers['cache-control'], url).toMatch(/public, max-age=\d+/);
      const tag = first.headers.etag as string;
      expect(tag, url).toMatch(/^W\/"/);
      const second = await app.inject({ url, headers: { 'if-none-match': tag } });
      expect(second.statusCode, url).toBe(304);
      expect(second.body).toBe('');
      const other = await app.inject({ url, headers: { 'if-none-match': 'W/"something-else"' } });
      expect(other.statusCode, url).toBe(200);
    }
  });

  it('a new update changes the ETag', async () => {
    const before = (await app.inject({ url: '/monitoring/status/summary.json' })).headers.etag as string;
    const { id } = (await post('/monitoring/incidents/', { ...valid, title: 'Another one' })).json();
    expect(id).toBeTruthy();
    const after = await app.inject({
      url: '/monitoring/status/summary.json',
      headers: { 'if-none-match': before },
    });
    expect(after.statusCode).toBe(200);
  });
});

describe('status page options', () => {
  it('refuses a bad public URL or bar length at registration, naming the option', async () => {
    await expect(buildApp({ statusPage: { publicUrl: 'ftp://status.example' } })).rejects.toThrow(
      /^statusPage\.publicUrl: /,
    );
    await expect(buildApp({ statusPage: { days: 3 } })).rejects.toThrow(/^statusPage\.days: /);
  });

  it('links absolutely to a configured public URL, and path-only otherwise', async () => {
    const withUrl = await buildApp({ statusPage: { publicUrl: 'https://status.example.com/auth' } });
    try {
      const feed = (await withUrl.inject({ url: '/monitoring/status/feed.atom' })).body;
      expect(feed).toContain(
        '<link rel="self" type="application/atom+xml" href="https://status.example.com/auth/feed.atom"/>',
      );
      const summary = (await withUrl.inject({ url: '/monitoring/status/summary.json' })).json();
      expect(summary.page.url).toBe('https://status.example.com/auth/');
    } finally {
      await withUrl.close();
    }
    const feed = (
      await app.inject({ url: '/monitoring/status/feed.atom', headers: { host: 'evil.example' } })
    ).body;
    expect(feed).toContain('href="/monitoring/status/feed.atom"');
    expect(feed).not.toContain('evil.example');
  });

  it('statusPage: false keeps the page to the present (no incident routes)', async () => {
    const off = await buildApp({ statusPage: false });
    try {
      expect((await off.inject({ url: '/monitoring/incidents/', headers: bearer(readKey) })).statusCode).toBe(
        404,
      );
      expect((await off.inject({ url: '/monitoring/status/summary.json' })).json().incidents).toEqual([]);
    } finally {
      await off.close();
    }
  });
});
