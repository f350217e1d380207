/**
 * Issue 13, part 3: bodies validated without type coercion; query numbers out of range are 400
 * (not a store error); every error the API answers, Fastify's and Node's included, is
 * `application/problem+json`, names the field where there is one and repeats none of the
 * client's input; `MONITORING_RATE_LIMIT_PER_MINUTE=false` disables the limit.
 */
import http from 'node:http';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeOptions } from '../src/options.ts';
import { buildServer, type StandaloneServer } from '../src/server.ts';
import { forbiddenKey } from '../src/strict-input.ts';
import { apiKeys, bearer, buildApp, writeKey } from './support/monitoring-support.ts';

const W = { ...bearer(writeKey), 'content-type': 'application/json' };
/** A string no answer may contain: it marks what the client sent. */
const MARK = 'zq7marker';

interface Answer {
  status: number;
  type: string;
  body: Record<string, unknown>;
  text: string;
}

function expectProblem(a: Answer, status: number, code: string, field?: string) {
  expect(a.status, a.text).toBe(status);
  expect(a.type).toMatch(/^application\/problem\+json/);
  expect(a.body).toMatchObject({ status, code });
  if (field !== undefined) expect(a.body.field).toBe(field);
  expect(a.text).not.toContain(MARK);
}

describe('strict bodies and problem answers (plugin, via inject)', () => {
  let app: FastifyInstance;
  let alertId: string;
  beforeAll(async () => {
    app = await buildApp();
    const res = await app.inject({
      method: 'POST',
      url: '/monitoring/alerts/create/',
      headers: W,
      payload: { name: 'strict_input', severity: 'low', message: 'm' },
    });
    alertId = res.json().id;
  });
  afterAll(() => app.close());

  const send = async (
    method: 'GET' | 'POST',
    url: string,
    payload?: string,
    headers = W,
  ): Promise<Answer> => {
    const res = await app.inject({ method, url, headers, ...(payload !== undefined && { payload }) });
    let body: Record<string, unknown> = {};
    try {
      body = res.json();
    } catch {}
    return { status: res.statusCode, type: String(res.headers['content-type']), body, text: res.body };
  };
  const create = (body: Record<string, unknown>) =>
    send(
      'POST',
      '/monitoring/alerts/create/',
      JSON.stringify({ name: 'strict_x', severity: 'high', message: 'm', ...body }),
    );

  it.each([
    [{ severity: ['high'] }, 'severity'],
    [{ message: 123 }, 'message'],
    [{ name: true }, 'name'],
    [{ labels: { a: 1 } }, 'labels.a'],
    [{ annotations: { a: false } }, 'annotations.a'],
    [{ source: null }, 'source'],
  ])('create refuses %j instead of coercing it (field %s)', async (body, field) => {
    const a = await create(body);
    expectProblem(a, 400, 'invalid_field', field);
    expect(String(a.body.detail)).toMatch(/must be string/);
  });

  it('a well-typed create still works, and query strings are still read as numbers', async () => {
    expect((await create({ labels: { a: '1' } })).status).toBe(201);
    const list = await send('GET', '/monitoring/alerts/?limit=2&offset=0');
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ limit: 2, offset: 0 });
  });

  it('silence durationSeconds "60" and acknowledge {"by":5} are refused', async () => {
    const silence = await send(
      'POST',
      '/monitoring/alerts/silences/',
      JSON.stringify({ matchers: ['a=b'], durationSeconds: '60' }),
    );
    expectProblem(silence, 400, 'invalid_field', 'durationSeconds');
    const ack = await send('POST', `/monitoring/alerts/${alertId}/acknowledge/`, JSON.stringify({ by: 5 }));
    expectProblem(ack, 400, 'invalid_field', 'by');
    expect((await app.inject({ url: `/monitoring/alerts/${alertId}/`, headers: W })).json().status).toBe(
      'firing',
    );
  });

  it.each([
    ['offset=99999999999999999999', 'offset'],
    ['offset=-1', 'offset'],
    ['offset=1.5', 'offset'],
    ['limit=100000000000', 'limit'],
    [`limit=${MARK}`, 'limit'],
  ])('query %s is a 400 naming the field, not a 500', async (query, field) => {
    expectProblem(await send('GET', `/monitoring/alerts/?${query}`), 400, 'invalid_field', field);
  });

  it('unknown names in a query or body are named by field, not repeated', async () => {
    expectProblem(
      await send('GET', `/monitoring/alerts/?status=firing,${MARK}`),
      400,
      'invalid_field',
      'status',
    );
    expectProblem(
      await send('GET', `/monitoring/dashboards/?dashboard=${MARK}`),
      404,
      'unknown_dashboard',
      'dashboard',
    );
    const run = await send('POST', '/monitoring/health/run/', JSON.stringify({ checks: ['process', MARK] }));
    expectProblem(run, 404, 'not_found', 'checks.1');
  });

  it('an unknown route under the prefix is a problem that does not repeat the path', async () => {
    for (const url of [`/monitoring/${MARK}/`, `/monitoring/alerts/a/b/${MARK}`]) {
      expectProblem(await send('GET', url), 404, 'not_found');
    }
  });

  it('a body that is not JSON is 415 naming the content type; bad JSON is 400', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const a = await send('POST', '/monitoring/alerts/create/', `${MARK}=1`, { ...W, 'content-type': type });
      expectProblem(a, 415, 'unsupported_media_type', 'content-type');
    }
    expectProblem(
      await send('POST', '/monitoring/alerts/create/', `{"name": "${MARK}`),
      400,
      'invalid_field',
      'body',
    );
  });

  it('an empty body sent as JSON is no body: DELETE works, a create still needs its fields', async () => {
    const silence = await send(
      'POST',
      '/monitoring/alerts/silences/',
      JSON.stringify({ matchers: ['a=b'], durationSeconds: 60 }),
    );
    const del = await app.inject({
      method: 'DELETE',
      url: `/monitoring/alerts/silences/${silence.body.id}/`,
      headers: W,
    });
    expect(del.statusCode).toBe(200);
    expectProblem(await send('POST', '/monitoring/alerts/create/', ''), 400, 'invalid_field', 'body');
  });

  it('__proto__ and constructor.prototype keys are refused by name, not as "not valid JSON"', async () => {
    const top = await send(
      'POST',
      '/monitoring/alerts/create/',
      `{"name":"x","severity":"high","message":"${MARK}","__proto__":{"polluted":true}}`,
    );
    expectProblem(top, 400, 'invalid_field', '__proto__');
    expect(String(top.body.detail)).toMatch(/never accepted/);
    const nested = await send(
      'POST',
      '/monitoring/alerts/create/',
      `{"name":"x","severity":"high","message":"m","labels":{"constructor":{"prototype":{"x":"${MARK}"}}}}`,
    );
    expectProblem(nested, 400, 'invalid_field', 'labels.constructor.prototype');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    [
      'POST',
      '/monitoring/alerts/create/',
      { name: 'strict_u', severity: 'high', message: 'm', label: MARK },
      'label',
    ],
    [
      'POST',
      '/monitoring/alerts/silences/',
      { matchers: ['a=b'], durationSeconds: 60, until: MARK },
      'until',
    ],
    ['POST', '/monitoring/alerts/{id}/acknowledge/', { by: 'ops', reason: MARK }, 'reason'],
    ['POST', '/monitoring/alerts/{id}/resolve/', { by: 'ops', note: { text: MARK } }, 'note'],
    ['POST', '/monitoring/health/run/', { checks: ['process'], only: MARK }, 'only'],
  ] as const)('%s %s refuses an unknown key by name, without its value', async (method, url, body, field) => {
    const a = await send(method, url.replace('{id}', alertId), JSON.stringify(body));
    expectProblem(a, 400, 'invalid_field', field);
    expect(a.body.detail).toBe(`body field '${field}' is not a field of this body`);
    // Refused, not stripped: nothing happened.
    expect((await app.inject({ url: `/monitoring/alerts/${alertId}/`, headers: W })).json().status).toBe(
      'firing',
    );
  });

  it('an unknown key inside a body object is named by its path', async () => {
    const a = await send(
      'POST',
      '/monitoring/alerts/create/',
      JSON.stringify({
        name: 'x',
        severity: 'high',
        message: 'm',
        labels: { a: 'b' },
        extra: { deep: MARK },
      }),
    );
    expectProblem(a, 400, 'invalid_field', 'extra');
  });

  it('the Alertmanager webhook takes every field Alertmanager 0.25 sends, and fields it may add later', async () => {
    const payload = {
      version: '4',
      groupKey: '{}/{}:{alertname="StrictAm"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'authlens',
      groupLabels: { alertname: 'StrictAm' },
      commonLabels: { alertname: 'StrictAm', severity: 'warning' },
      commonAnnotations: { summary: 's' },
      externalURL: 'http://alertmanager:9093',
      futureGroupField: { anything: [1, 2] },
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'StrictAm', severity: 'warning', instance: 'i1' },
          annotations: { summary: 's' },
          startsAt: '2026-12-04T20:00:00Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
          fingerprint: 'c4a1f0b2d3e4f5a6',
          futureAlertField: true,
        },
      ],
    };
    const url = '/monitoring/alerts/webhooks/alertmanager/';
    const ok = await send('POST', url, JSON.stringify(payload));
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toEqual({ firing: 1, resolved: 0 });
    // The declared fields are still typed, without coercion.
    for (const [patch, field] of [
      [{ truncatedAlerts: '3' }, 'truncatedAlerts'],
      [{ externalURL: 5 }, 'externalURL'],
      [{ commonLabels: { a: 1 } }, 'commonLabels.a'],
      [{ groupKey: [MARK] }, 'groupKey'],
    ] as const) {
      expectProblem(
        await send('POST', url, JSON.stringify({ ...payload, ...patch })),
        400,
        'invalid_field',
        field,
      );
    }
  });

  it('a key with odd characters is named as <key>, never repeated', async () => {
    const key = `<script>${MARK}</script>`;
    const a = await create({ labels: { [key]: 'v' } });
    expectProblem(a, 400, 'invalid_field', 'labels.<key>');
  });

  it('forbiddenKey finds keys at any depth, in arrays too, and ignores look-alikes', () => {
    expect(forbiddenKey(JSON.parse('{"a":[{"b":{"__proto__":1}}]}'))).toBe('a.0.b.__proto__');
    expect(forbiddenKey(JSON.parse('{"constructor":"x","proto":{"prototype":1}}'))).toBeUndefined();
    expect(forbiddenKey(JSON.parse('{"constructor":{"prototype":{}}}'))).toBe('constructor.prototype');
  });
});

