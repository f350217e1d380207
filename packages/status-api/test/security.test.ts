/**
 * Every endpoint: no key (401), unknown key (401), wrong role (403), bad query/body (400 naming
 * the field) and the happy path; rate limiting, body limits, security headers, trailing
 * slashes, and a scan of public answers for internal detail.
 */
import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defineHealthCheck,
  type HealthCheck,
  httpCheck,
  MonitoringConfigError,
  postgresCheck,
  problemTypes,
  redisCheck,
  smtpCheck,
} from '../src/index.ts';
import { bearer, buildApp, createMetrics, readKey, writeKey } from './support/monitoring-support.ts';

const metrics = createMetrics();
let app: FastifyInstance;
const alertBody = {
  name: 'security_test_alert',
  severity: 'medium',
  message: 'Test alert',
  source: 'manual',
};
/** Ids the alert cases need, created in `beforeAll`: `{name}` in a case's URL is replaced by `ids[name]`. */
const ids: Record<string, string> = {};
const resolveUrl = (url: string) => url.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? name);

beforeAll(async () => {
  metrics.meter
    .createCounter('auth.login.attempts')
    .add(3, { 'auth.method': 'password', 'auth.outcome': 'success' });
  app = await buildApp({
    metricsSource: metrics.source,
    checks: [defineHealthCheck('ok', async () => ({ status: 'pass' }))],
  });
  const post = async (url: string, payload: object) => {
    const res = await app.inject({ method: 'POST', url, payload, headers: bearer(writeKey) });
    expect(res.statusCode, url).toBeLessThan(300);
    return res.json().id as string;
  };
  for (const name of ['acknowledge', 'resolve', 'alert']) {
    ids[name] = await post('/monitoring/alerts/create/', { ...alertBody, name: `security_${name}` });
  }
  ids.silence = await post('/monitoring/alerts/silences/', {
    matchers: ['alertname=kept'],
    durationSeconds: 600,
  });
  ids.expire = await post('/monitoring/alerts/silences/', {
    matchers: ['alertname=expired'],
    durationSeconds: 600,
  });
});
afterAll(async () => {
  await app?.close();
  await metrics.provider.shutdown();
});

