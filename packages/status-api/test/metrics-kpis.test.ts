/**
 * KPI, Prometheus-text, compliance and dashboards endpoints in the default in-process mode,
 * fed by a real OTel MeterProvider recording the contract's instruments.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildApp, createMetrics, readKey } from './support/monitoring-support.ts';

const m = createMetrics();
const auth = bearer(readKey);
let app: FastifyInstance;
let dashboardsDir: string;

beforeAll(async () => {
  const { meter } = m;
  const duration = meter.createHistogram('http.server.request.duration', {
    unit: 's',
    advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] },
  });
  // /login: 98 fast successes and 2 server errors; /register: 10 slow successes
  for (let i = 0; i < 98; i++) {
    duration.record(0.02, {
      'http.request.method': 'POST',
      'http.route': '/login',
      'http.response.status_code': 200,
    });
  }
  for (let i = 0; i < 2; i++) {
    duration.record(0.3, {
      'http.request.method': 'POST',
      'http.route': '/login',
      'http.response.status_code': 503,
    });
  }
  for (let i = 0; i < 10; i++) {
    duration.record(0.7, {
      'http.request.method': 'POST',
      'http.route': '/register',
      'http.response.status_code': 201,
    });
  }
  const logins = meter.createCounter('auth.login.attempts', { unit: '{attempt}' });
  logins.add(8, { 'auth.method': 'password', 'auth.outcome': 'success', 'auth.failure_reason': 'none' });
  logins.add(2, {
    'auth.method': 'password',
    'auth.outcome': 'failure',
    'auth.failure_reason': 'invalid_credentials',
  });
  meter.createCounter('business.registrations').add(5, {
    'business.source': 'web_app',
    'business.method': 'email',
    'business.country': 'US',
    'business.device_type': 'desktop',
  });
  meter.createGauge('business.active_users').record(42, { 'business.period': 'daily' });
  meter.createGauge('auth.mfa.adoption', { unit: '1' }).record(0.35);
  meter
    .createCounter('security.auth.failures')
    .add(2, { 'auth.method': 'password', 'auth.failure_reason': 'invalid_credentials' });
  meter
    .createCounter('security.events')
    .add(1, { 'security.event.type': 'brute_force', 'security.severity': 'high' });
  const dsr = meter.createCounter('compliance.dsr.requests');
  dsr.add(3, {
    'compliance.regulation': 'gdpr',
    'compliance.request.type': 'erasure',
    'compliance.request.status': 'received',
  });
  dsr.add(2, {
    'compliance.regulation': 'gdpr',
    'compliance.request.type': 'erasure',
    'compliance.request.status': 'completed',
  });
  dsr.add(1, {
    'compliance.regulation': 'ccpa',
    'compliance.request.type': 'access',
    'compliance.request.status': 'received',
  });
  meter
    .createGauge('compliance.dsr.open')
    .record(1, { 'compliance.regulation': 'gdpr', 'compliance.request.type': 'erasure' });
  const overdue = meter.createGauge('compliance.dsr.overdue');
  overdue.record(1, { 'compliance.regulation': 'gdpr' });
  overdue.record(0, { 'compliance.regulation': 'ccpa' });
  const completion = meter.createHistogram('compliance.dsr.completion_time', {
    unit: 's',
    advice: { explicitBucketBoundaries: [86_400, 7 * 86_400, 30 * 86_400] },
  });
  completion.record(2 * 86_400, { 'compliance.regulation': 'gdpr', 'compliance.request.type': 'erasure' });
  completion.record(3 * 86_400, { 'compliance.regulation': 'gdpr', 'compliance.request.type': 'erasure' });
  meter
    .createCounter('compliance.audit.events')
    .add(7, { 'audit.category': 'data_access', 'audit.outcome': 'success' });
  const purged = meter.createCounter('compliance.retention.purged');
  purged.add(120, { 'compliance.data.category': 'metrics' });
  purged.add(5, { 'compliance.data.category': 'sessions' });
  purged.add(9, { 'compliance.data.category': 'tokens' });
  // metrics: purged, yet a 100-day-old record is still kept (policy 90 days). sessions: two
  // replicas report 2 and 2.5 days (policy 3): the oldest counts, not their sum.
  const oldest = meter.createGauge('compliance.retention.oldest_record_age', { unit: 's' });
  oldest.record(100 * 86_400, { 'compliance.data.category': 'metrics' });
  oldest.record(2 * 86_400, { 'compliance.data.category': 'sessions', 'service.instance.id': 'a' });
  oldest.record(2.5 * 86_400, { 'compliance.data.category': 'sessions', 'service.instance.id': 'b' });

  dashboardsDir = mkdtempSync(path.join(os.tmpdir(), 'authlens-dashboards-'));
  writeFileSync(
    path.join(dashboardsDir, 'index.json'),
    JSON.stringify([
      { name: 'system_overview', title: 'System overview', file: 'system_overview.json' },
      { name: 'security', title: 'Security monitoring', file: 'security.json' },
    ]),
  );
  writeFileSync(
    path.join(dashboardsDir, 'system_overview.json'),
    JSON.stringify({ uid: 'sys', panels: [{ id: 1 }] }),
  );
  writeFileSync(path.join(dashboardsDir, 'security.json'), JSON.stringify({ uid: 'sec', panels: [] }));

  app = await buildApp({
    metricsSource: m.source,
    sloTarget: 0.99,
    dashboardsDir,
    retention: [
      { category: 'metrics', maxAgeDays: 90 },
      { category: 'alert_history', maxAgeDays: 30 },
      { category: 'sessions', maxAgeDays: 3 },
      { category: 'tokens', maxAgeDays: 30 },
    ],
  });
});

afterAll(async () => {
  await app?.close();
  await m.provider.shutdown();
  rmSync(dashboardsDir, { recursive: true, force: true });
});

describe('in-process KPIs', () => {
  it('performance: p50/p95/p99 per route, error rate, availability and error budget', async () => {
    const res = await app.inject({ url: '/monitoring/metrics/performance/?period=1h', headers: auth });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ period: '1h', source: 'sdk', window: 'since process start', requests: 110 });
    expect(body.errorRate).toBeCloseTo(2 / 110, 6);
    expect(body.availability).toBeCloseTo(108 / 110, 6);
    // allowed error rate 1 %; observed 1.82 % → budget exhausted
    expect(body.slo).toEqual({ target: 0.99, met: false, errorBudgetRemaining: 0 });
    const login = body.routes.find((r: { route: string }) => r.route === '/login');
    expect(login.requests).toBe(100);
    expect(login.errorRate).toBeCloseTo(0.02, 6);
    // 98 observations in (0.01, 0.025]: the median interpolates inside that bucket
    expect(login.latencySeconds.p50).toBeGreaterThan(0.01);
    expect(login.latencySeconds.p50).toBeLessThanOrEqual(0.025);
    expect(login.latencySeconds.p99).toBeGreaterThan(0.25);
    const register = body.routes.find((r: { route: string }) => r.route === '/register');
    expect(register.latencySeconds.p95).toBeGreaterThan(0.5);
    expect(register.latencySeconds.p95).toBeLessThanOrEqual(1);
  });

  it('business: registrations, logins, active users, MFA adoption', async () => {
    const body = (await app.inject({ url: '/monitoring/metrics/business/', headers: auth })).json();
    expect(body.period).toBe('24h');
    expect(body.registrations).toMatchObject({
      total: 5,
      bySource: { web_app: 5 },
      byDeviceType: { desktop: 5 },
    });
    expect(body.logins).toMatchObject({ total: 10, successRate: 0.8, byMethod: { password: 10 } });
    expect(body.activeUsers).toEqual({ daily: 42 });
    expect(body.mfaAdoption).toBe(0.35);
  });

  it('security: failures by reason, events by type and severity', async () => {
    const body = (await app.inject({ url: '/monitoring/metrics/security/', headers: auth })).json();
    expect(body.authFailures).toMatchObject({ total: 2, byReason: { invalid_credentials: 2 } });
    expect(body.loginFailureRate).toBe(0.2);
    expect(body.events).toMatchObject({ total: 1, byType: { brute_force: 1 }, bySeverity: { high: 1 } });
  });

  it('serves the Prometheus text of the registry', async () => {
    const res = await app.inject({ url: '/monitoring/metrics/', headers: auth });
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toMatch(/^auth_login_attempts_total\{[^}]*auth_outcome="success"[^}]*\} 8/m);
    expect(res.body).toContain('http_server_request_duration_seconds_bucket{');
  });

  it('answers 503 problem when no metrics source is running', async () => {
    const bare = await buildApp();
    const res = await bare.inject({ url: '/monitoring/metrics/business/', headers: auth });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'metrics_unavailable' });
    expect((await bare.inject({ url: '/monitoring/metrics/', headers: auth })).statusCode).toBe(503);
    await bare.close();
  });
});

describe('compliance report', () => {
  it('JSON: requests by type and status, overdue, median completion, audit, retention', async () => {
    const res = await app.inject({ url: '/monitoring/compliance/report/', headers: auth });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.period).toBe('30d');
    const gdpr = body.regulations.find((r: { regulation: string }) => r.regulation === 'gdpr');
    const ccpa = body.regulations.find((r: { regulation: string }) => r.regulation === 'ccpa');
    expect(gdpr).toMatchObject({
      deadlineDays: 30,
      requests: { erasure: { received: 3, completed: 2 } },
      open: { erasure: 1 },
      overdue: 1,
    });
    // two completions of 2 and 3 days fall in the (1 d, 7 d] bucket: the median lies inside it
    expect(gdpr.medianCompletionSeconds).toBeGreaterThan(86_400);
    expect(gdpr.medianCompletionSeconds).toBeLessThan(7 * 86_400);
    expect(ccpa).toMatchObject({ deadlineDays: 45, overdue: 0, requests: { access: { received: 1 } } });
    expect(body.auditEvents).toEqual({ total: 7, byCategory: { data_access: { success: 7, failure: 0 } } });
    expect(body.retention).toEqual([
      // A purge ran, but the oldest record kept is past the policy: not met.
      {
        category: 'metrics',
        maxAgeDays: 90,
        purgedRecords: 120,
        oldestRecordAgeDays: 100,
        basis: 'oldest_record_age',
        met: false,
      },
      {
        category: 'alert_history',
        maxAgeDays: 30,
        purgedRecords: 0,
        oldestRecordAgeDays: null,
        basis: 'no_data',
        met: false,
      },
      {
        category: 'sessions',
        maxAgeDays: 3,
        purgedRecords: 5,
        oldestRecordAgeDays: 2.5,
        basis: 'oldest_record_age',
        met: true,
      },
      // No age reported: the weaker check, a purge recorded in the period.
      {
        category: 'tokens',
        maxAgeDays: 30,
        purgedRecords: 9,
        oldestRecordAgeDays: null,
        basis: 'purge_recorded',
        met: true,
      },
    ]);
    expect(body.compliant).toBe(false);
  });

  it('CSV by ?format=csv and by Accept', async () => {
    for (const req of [
      { url: '/monitoring/compliance/report/?format=csv', headers: auth },
      { url: '/monitoring/compliance/report/', headers: { ...auth, accept: 'text/csv' } },
    ]) {
      const res = await app.inject(req);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      const lines = res.body.trim().split('\n');
      expect(lines[0]).toBe('section,regulation,item,status,value');
      expect(lines).toContain('requests,gdpr,erasure,received,3');
      expect(lines).toContain('overdue,gdpr,,,1');
      expect(lines).toContain('retention,,alert_history,not_met,0');
      expect(lines).toContain('retention,,metrics,not_met,120');
      expect(lines).toContain('retention_oldest_record_age_days,,metrics,oldest_record_age,100');
      expect(lines).toContain('retention_oldest_record_age_days,,tokens,purge_recorded,');
      expect(lines.at(-1)).toBe('compliant,,,,false');
    }
  });
});

describe('dashboards', () => {
  it('lists, serves one, and answers 404 listing valid names', async () => {
    const list = (await app.inject({ url: '/monitoring/dashboards/', headers: auth })).json();
    expect(list).toEqual({
      dashboards: [
        { name: 'system_overview', title: 'System overview' },
        { name: 'security', title: 'Security monitoring' },
      ],
    });
    const one = (
      await app.inject({ url: '/monitoring/dashboards/?dashboard=system_overview', headers: auth })
    ).json();
    expect(one).toEqual({
      name: 'system_overview',
      title: 'System overview',
      dashboard: { uid: 'sys', panels: [{ id: 1 }] },
    });
    const missing = await app.inject({ url: '/monitoring/dashboards/?dashboard=nope', headers: auth });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(missing.json()).toMatchObject({
      code: 'unknown_dashboard',
      field: 'dashboard',
      validNames: ['system_overview', 'security'],
    });
    expect(missing.json().detail).toContain('system_overview, security');
  });

  it("serves the @authlens/dashboards package's generated/ by default", async () => {
    const generated = path.resolve(import.meta.dirname, '../../../dashboards/generated');
    const index = JSON.parse(readFileSync(path.join(generated, 'index.json'), 'utf8')) as {
      name: string;
      title: string;
      file: string;
    }[];
    expect(index.length).toBeGreaterThan(0);
    const def = await buildApp();
    try {
      const list = await def.inject({ url: '/monitoring/dashboards/', headers: auth });
      expect(list.statusCode).toBe(200);
      expect(list.json()).toEqual({ dashboards: index.map(({ name, title }) => ({ name, title })) });
      const [first] = index;
      const one = await def.inject({
        url: `/monitoring/dashboards/?dashboard=${first!.name}`,
        headers: auth,
      });
      expect(one.json()).toEqual({
        name: first!.name,
        title: first!.title,
        dashboard: JSON.parse(readFileSync(path.join(generated, first!.file), 'utf8')),
      });
    } finally {
      await def.close();
    }
  });
});