describe('errors raised before any route (standalone server, real sockets)', () => {
  let server: StandaloneServer;
  let base: string;
  beforeAll(async () => {
    server = await buildServer({
      port: 0,
      host: '127.0.0.1',
      logger: false,
      apiKeys,
      env: {},
      alerts: { managerOptions: { storeUrl: 'sqlite::memory:', workers: false, env: {} } },
    });
    base = await server.start();
  });
  afterAll(() => server.close());

  /** A raw request (fetch would refuse some of these URLs and headers itself). */
  const raw = (path: string, headers: Record<string, string> = {}) =>
    new Promise<Answer>((resolve, reject) => {
      const req = http.request(`${base}${path}`, { headers: { ...bearer(writeKey), ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type']),
            body: JSON.parse(text),
            text,
          });
        });
      });
      req.on('error', reject);
      req.end();
    });

  it('a URL that is not valid percent-encoding', async () => {
    expectProblem(await raw(`/monitoring/alerts/%ff${MARK}/`), 400, 'invalid_field', 'path');
  });

  it('a path parameter over maxParamLength (an id of 60,000 characters is over the header size)', async () => {
    expectProblem(await raw(`/monitoring/alerts/${MARK}${'a'.repeat(500)}/`), 414, 'uri_too_long', 'path');
    expectProblem(await raw(`/monitoring/alerts/${MARK}${'a'.repeat(60_000)}/`), 431, 'headers_too_large');
  });

  it('headers over Node’s maxHeaderSize', async () => {
    expectProblem(await raw('/monitoring/health/', { 'x-big': MARK.repeat(4000) }), 431, 'headers_too_large');
  });

  it('the server still answers afterwards', async () => {
    expect((await fetch(`${base}/monitoring/health/live/`)).status).toBe(200);
  });
});

