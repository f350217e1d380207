/**
 * PROMETHEUS_URL mode against the real Prometheus scraping a real service: the example auth
 * service started with the one-line import (`node --import @authlens/sdk/register`), driven
 * with real auth traffic (registrations, logins, bad passwords, a brute-force burst that locks
 * an account, GDPR exports). Prometheus scrapes its SDK scrape port (file_sd target with a
 * unique label), and the KPI endpoints answer from PromQL over that label. Expected values
 * come from the service's own scrape output: `increase()` extrapolates, but every series
 * that started in the same scrape scales alike, so ratios between them are exact.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthClient, createClient } from '../../../examples/auth-service/src/client.ts';
import { type StartedService, startService, stopChild } from '../../../examples/auth-service/src/demo-kit.ts';
import { prometheusTargetsDir, requirePrometheus, services } from '../../../test/support/services.ts';
import { bearer, buildApp, readKey } from './support/monitoring-support.ts';

const label = `e2e_${process.pid}_${Date.now()}`;
const targetFile = path.join(prometheusTargetsDir(), `status-api-${label}.json`);
const auth = bearer(readKey);
const PASSWORD = 'correct horse battery staple';
let workDir: string;
let service: StartedService;
let client: AuthClient;
let app: FastifyInstance;
/** The service's own series after the first and after the second round, from its scrape port. */
let afterFirst: Sample[];
let afterSecond: Sample[];

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

async function promQuery(
  query: string,
): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const url = new URL('/api/v1/query', services.prometheusUrl);
  url.searchParams.set('query', query);
  const body = (await (await fetch(url)).json()) as {
    data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  };
  return body.data.result;
}