interface Case {
  method: 'GET' | 'POST' | 'DELETE';
  /** `{name}` stands for an id created in `beforeAll`. */
  url: string;
  role: 'read' | 'write';
  /** A request that fails validation (query, body or path), and the field the 400 must name. */
  bad?: { query?: string; body?: unknown; url?: string; field: string };
  body?: unknown;
  /** Status of the happy path; default 200. */
  ok?: number;
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
  {
    method: 'POST',
    url: '/monitoring/alerts/create/',
    role: 'write',
    body: alertBody,
    ok: 201,
    bad: { body: { ...alertBody, severity: 'urgent' }, field: 'severity' },
  },
  {
    method: 'GET',
    url: '/monitoring/alerts/',
    role: 'read',
    bad: { query: 'limit=0', field: 'limit' },
  },
  {
    method: 'GET',
    url: '/monitoring/alerts/{alert}/',
    role: 'read',
    bad: { url: '/monitoring/alerts/not_an_id/', field: 'id' },
  },
  {
    method: 'POST',
    url: '/monitoring/alerts/{acknowledge}/acknowledge/',
    role: 'write',
    body: { by: 'oncall' },
    bad: { body: { by: '' }, field: 'by' },
  },
  {
    method: 'POST',
    url: '/monitoring/alerts/{resolve}/resolve/',
    role: 'write',
    body: { by: 'oncall', comment: 'fixed' },
    bad: { body: { who: 'oncall' }, field: 'who' },
  },
  {
    method: 'GET',
    url: '/monitoring/alerts/silences/',
    role: 'read',
    bad: { query: 'active=maybe', field: 'active' },
  },
  {
    method: 'POST',
    url: '/monitoring/alerts/silences/',
    role: 'write',
    body: { matchers: ['alertname=db_down'], durationSeconds: 60, comment: 'upgrade' },
    ok: 201,
    bad: { body: { matchers: [] }, field: 'matchers' },
  },
  {
    method: 'GET',
    url: '/monitoring/alerts/silences/{silence}/',
    role: 'read',
    bad: { url: '/monitoring/alerts/silences/not_an_id/', field: 'id' },
  },
  {
    method: 'DELETE',
    url: '/monitoring/alerts/silences/{expire}/',
    role: 'write',
    bad: { url: '/monitoring/alerts/silences/not_an_id/', field: 'id' },
  },
  {
    method: 'POST',
    url: '/monitoring/alerts/webhooks/alertmanager/',
    role: 'write',
    body: {
      version: '4',
      status: 'firing',
      alerts: [{ status: 'firing', labels: { alertname: 'security_webhook', severity: 'warning' } }],
    },
    bad: { body: { version: '4', alerts: [{ status: 'pending', labels: {} }] }, field: 'alerts.0.status' },
  },
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
  const send = (
    headers: Record<string, string>,
    extra: { query?: string; body?: unknown; url?: string } = {},
    url = resolveUrl(extra.url ?? c.url),
  ) =>
    app.inject({
      method: c.method,
      url: extra.query ? `${url}?${extra.query}` : url,
      headers,
      ...(c.method === 'POST' && { payload: (extra.body ?? c.body ?? {}) as object }),
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

    it('checks the key before it looks at the input', async () => {
      expectProblem(await send({}, bad), 401, 'missing_api_key');
      if (c.role === 'write') expectProblem(await send(bearer(readKey), bad), 403, 'insufficient_role');
    });
  }

  it('serves the happy path, with and without the trailing slash', async () => {
    const key = bearer(c.role === 'write' ? writeKey : readKey);
    const res = await send(key);
    expect(res.statusCode, res.body).toBe(c.ok ?? 200);
    const url = resolveUrl(c.url);
    const alias = url.endsWith('/') ? url.slice(0, -1) : `${url}/`;
    const res2 = await send(key, {}, alias);
    if (url.endsWith('/')) expect(res2.statusCode, alias).toBeLessThan(300);
    else expect(res2.statusCode, alias).toBe(404);
  });
});

