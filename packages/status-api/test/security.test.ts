/**
 * Every endpoint: no key (401), unknown key (401), wrong role (403), bad query/body (400 naming
 * the field) and the happy path; rate limiting, body limits, security headers, trailing
 * slashes, and a scan of public answers for internal detail.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defineHealthCheck,
  httpCheck,
  MonitoringConfigError,
  postgresCheck,
  problemTypes,
} from '../src/index.ts';
import { bearer, buildApp, createMetrics, readKey, writeKey } from './monitoring-support.ts';

const metrics = createMetrics();
let app: FastifyInstance;

beforeAll(async () => {
  metrics.meter
    .createCounter('auth.login.attempts')
    .add(3, { 'auth.method': 'password', 'auth.outcome': 'success' });
  app = await buildApp({
    metricsSource: metrics.source,
    checks: [defineHealthCheck('ok', async () => ({ status: 'pass' }))],
  });
});
afterAll(async () => {
  await app?.close();
  await metrics.provider.shutdown();
});

interface Case {
  method: 'GET' | 'POST';
  url: string;
  role: 'read' | 'write';
  /** A request that fails validation, and the field the 400 must name. */
  bad?: { query?: string; body?: unknown; field: string };
  body?: unknown;
}

const protectedEndpoints: Case[] = [
  {
    method: 'GET',
    url: '/monitoring/health/detailed/',
    role: 'read',
    bad: { query: 'fresh=maybe', field: 'fresh' },
  },
  {
    method: 'POST',
    url: '/monitoring/health/run/',
    role: 'write',
    body: {},
    bad: { body: { checks: ['Not A Check'] }, field: 'checks.0' },
  },
  { method: 'GET', url: '/monitoring/metrics/', role: 'read' },
  {
    method: 'GET',
    url: '/monitoring/metrics/business/',
    role: 'read',
    bad: { query: 'period=2y', field: 'period' },
  },
  {
    method: 'GET',
    url: '/monitoring/metrics/security/',
    role: 'read',
    bad: { query: 'period=1w', field: 'period' },
  },
  {
    method: 'GET',
    url: '/monitoring/metrics/performance/',
    role: 'read',
    bad: { query: 'period=x', field: 'period' },
  },
  {
    method: 'GET',
    url: '/monitoring/compliance/report/',
    role: 'read',
    bad: { query: 'format=xml', field: 'format' },
  },
  {
    method: 'GET',
    url: '/monitoring/dashboards/',
    role: 'read',
    bad: { query: 'dashboard=..%2Fetc', field: 'dashboard' },
  },
  { method: 'GET', url: '/monitoring/docs/json', role: 'read' },
];

function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  status: number,
  code: string,
) {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(res.json()).toMatchObject({
    status,
    code,
    title: problemTypes[code as keyof typeof problemTypes].title,
  });
}

describe.each(protectedEndpoints)('$method $url', (c) => {
  const send = (headers: Record<string, string>, extra: { query?: string; body?: unknown } = {}) =>
    app.inject({
      method: c.method,
      url: extra.query ? `${c.url}?${extra.query}` : c.url,
      headers,
      ...(c.method === 'POST' && { payload: (extra.body ?? c.body) as object }),
    });

  it('answers 401 without a key and with an unknown key', async () => {
    expectProblem(await send({}), 401, 'missing_api_key');
    expectProblem(await send(bearer('not-a-real-key-0000000000')), 401, 'invalid_api_key');
    expectProblem(await send({ authorization: `Basic ${readKey}` }), 401, 'invalid_api_key');
  });

  it('checks the role', async () => {
    if (c.role === 'write') {
      expectProblem(await send(bearer(readKey)), 403, 'insufficient_role');
    } else {
      // read endpoints accept both roles (write implies read)
      expect((await send(bearer(writeKey))).statusCode).toBe(200);
    }
  });

  // Endpoints without query or body input have no field to get wrong: no 400 case for them.
  const bad = c.bad;
  if (bad !== undefined) {
    it('answers 400 naming the field', async () => {
      const res = await send(bearer(c.role === 'write' ? writeKey : readKey), bad);
      expectProblem(res, 400, 'invalid_field');
      expect(res.json()).toMatchObject({ field: bad.field });
      expect(res.json().detail).toContain(bad.field);
    });
  }

  it('serves the happy path, with and without the trailing slash', async () => {
    const key = bearer(c.role === 'write' ? writeKey : readKey);
    const res = await send(key);
    expect(res.statusCode).toBe(200);
    const alias = c.url.endsWith('/') ? c.url.slice(0, -1) : `${c.url}/`;
    const res2 = await app.inject({
      method: c.method,
      url: alias,
      headers: key,
      ...(c.method === 'POST' && { payload: {} }),
    });
    expect(res2.statusCode, alias).toBe(c.url.endsWith('/') ? 200 : 404);
  });
});