async function waitFor(what: string, predicate: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Parses Prometheus text exposition (no escapes in our label values). */
function parseScrape(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

const sumOf = (samples: Sample[], name: string, where: Record<string, string>) =>
  samples
    .filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
/** What the second round added to a scraped counter (optionally filtered by labels). */
const delta = (name: string, where: Record<string, string> = {}) =>
  sumOf(afterSecond, name, where) - sumOf(afterFirst, name, where);
/** A gauge's current value. */
const gauge = (name: string, where: Record<string, string> = {}) => sumOf(afterSecond, name, where);

async function scrapeService(): Promise<Sample[]> {
  const res = await fetch(`http://127.0.0.1:${service.prometheusPort}/metrics`);
  return parseScrape(await res.text());
}

/**
 * One round of real traffic, the same each time: two new users register; four good logins and
 * two bad passwords; a burst of wrong passwords for one user from one address (locks the
 * account); a GDPR export.
 */
async function trafficRound(round: number) {
  const a = `alice.${label}.${round}@example.com`;
  const b = `bob.${label}.${round}@example.com`;
  for (const who of [a, b]) expect((await client.register(who, PASSWORD)).status).toBe(201);
  let token = '';
  for (const who of [a, a, a, b]) {
    const res = await client.login(who, PASSWORD);
    expect(res.status).toBe(200);
    if (who === a) token = res.body.accessToken ?? '';
  }
  for (let i = 0; i < 2; i++) expect((await client.login(a, `wrong-${i}`)).status).toBe(401);
  const attacker = createClient(client.baseUrl, { 'x-forwarded-for': `198.51.100.${round}` });
  const burst: number[] = [];
  for (let i = 0; i < 5; i++) burst.push((await attacker.login(b, `guess-${i}`)).status);
  expect(burst).toContain(423);
  expect((await client.gdprExport(token)).status).toBe(200);
}

beforeAll(async () => {
  await requirePrometheus();
  workDir = mkdtempSync(path.join(os.tmpdir(), 'authlens-prom-e2e-'));
  service = await startService({
    workDir,
    logFile: path.join(workDir, 'service.log'),
    apiKey: 'e2e-service-key-0123456789',
    env: {
      PORT: '0',
      OTEL_EXPORTER_PROMETHEUS_PORT: '0',
      OTEL_SERVICE_NAME: `auth-service-${label}`,
      // No collector here: metrics are pulled from the scrape port only.
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      OTEL_METRICS_EXPORTER: 'prometheus',
      LOCKOUT_MAX_FAILURES: '3',
      BRUTE_FORCE_THRESHOLD: '4',
    },
  });
  expect(service.prometheusPort).toBeGreaterThan(0);
  client = createClient(service.url);

  await trafficRound(1);
  afterFirst = await scrapeService();
  const tmp = `${targetFile}.tmp`;
  writeFileSync(
    tmp,
    JSON.stringify([{ targets: [`127.0.0.1:${service.prometheusPort}`], labels: { authlens_test: label } }]),
  );
  renameSync(tmp, targetFile);

  const sel = `{authlens_test="${label}"}`;
  const scrapedLogins = async () => (await promQuery(`sum(auth_login_attempts_total${sel})`))[0]?.value[1];
  await waitFor('the first scrape', async () => (await scrapedLogins()) !== undefined);
  const first = Number(await scrapedLogins());
  await trafficRound(2);
  await waitFor('the second round', async () => Number(await scrapedLogins()) === 2 * first);
  // a few more scrapes so increase() has several samples after the change
  await new Promise((r) => setTimeout(r, 2500));
  afterSecond = await scrapeService();

  app = await buildApp({
    prometheusUrl: services.prometheusUrl,
    prometheusSelector: `authlens_test="${label}"`,
    retention: [
      { category: 'metrics', maxAgeDays: 90 },
      { category: 'alert_history', maxAgeDays: 30 },
      // The example reports its oldest account (registered by this test, moments ago).
      { category: 'account', maxAgeDays: 1 },
    ],
  });
}, 90_000);

afterAll(async () => {
  rmSync(targetFile, { force: true });
  await app?.close();
  await stopChild(service?.child);
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const report = async (url: string) => {
  const res = await app.inject({ url, headers: auth });
  expect(res.statusCode).toBe(200);
  const body = res.json();
  expect(body).toMatchObject({ source: 'prometheus', window: 'last 1h', period: '1h' });
  return body;
};

describe('PROMETHEUS_URL mode', () => {
  it('performance: routes, their request ratio and quantiles, availability from PromQL', async () => {
    const body = await report('/monitoring/metrics/performance/?period=1h');
    const duration = 'http_server_request_duration_seconds_count';
    const login = delta(duration, { http_route: '/auth/login' });
    const register = delta(duration, { http_route: '/auth/register' });
    expect(login).toBe(11);
    const routes = Object.fromEntries(body.routes.map((r: { route: string }) => [r.route, r])) as Record<
      string,
      { requests: number; latencySeconds: { p50: number; p99: number } }
    >;
    expect(Object.keys(routes)).toEqual(
      expect.arrayContaining(['/auth/login', '/auth/register', '/gdpr/export']),
    );
    // increase() extrapolates alike for series that started in one scrape: the ratio is exact.
    expect(routes['/auth/login']!.requests / routes['/auth/register']!.requests).toBeCloseTo(
      login / register,
      2,
    );
    expect(body.requests).toBeGreaterThanOrEqual(delta(duration));
    // 401 and 423 are answers, not failures: no 5xx, full availability.
    expect(body).toMatchObject({
      errorRate: 0,
      availability: 1,
      slo: { met: true, errorBudgetRemaining: 1 },
    });
    const { p50, p99 } = routes['/auth/login']!.latencySeconds;
    expect(p50).toBeGreaterThan(0);
    expect(p99).toBeGreaterThanOrEqual(p50);
  });

  it('business: registrations, login success rate, feature usage and active users', async () => {
    const body = await report('/monitoring/metrics/business/?period=1h');
    const logins = delta('auth_login_attempts_total');
    const successes = delta('auth_login_attempts_total', { auth_outcome: 'success' });
    const registrations = delta('business_registrations_total');
    expect(successes).toBe(4);
    expect(body.logins.successRate).toBeCloseTo(successes / logins, 3);
    expect(body.registrations.total / body.logins.total).toBeCloseTo(registrations / logins, 2);
    expect(body.registrations.byMethod).toHaveProperty('email');
    expect(body.featureUsage['privacy_request:requested'] / body.registrations.total).toBeCloseTo(
      delta('business_feature_usage_total', { business_feature: 'privacy_request' }) / registrations,
      2,
    );
    expect(body.activeUsers.daily).toBe(gauge('business_active_users', { business_period: 'daily' }));
  });

  it('security: failures by reason, failure rate, lockouts and security events', async () => {
    const body = await report('/monitoring/metrics/security/?period=1h');
    const failures = delta('security_auth_failures_total');
    const locked = delta('security_auth_failures_total', { auth_failure_reason: 'account_locked' });
    const lockouts = delta('security_account_lockouts_total');
    expect(lockouts).toBe(1);
    expect(locked).toBeGreaterThan(0);
    expect(body.loginFailureRate).toBeCloseTo(
      delta('auth_login_attempts_total', { auth_outcome: 'failure' }) / delta('auth_login_attempts_total'),
      3,
    );
    expect(body.authFailures.byReason.account_locked / body.authFailures.total).toBeCloseTo(
      locked / failures,
      2,
    );
    expect(body.accountLockouts.total / body.authFailures.total).toBeCloseTo(lockouts / failures, 2);
    expect(body.events.byType.account_lockout / body.accountLockouts.total).toBeCloseTo(
      delta('security_events_total', { security_event_type: 'account_lockout' }) / lockouts,
      2,
    );
    expect(body.events.byType.brute_force).toBeGreaterThan(0);
  });

  it('compliance: GDPR requests by type and status, audit events, overdue and retention', async () => {
    const body = await report('/monitoring/compliance/report/?period=1h');
    const gdpr = body.regulations.find((r: { regulation: string }) => r.regulation === 'gdpr');
    const ccpa = body.regulations.find((r: { regulation: string }) => r.regulation === 'ccpa');
    const requests = 'compliance_dsr_requests_total';
    expect(delta(requests, { compliance_request_status: 'completed' })).toBe(1);
    expect(gdpr.requests.access.completed).toBeGreaterThan(0);
    expect(gdpr.requests.access.completed / gdpr.requests.access.received).toBeCloseTo(
      delta(requests, { compliance_request_status: 'completed' }) /
        delta(requests, { compliance_request_status: 'received' }),
      3,
    );
    expect(gdpr.overdue).toBe(gauge('compliance_dsr_overdue', { compliance_regulation: 'gdpr' }));
    expect(gdpr.overdue).toBe(0);
    expect(gdpr.medianCompletionSeconds).toBeGreaterThan(0);
    expect(ccpa.requests).toEqual({});
    const audit = body.auditEvents.byCategory;
    expect(audit.compliance.success / audit.account.success).toBeCloseTo(
      delta('compliance_audit_events_total', { audit_category: 'compliance' }) /
        delta('compliance_audit_events_total', { audit_category: 'account' }),
      2,
    );
    // No retention purge ran in the window and no age is reported: those policies are not met.
    // The oldest account's age comes from the gauge the service reports: within a day, met.
    expect(body.retention.map((r: { basis: string; met: boolean }) => [r.basis, r.met])).toEqual([
      ['no_data', false],
      ['no_data', false],
      ['oldest_record_age', true],
    ]);
    const account = body.retention[2];
    expect(account.oldestRecordAgeDays).toBeGreaterThanOrEqual(0);
    expect(account.oldestRecordAgeDays).toBeLessThan(0.01); // under 15 minutes
    expect(
      gauge('compliance_retention_oldest_record_age_seconds', { compliance_data_category: 'account' }),
    ).toBeGreaterThan(0);
    expect(body.compliant).toBe(false);
  });

  it('answers 502 problem, without internals, when Prometheus is unreachable', async () => {
    const broken = await buildApp({ prometheusUrl: 'http://127.0.0.1:1/', healthCheckTimeoutSeconds: 1 });
    const res = await broken.inject({ url: '/monitoring/metrics/security/', headers: auth });
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({
      code: 'metrics_source_failed',
      detail: 'the metrics backend did not answer',
    });
    expect(res.body).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|fetch failed/);
    await broken.close();
  });
});