describe('the Alertmanager webhook has its own body limit', () => {
  it('takes a group far over the create limit, and still refuses one over its own', async () => {
    const app = await buildApp({ webhookBodyLimitBytes: 64 * 1024 });
    try {
      const group = (n: number) =>
        JSON.stringify({
          version: '4',
          alerts: Array.from({ length: n }, (_, i) => ({
            status: 'firing',
            labels: { alertname: 'BodyLimit', instance: `i${i}` },
            annotations: { summary: 's', description: 'd'.repeat(1000) },
          })),
        });
      const post = (url: string, payload: string) => app.inject({ method: 'POST', url, headers: W, payload });
      const big = group(30); // ~32 KB: twice the 16 KiB of every other route
      expect((await post('/monitoring/alerts/webhooks/alertmanager/', big)).json()).toEqual({
        firing: 30,
        resolved: 0,
      });
      const create = await post(
        '/monitoring/alerts/create/',
        JSON.stringify({ name: 'x', severity: 'low', message: 'm'.repeat(20_000) }),
      );
      expect(create.statusCode).toBe(413);
      const tooBig = await post('/monitoring/alerts/webhooks/alertmanager/', group(70));
      expect(tooBig.statusCode).toBe(413);
      expect(tooBig.json()).toMatchObject({
        code: 'body_too_large',
        field: 'body',
        detail: 'the body exceeds 65536 bytes',
      });
    } finally {
      await app.close();
    }
  });

  it('reads MONITORING_WEBHOOK_BODY_LIMIT_BYTES, default 10 MiB, never below the body limit', () => {
    expect(normalizeOptions({ env: {} }).webhookBodyLimitBytes).toBe(10 * 1024 * 1024);
    expect(
      normalizeOptions({ env: { MONITORING_WEBHOOK_BODY_LIMIT_BYTES: '2000000' } }).webhookBodyLimitBytes,
    ).toBe(2_000_000);
    expect(() =>
      normalizeOptions({
        env: { MONITORING_BODY_LIMIT_BYTES: '50000', MONITORING_WEBHOOK_BODY_LIMIT_BYTES: '20000' },
      }),
    ).toThrow(/^MONITORING_WEBHOOK_BODY_LIMIT_BYTES: '20000' is not an integer ≥ the body limit \(50000\)/);
  });
});

