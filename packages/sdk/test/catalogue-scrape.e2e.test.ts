/**
 * End to end: the real `start()` (global MeterProvider, scrape port), the default recorder
 * instances bound lazily to it, and the real scrape endpoint. Every catalogued name that the SDK
 * and the domain recorders emit must appear exactly as `prometheusName` says.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLogger } from '../src/domain/audit-logger.ts';
import { authMetrics } from '../src/domain/auth-metrics.ts';
import { createBruteForceDetector } from '../src/domain/brute-force.ts';
import { businessMetrics } from '../src/domain/business-metrics.ts';
import { instrumentCatalogue, prometheusName, prometheusSeriesNames } from '../src/domain/catalogue.ts';
import { complianceMetrics } from '../src/domain/compliance-metrics.ts';
import { securityMetrics } from '../src/domain/security-metrics.ts';
import { type AuthlensHandle, start } from '../src/index.ts';
import { prometheusSample } from './support/metrics-harness.ts';

let handle: AuthlensHandle & { scrapePort?: number };

beforeAll(async () => {
  // Used before start(): bound to the no-op meter (this value is dropped, as OTel does), the default
  // instance must rebind to the SDK's provider once it is registered.
  authMetrics.recordLoginAttempt({ method: 'password', success: true });
  handle = await start({
    serviceName: 'catalogue-e2e',
    prometheusPort: 0,
    handleSignals: false,
    env: {},
  } as Parameters<typeof start>[0]);
  expect(handle.enabled).toBe(true);
});

afterAll(async () => {
  await businessMetrics.close();
  await handle?.shutdown();
});

describe('the SDK scrape endpoint', () => {
  it('serves every domain instrument, recorded through the default instances, under its prometheusName', async () => {
    authMetrics.recordLoginAttempt({
      method: 'password',
      success: false,
      failureReason: 'invalid_credentials',
      durationSeconds: 0.2,
    });
    authMetrics.recordMfaChallenge({ method: 'totp' });
    authMetrics.recordMfaVerification({ method: 'totp', success: true });
    authMetrics.recordMfaEnrollment({ method: 'totp', action: 'enrolled' });
    authMetrics.recordMfaAdoption({ usersWithMfa: 1, totalUsers: 4 });
    authMetrics.recordOAuthRequest({ provider: 'google', success: true, durationSeconds: 0.3 });
    authMetrics.recordToken({ type: 'access', action: 'issued' });
    authMetrics.sessionStarted();
    authMetrics.recordPasswordReset({ stage: 'completed' });
    securityMetrics.recordAuthFailure({ method: 'password', reason: 'invalid_credentials' });
    securityMetrics.recordRiskScore({ method: 'password', score: 0.7 });
    securityMetrics.recordAccountLockout({ reason: 'too_many_failures' });
    const detector = createBruteForceDetector({ redis: false, thresholds: { accountFailures: 1 } });
    await detector.recordFailure({ account: 'e2e-user' });
    businessMetrics.recordUserRegistration({
      source: 'web_app',
      method: 'email',
      country: 'DE',
      deviceType: 'mobile',
    });
    businessMetrics.recordFeatureUsage({ feature: 'mfa_setup', action: 'completed', userType: 'premium' });
    businessMetrics.recordFunnelStep({ funnel: 'signup', step: 'started' });
    businessMetrics.recordActiveUser('e2e-user');
    complianceMetrics.recordDsrReceived({ id: 'e2e-1', regulation: 'gdpr', type: 'access' });
    complianceMetrics.recordDsrReceived({ id: 'e2e-2', regulation: 'ccpa', type: 'erasure' });
    complianceMetrics.recordDsrCompleted({ id: 'e2e-1' });
    complianceMetrics.recordConsentChange({ purpose: 'analytics', action: 'granted' });
    complianceMetrics.recordRetentionPurge({ category: 'tokens', count: 3 });
    complianceMetrics.recordRetentionState({
      category: 'tokens',
      oldestRecordAt: new Date(Date.now() - 60_000),
    });
    // The audit logger counts through the default complianceMetrics (it must not shadow its gauges).
    createAuditLogger().log({
      actor: 'system',
      action: 'e2e.check',
      target: 'catalogue',
      outcome: 'success',
    });

    // One HTTP request through the instrumented server gives http.server.request.duration.
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`)).text();
    await new Promise<void>((r) => server.close(() => r()));

    expect(handle.scrapePort).toBeGreaterThan(0);
    const text = await (await fetch(`http://127.0.0.1:${handle.scrapePort}/metrics`)).text();
    const expected = instrumentCatalogue.filter(
      (e) => e.source === 'domain' || e.name === 'http.server.request.duration',
    );
    for (const e of expected) {
      for (const series of prometheusSeriesNames(e.name))
        expect(text, e.name).toMatch(new RegExp(`^${series}[{ ]`, 'm'));
    }
    // Values read back from the scrape.
    expect(prometheusSample(text, prometheusName('auth.login.attempts'), { auth_outcome: 'failure' })).toBe(
      1,
    );
    expect(
      prometheusSample(text, prometheusName('auth.login.attempts'), { auth_outcome: 'success' }),
    ).toBeUndefined();
    expect(
      prometheusSample(text, `${prometheusName('auth.login.duration')}_count`, { auth_outcome: 'failure' }),
    ).toBe(1);
    expect(prometheusSample(text, prometheusName('auth.mfa.adoption'))).toBe(0.25);
    expect(
      prometheusSample(text, prometheusName('compliance.dsr.open'), {
        compliance_regulation: 'ccpa',
        compliance_request_type: 'erasure',
      }),
    ).toBe(1);
    expect(
      prometheusSample(text, prometheusName('security.events'), { security_event_type: 'brute_force' }),
    ).toBe(1);
    expect(text).not.toContain('e2e-user');

    // Every runtime family the SDK emits is catalogued under the same name.
    const runtimeNames = new Set(
      instrumentCatalogue.filter((e) => e.source === 'runtime').map((e) => e.prometheusName),
    );
    const emitted = [...text.matchAll(/^# TYPE ((?:nodejs|v8js)_\S+) /gm)].map((m) => m[1]!);
    expect(emitted.filter((n) => !runtimeNames.has(n))).toEqual([]);
  });
});