describe('alert routes get the same guards', () => {
  const alert = { name: 'test_alert', severity: 'medium', message: 'Test alert', source: 'manual' };
  it('POST /monitoring/alerts/create/: 401 without a key, 403 with a read key, 201 with a write key', async () => {
    const url = '/monitoring/alerts/create/';
    expectProblem(await app.inject({ method: 'POST', url, payload: alert }), 401, 'missing_api_key');
    expectProblem(
      await app.inject({ method: 'POST', url, payload: alert, headers: bearer(readKey) }),
      403,
      'insufficient_role',
    );
    const created = await app.inject({ method: 'POST', url, payload: alert, headers: bearer(writeKey) });
    expect(created.statusCode).toBeLessThan(300);
    expect(created.json().id).toBeDefined();
    const list = await app.inject({ url: '/monitoring/alerts/', headers: bearer(readKey) });
    expect(list.statusCode).toBe(200);
  });
});

describe('public endpoints', () => {
  it.each([
    '/monitoring/health/',
    '/monitoring/health/live/',
    '/monitoring/health/ready/',
    '/monitoring/status/',
  ])('%s needs no key, with and without the trailing slash', async (url) => {
    expect((await app.inject({ url })).statusCode).toBe(200);
    expect((await app.inject({ url: url.slice(0, -1) })).statusCode).toBe(200);
  });

  it('answers 400 naming the field on a bad status format', async () => {
    const res = await app.inject({ url: '/monitoring/status/?format=xml' });
    expectProblem(res, 400, 'invalid_field');
    expect(res.json().field).toBe('format');
  });

  it('answers unknown paths under the prefix with a problem', async () => {
    expectProblem(await app.inject({ url: '/monitoring/nope/' }), 404, 'not_found');
  });
});

describe('public answers carry no internal detail', () => {
  let leaky: FastifyInstance;
  beforeAll(async () => {
    leaky = await buildApp({
      serviceName: 'Example Auth',
      healthCheckTimeoutSeconds: 2,
      checks: [
        postgresCheck({ connectionString: 'postgres://u:p@127.0.0.1:1/db', displayName: 'Database' }),
        httpCheck({
          name: 'oauth-google',
          url: 'http://idp.internal.invalid/health',
          displayName: 'Google sign-in',
        }),
        defineHealthCheck(
          'sms',
          async () => {
            throw new Error('connect ECONNREFUSED 10.1.2.3:443 sms-gateway.corp.local v2.3.4');
          },
          { critical: false, displayName: 'SMS delivery' },
        ),
      ],
    });
  });
  afterAll(async () => leaky?.close());

  it('finds no hostnames, versions, error strings or stack traces', async () => {
    const urls = [
      '/monitoring/health/',
      '/monitoring/health',
      '/monitoring/health/live/',
      '/monitoring/health/ready/',
      '/monitoring/status/',
      '/monitoring/status/?format=html',
      '/monitoring/nope',
      '/monitoring/status/?format=bad',
    ];
    const forbidden = [
      /127\.0\.0\.1/,
      /10\.1\.2\.3/,
      /localhost/i,
      /internal/i,
      /corp\.local/i,
      new RegExp(os.hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i'),
      /\bv?\d+\.\d+\.\d+\b/, // versions
      /node|fastify|postgres(?!ql)|redis/i,
      /error|ECONN|ENOTFOUND|timed out|refused/i,
      /\n\s+at /, // stack frames
    ];
    let failingSeen = false;
    for (const url of urls) {
      const res = await leaky.inject({ url });
      const text = `${JSON.stringify(res.headers)}\n${res.body}`;
      if (url.startsWith('/monitoring/status/?format=html')) failingSeen = res.body.includes('Major outage');
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers.server).toBeUndefined();
      for (const pattern of forbidden) expect(text, `${url} matched ${pattern}`).not.toMatch(pattern);
    }
    expect(failingSeen).toBe(true);
    // the same failure is visible, with its error, to an authenticated operator
    const detailed = await leaky.inject({ url: '/monitoring/health/detailed/', headers: bearer(readKey) });
    expect(detailed.statusCode).toBe(503);
    expect(detailed.body).toContain('ECONNREFUSED 10.1.2.3');
  });
});

