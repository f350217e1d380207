/** The default metrics source: the running `@authlens/sdk` handle (`currentHandle().metrics`). */
import { type AuthlensHandle, start } from '@authlens/sdk';
import { metrics } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildApp, readKey } from './support/monitoring-support.ts';

let handle: AuthlensHandle;
let app: FastifyInstance;

beforeAll(async () => {
  handle = await start({
    serviceName: 'status-api-test',
    prometheusPort: false,
    handleSignals: false,
    env: {},
  });
  app = await buildApp();
});
afterAll(async () => {
  await app?.close();
  await handle?.shutdown();
});

describe('in-process metrics from the SDK', () => {
  it('serves KPIs and Prometheus text from the running SDK without any metrics option', async () => {
    expect(handle.enabled).toBe(true);
    const logins = metrics
      .getMeter('auth-service')
      .createCounter('auth.login.attempts', { unit: '{attempt}' });
    logins.add(3, { 'auth.method': 'passkey', 'auth.outcome': 'success', 'auth.failure_reason': 'none' });
    logins.add(1, { 'auth.method': 'passkey', 'auth.outcome': 'failure', 'auth.failure_reason': 'other' });
    const business = await app.inject({ url: '/monitoring/metrics/business/', headers: bearer(readKey) });
    expect(business.statusCode).toBe(200);
    expect(business.json().logins).toMatchObject({ total: 4, successRate: 0.75, byMethod: { passkey: 4 } });
    const text = await app.inject({ url: '/monitoring/metrics/', headers: bearer(readKey) });
    expect(text.statusCode).toBe(200);
    expect(text.body).toMatch(
      /auth_login_attempts_total\{[^}]*auth_method="passkey"[^}]*auth_outcome="success"[^}]*\} 3/,
    );
    expect(text.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    // A scraper that asks for OpenMetrics (as Prometheus does) gets it: the format with exemplars.
    const open = await app.inject({
      url: '/monitoring/metrics',
      headers: {
        ...bearer(readKey),
        accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      },
    });
    expect(open.statusCode).toBe(200);
    expect(open.headers['content-type']).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    expect(open.body).toContain('# TYPE auth_login_attempts counter');
    expect(open.body).toMatch(/auth_login_attempts_total\{[^}]*auth_outcome="failure"[^}]*\} 1/);
    expect(open.body.endsWith('# EOF\n')).toBe(true);
  });
});