describe('alert routes answer with the shared problems', () => {
  const url = '/monitoring/alerts/create/';
  const json = { 'content-type': 'application/json' };

  it('answers 401 before parsing a body: malformed or oversized bodies without a key', async () => {
    const small = await buildApp({ bodyLimitBytes: 1024 });
    try {
      for (const payload of ['{"name":', JSON.stringify({ ...alertBody, message: 'x'.repeat(4000) })]) {
        expectProblem(
          await small.inject({ method: 'POST', url, headers: json, payload }),
          401,
          'missing_api_key',
        );
      }
      const tooLarge = await small.inject({
        method: 'POST',
        url,
        headers: { ...json, ...bearer(writeKey) },
        payload: JSON.stringify({ ...alertBody, message: 'x'.repeat(4000) }),
      });
      expectProblem(tooLarge, 413, 'body_too_large');
      expect(tooLarge.json()).toMatchObject({ field: 'body', detail: 'the body exceeds 1024 bytes' });
      const notJson = await small.inject({
        method: 'POST',
        url,
        headers: { ...json, ...bearer(writeKey) },
        payload: '{"name":',
      });
      expectProblem(notJson, 400, 'invalid_field');
    } finally {
      await small.close();
    }
  });

  it('answers 404 for an unknown id and 409 acknowledging a resolved alert', async () => {
    const unknown = await app.inject({
      url: '/monitoring/alerts/00000000-0000-0000-0000-000000000000/',
      headers: bearer(readKey),
    });
    expectProblem(unknown, 404, 'not_found');
    expect(unknown.json().field).toBe('id');
    const created = await app.inject({
      method: 'POST',
      url,
      headers: bearer(writeKey),
      payload: { ...alertBody, name: 'security_conflict' },
    });
    const id = created.json().id as string;
    const resolve = (action: string) =>
      app.inject({ method: 'POST', url: `/monitoring/alerts/${id}/${action}/`, headers: bearer(writeKey) });
    expect((await resolve('resolve')).statusCode).toBe(200);
    const conflict = await resolve('acknowledge');
    expectProblem(conflict, 409, 'conflict');
    expect(conflict.json()).toMatchObject({ field: 'status', detail: 'status: alert is already resolved' });
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
  const forbidden = [
    /127\.0\.0\.1/,
    /10\.1\.2\.3/,
    /localhost/i,
    /internal/i,
    /corp\.local/i,
    // The host name as a word: a short one ("vm") must not match inside an ETag or a hash.
    new RegExp(`(?<![A-Za-z0-9])${os.hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9])`, 'i'),
    /\bv?\d+\.\d+\.\d+\b/, // versions
    /node|fastify|postgres(?!ql)|redis|smtp/i,
    /error|ECONN|ENOTFOUND|timed out|refused/i,
    /\n\s+at /, // stack frames
  ];

  /** Builds an app with `checks`, scans every public answer, and returns the JSON public status. */
  async function scanPublic(checks: HealthCheck[]) {
    const leaky = await buildApp({ serviceName: 'Example Auth', healthCheckTimeoutSeconds: 2, checks });
    try {
      const urls = [
        '/monitoring/health/',
        '/monitoring/health',
        '/monitoring/health/live/',
        '/monitoring/health/ready/',
        '/monitoring/status/',
        '/monitoring/status/?format=html',
        '/monitoring/status/summary.json',
        '/monitoring/status/status.json',
        '/monitoring/status/feed.atom',
        '/monitoring/nope',
        '/monitoring/status/?format=bad',
      ];
      let failingSeen = false;
      for (const url of urls) {
        const res = await leaky.inject({ url });
        const text = `${JSON.stringify(res.headers)}\n${res.body}`;
        if (url.startsWith('/monitoring/status/?format=html'))
          failingSeen = res.body.includes('Major outage');
        expect(res.headers['x-powered-by']).toBeUndefined();
        expect(res.headers.server).toBeUndefined();
        for (const pattern of forbidden) expect(text, `${url} matched ${pattern}`).not.toMatch(pattern);
      }
      expect(failingSeen).toBe(true);
      // the same failures are visible, with their errors and internal names, to an operator
      const detailed = await leaky.inject({ url: '/monitoring/health/detailed/', headers: bearer(readKey) });
      expect(detailed.statusCode).toBe(503);
      const status = (await leaky.inject({ url: '/monitoring/status/' })).json() as {
        components: Array<{ name: string; status: string }>;
      };
      return { status, detailed: detailed.body };
    } finally {
      await leaky.close();
    }
  }

  it('finds no hostnames, versions, error strings or stack traces', async () => {
    const { detailed } = await scanPublic([
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
    ]);
    expect(detailed).toContain('ECONNREFUSED 10.1.2.3');
  });

  it('shows generic names for built-in checks registered with the defaults', async () => {
    const { status, detailed } = await scanPublic([
      postgresCheck({ connectionString: 'postgres://u:p@127.0.0.1:1/db' }),
      redisCheck({ url: 'redis://127.0.0.1:1' }),
      httpCheck({ url: 'http://idp.internal.invalid/health' }),
      smtpCheck({ host: '127.0.0.1', port: 1 }),
    ]);
    expect(status.components.map((c) => c.name)).toEqual([
      'Application',
      'Database',
      'Cache',
      'External service',
      'E-mail delivery',
    ]);
    // operators keep the stable internal names
    for (const name of ['postgres', 'redis', 'idp.internal.invalid', 'smtp']) {
      expect(detailed).toContain(`"componentId":"${name}"`);
    }
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
      last = await limited.inject({ url: '/monitoring/status/' });
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expectProblem(last!, 429, 'rate_limited');
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    // liveness and readiness probes are never throttled, even from an address over its budget
    for (const url of ['/monitoring/health/live/', '/monitoring/health/ready', '/monitoring/health/live']) {
      for (let i = 0; i < 7; i++) expect((await limited.inject({ url })).statusCode).not.toBe(429);
    }
  });

  it('rate limits per API key name when a valid key is sent, else per IP', async () => {
    const perKey = await buildApp({ rateLimitPerMinute: 3 });
    try {
      const get = (url: string, headers: Record<string, string>, remoteAddress = '127.0.0.1') =>
        perKey.inject({ url, headers, remoteAddress }).then((r) => r.statusCode);
      const alerts = '/monitoring/alerts/';
      const live = '/monitoring/status/';
      // the read key's budget, spent from two addresses
      expect([
        await get(alerts, bearer(readKey), '10.0.0.1'),
        await get(alerts, bearer(readKey), '10.0.0.2'),
        await get(live, bearer(readKey), '10.0.0.1'),
        await get(alerts, bearer(readKey), '10.0.0.3'),
      ]).toEqual([200, 200, 200, 429]);
      // another key and keyless clients at those addresses keep their own budgets
      expect(await get(alerts, bearer(writeKey), '10.0.0.1')).toBe(200);
      expect(await get(live, {}, '10.0.0.1')).toBe(200);
      // unknown keys count against the address, before the key check: guessing gets a 429
      const guesses = [];
      for (let i = 0; i < 4; i++)
        guesses.push(await get(alerts, bearer(`guess-${i}-0123456789abcdef`), '10.0.0.9'));
      expect(guesses).toEqual([401, 401, 401, 429]);
      expect(await get(live, {}, '10.0.0.9')).toBe(429);
      const limited429 = await perKey.inject({
        url: alerts,
        headers: bearer(readKey),
        remoteAddress: '10.0.0.1',
      });
      expectProblem(limited429, 429, 'rate_limited');
    } finally {
      await perKey.close();
    }
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
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });
});

describe('OpenAPI document', () => {
  /** How the document describes an error answer: the shared problem-details schema. */
  const problemResponse = {
    description: expect.stringContaining('RFC 9457 problem details'),
    content: { 'application/json': { schema: { type: 'object', required: ['status', 'title', 'code'] } } },
  };

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
    expect(doc.paths['/monitoring/metrics/business/'].get.responses['401']).toMatchObject(problemResponse);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('documents every alert route once, in the slash form, with bearer auth and its error answers', async () => {
    const doc = (await app.inject({ url: '/monitoring/docs/json', headers: bearer(readKey) })).json();
    const alertOps = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .filter(([p]) => p.startsWith('/monitoring/alerts'))
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(alertOps.sort()).toEqual(
      [
        'GET /monitoring/alerts/',
        'POST /monitoring/alerts/create/',
        'GET /monitoring/alerts/{id}/',
        'POST /monitoring/alerts/{id}/acknowledge/',
        'POST /monitoring/alerts/{id}/resolve/',
        'GET /monitoring/alerts/silences/',
        'POST /monitoring/alerts/silences/',
        'GET /monitoring/alerts/silences/{id}/',
        'DELETE /monitoring/alerts/silences/{id}/',
        'POST /monitoring/alerts/webhooks/alertmanager/',
      ].sort(),
    );
    // Every operation behind a key says so and documents the answers every protected route can give.
    const publicPaths = [
      '/monitoring/health/',
      '/monitoring/health/live/',
      '/monitoring/health/ready/',
      '/monitoring/status/',
      '/monitoring/status/summary.json',
      '/monitoring/status/status.json',
      '/monitoring/status/feed.atom',
    ];
    for (const [p, ops] of Object.entries(
      doc.paths as Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>,
    )) {
      if (publicPaths.includes(p)) continue;
      for (const [method, op] of Object.entries(ops)) {
        expect(op.security, `${method} ${p}`).toEqual([{ bearerAuth: [] }]);
        for (const code of ['400', '401', '403', '429', '500'])
          expect(op.responses[code], `${method} ${p} ${code}`).toMatchObject(problemResponse);
      }
    }
    expect(doc.paths['/monitoring/alerts/{id}/acknowledge/'].post.responses['409']).toMatchObject(
      problemResponse,
    );
    expect(doc.paths['/monitoring/alerts/{id}/'].get.responses['404']).toMatchObject(problemResponse);
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