describe('limits and headers', () => {
  let limited: FastifyInstance;
  beforeAll(async () => {
    limited = await buildApp({ rateLimitPerMinute: 5, bodyLimitBytes: 1024 });
  });
  afterAll(async () => limited?.close());

  it('rate limits with a 429 problem and Retry-After', async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<FastifyInstance['inject']>> | undefined;
    for (let i = 0; i < 7; i++) {
      last = await limited.inject({ url: '/monitoring/health/live/' });
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expectProblem(last!, 429, 'rate_limited');
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('rejects a body over the limit with 413 before running anything', async () => {
    const app2 = await buildApp({ bodyLimitBytes: 1024 });
    const res = await app2.inject({
      method: 'POST',
      url: '/monitoring/health/run/',
      headers: { ...bearer(writeKey), 'content-type': 'application/json' },
      payload: JSON.stringify({ checks: Array.from({ length: 200 }, (_, i) => `check-${i}`) }),
    });
    expectProblem(res, 413, 'body_too_large');
    expect(res.json().field).toBe('body');
    const bad = await app2.inject({
      method: 'POST',
      url: '/monitoring/health/run/',
      headers: { ...bearer(writeKey), 'content-type': 'application/json' },
      payload: '{"checks":',
    });
    expectProblem(bad, 400, 'invalid_field');
    await app2.close();
  });

  it('sends security headers', async () => {
    const res = await app.inject({ url: '/monitoring/status/' });
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });
});

describe('OpenAPI document', () => {
  it('is generated from the route schemas, documents the slash form only, with bearer auth', async () => {
    const res = await app.inject({ url: '/monitoring/docs/json', headers: bearer(readKey) });
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.keys(doc.paths);
    for (const p of [
      '/monitoring/health/',
      '/monitoring/health/live/',
      '/monitoring/health/ready/',
      '/monitoring/health/detailed/',
      '/monitoring/status/',
      '/monitoring/metrics/',
      '/monitoring/metrics/business/',
      '/monitoring/metrics/security/',
      '/monitoring/metrics/performance/',
      '/monitoring/compliance/report/',
      '/monitoring/dashboards/',
    ]) {
      expect(documented).toContain(p);
    }
    expect(documented).not.toContain('/monitoring/health');
    expect(doc.paths['/monitoring/metrics/business/'].get.parameters[0]).toMatchObject({
      name: 'period',
      in: 'query',
    });
    expect(doc.paths['/monitoring/metrics/business/'].get.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/monitoring/metrics/business/'].get.responses['401']).toBeDefined();
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('has a docs page behind the read key', async () => {
    expect((await app.inject({ url: '/monitoring/docs/' })).statusCode).toBe(401);
    const page = await app.inject({ url: '/monitoring/docs/', headers: bearer(readKey) });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('swagger');
  });
});

describe('configuration errors name the setting', () => {
  it.each([
    [{ MONITORING_API_KEYS: 'ops:short:read' }, 'MONITORING_API_KEYS'],
    [{ MONITORING_API_KEYS: `ops:${readKey}:admin` }, 'MONITORING_API_KEYS'],
    [{ HEALTH_CHECK_TIMEOUT_SECONDS: 'five' }, 'HEALTH_CHECK_TIMEOUT_SECONDS'],
    [{ HEALTH_CHECK_CACHE_TTL_SECONDS: '-1' }, 'HEALTH_CHECK_CACHE_TTL_SECONDS'],
    [{ PROMETHEUS_URL: 'ftp://x' }, 'PROMETHEUS_URL'],
    [{ MONITORING_SLO_TARGET: '1.5' }, 'MONITORING_SLO_TARGET'],
  ])('%o', async (env, setting) => {
    const err = await buildApp({ env, apiKeys: undefined }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MonitoringConfigError);
    expect((err as MonitoringConfigError).setting).toBe(setting);
    expect((err as Error).message).toMatch(new RegExp(`^${setting}: `));
    // never echo a key back
    expect((err as Error).message).not.toContain(readKey);
  });
});

describe('error table and docs stay in step', () => {
  it('docs/status-api.md lists exactly the codes of src/errors.ts with their status', () => {
    const doc = readFileSync(path.resolve(import.meta.dirname, '../../../docs/status-api.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| `([a-z_]+)` +\| (\d{3}) +\|/gm)].map((m) => [m[1], Number(m[2])]);
    expect(Object.fromEntries(rows)).toEqual(
      Object.fromEntries(Object.entries(problemTypes).map(([code, t]) => [code, t.status])),
    );
  });
});
