/**
 * PROMETHEUS_URL mode against the real Prometheus: a running service exposes OTel metrics,
 * Prometheus scrapes it (file_sd target with a unique label), and the KPI endpoints answer
 * from PromQL over that label.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prometheusTargetsDir, requirePrometheus, services } from '../../../test/support/services.ts';
import { bearer, buildApp, createMetrics, readKey } from './monitoring-support.ts';

const label = `e2e_${process.pid}_${Date.now()}`;
const targetFile = path.join(prometheusTargetsDir(), `status-api-${label}.json`);
const m = createMetrics();
const auth = bearer(readKey);
let service: FastifyInstance;
let app: FastifyInstance;

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

const duration = m.meter.createHistogram('http.server.request.duration', {
  unit: 's',
  advice: { explicitBucketBoundaries: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] },
});
const logins = m.meter.createCounter('auth.login.attempts', { unit: '{attempt}' });
const overdue = m.meter.createGauge('compliance.dsr.overdue', { unit: '{request}' });

/** The same traffic each time, so every series grows in proportion. */
function traffic() {
  for (let i = 0; i < 48; i++)
    duration.record(0.02, { 'http.route': '/login', 'http.response.status_code': 200 });
  for (let i = 0; i < 2; i++)
    duration.record(0.4, { 'http.route': '/login', 'http.response.status_code': 500 });
  logins.add(9, { 'auth.method': 'password', 'auth.outcome': 'success' });
  logins.add(1, { 'auth.method': 'password', 'auth.outcome': 'failure' });
}

beforeAll(async () => {
  await requirePrometheus();
  service = Fastify();
  service.get('/metrics', async (_req, reply) =>
    reply.type('text/plain; version=0.0.4').send(await m.source.prometheusText!()),
  );
  await service.listen({ port: 0, host: '127.0.0.1' });
  const port = (service.server.address() as { port: number }).port;

  traffic();
  overdue.record(2, { 'compliance.regulation': 'gdpr' });
  overdue.record(0, { 'compliance.regulation': 'ccpa' });
  const tmp = `${targetFile}.tmp`;
  writeFileSync(tmp, JSON.stringify([{ targets: [`127.0.0.1:${port}`], labels: { authlens_test: label } }]));
  renameSync(tmp, targetFile);

  const sel = `{authlens_test="${label}"}`;
  await waitFor(
    'the first scrape',
    async () => (await promQuery(`auth_login_attempts_total${sel}`)).length === 2,
  );
  traffic();
  await waitFor(
    'the second batch',
    async () => (await promQuery(`sum(auth_login_attempts_total${sel})`))[0]?.value[1] === '20',
  );
  // a few more scrapes so rate() has several samples after the change
  await new Promise((r) => setTimeout(r, 2500));

  app = await buildApp({
    prometheusUrl: services.prometheusUrl,
    prometheusSelector: `authlens_test="${label}"`,
  });
}, 60_000);

afterAll(async () => {
  rmSync(targetFile, { force: true });
  await app?.close();
  await service?.close();
  await m.provider.shutdown();
});

describe('PROMETHEUS_URL mode', () => {
  it('performance: per-route quantiles and error rate from PromQL', async () => {
    const res = await app.inject({ url: '/monitoring/metrics/performance/?period=1h', headers: auth });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ source: 'prometheus', window: 'last 1h', period: '1h' });
    // increase() extrapolates, but every series scales alike: the ratios are exact
    expect(body.requests).toBeGreaterThanOrEqual(45);
    expect(body.requests).toBeLessThan(100);
    expect(body.errorRate).toBeCloseTo(0.04, 3);
    expect(body.availability).toBeCloseTo(0.96, 3);
    expect(body.slo).toMatchObject({ target: 0.999, met: false, errorBudgetRemaining: 0 });
    const login = body.routes.find((r: { route: string }) => r.route === '/login');
    expect(login.latencySeconds.p50).toBeGreaterThan(0.01);
    expect(login.latencySeconds.p50).toBeLessThanOrEqual(0.025);
    expect(login.latencySeconds.p99).toBeGreaterThan(0.25);
  });

  it('business and compliance: counters, gauges and ratios', async () => {
    const business = (
      await app.inject({ url: '/monitoring/metrics/business/?period=1h', headers: auth })
    ).json();
    expect(business.logins.successRate).toBeCloseTo(0.9, 3);
    const compliance = (
      await app.inject({ url: '/monitoring/compliance/report/?period=1h', headers: auth })
    ).json();
    const gdpr = compliance.regulations.find((r: { regulation: string }) => r.regulation === 'gdpr');
    expect(gdpr.overdue).toBe(2);
    expect(compliance.compliant).toBe(false);
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