describe('MONITORING_RATE_LIMIT_PER_MINUTE=false', () => {
  it('disables the limit, as documented', async () => {
    expect(normalizeOptions({ env: { MONITORING_RATE_LIMIT_PER_MINUTE: 'false' } }).rateLimitPerMinute).toBe(
      false,
    );
    expect(normalizeOptions({ env: { MONITORING_RATE_LIMIT_PER_MINUTE: '5' } }).rateLimitPerMinute).toBe(5);
    expect(() => normalizeOptions({ env: { MONITORING_RATE_LIMIT_PER_MINUTE: 'no' } })).toThrow(
      /MONITORING_RATE_LIMIT_PER_MINUTE: 'no' is not a positive integer/,
    );
    // And in effect: far past the default 120 per minute, nothing is throttled.
    const app = await buildApp({
      rateLimitPerMinute: undefined,
      env: { MONITORING_RATE_LIMIT_PER_MINUTE: 'false' },
    });
    const limited = await buildApp({
      rateLimitPerMinute: undefined,
      env: { MONITORING_RATE_LIMIT_PER_MINUTE: '3' },
    });
    try {
      const statuses = async (a: FastifyInstance) => {
        const out: number[] = [];
        for (let i = 0; i < 130; i++) out.push((await a.inject({ url: '/monitoring/health/' })).statusCode);
        return out;
      };
      expect((await statuses(app)).filter((s) => s === 429)).toEqual([]);
      expect((await statuses(limited)).filter((s) => s === 429).length).toBe(127);
    } finally {
      await app.close();
      await limited.close();
    }
  });
});
