import { metrics } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMetricsHarness,
  type MetricsHarness,
  prometheusSample,
} from '../../test/support/metrics-harness.ts';
import { authMetrics, createAuthMetrics } from './auth-metrics.ts';
import { createBusinessMetrics } from './business-metrics.ts';
import { instrumentCatalogue, prometheusName } from './catalogue.ts';
import { createComplianceMetrics } from './compliance-metrics.ts';
import { createSecurityMetrics } from './security-metrics.ts';

const warnings: { message: string; fields: Record<string, string | number> }[] = [];
const warn = (message: string, fields: Record<string, string | number>) => warnings.push({ message, fields });

let h: MetricsHarness;
beforeAll(async () => {
  h = await createMetricsHarness();
});
afterAll(async () => {
  metrics.disable();
  await h?.close();
});

describe('auth metrics', () => {
  it('records logins, MFA, OAuth, tokens, sessions and password resets', async () => {
    const auth = createAuthMetrics({ meterProvider: h.provider, warn });
    auth.recordLoginAttempt({ method: 'password', success: true, durationSeconds: 0.12 });
    auth.recordLoginAttempt({
      method: 'password',
      success: false,
      failureReason: 'invalid_credentials',
      durationSeconds: 0.3,
    });
    auth.recordLoginAttempt({ method: 'passkey', success: false });
    auth.recordMfaChallenge({ method: 'totp' });
    auth.recordMfaVerification({ method: 'totp', success: false });
    auth.recordMfaEnrollment({ method: 'webauthn', action: 'enrolled' });
    auth.recordMfaAdoption({ usersWithMfa: 25, totalUsers: 100 });
    auth.recordOAuthRequest({ provider: 'github', success: true, durationSeconds: 0.4 });
    auth.recordToken({ type: 'refresh', action: 'revoked' });
    auth.sessionStarted();
    auth.sessionStarted();
    auth.sessionEnded();
    auth.recordPasswordReset({ stage: 'requested' });

    expect(
      await h.value('auth.login.attempts', {
        'auth.method': 'password',
        'auth.outcome': 'success',
        'auth.failure_reason': 'none',
      }),
    ).toBe(1);
    expect(await h.value('auth.login.attempts', { 'auth.failure_reason': 'invalid_credentials' })).toBe(1);
    // A failure without a reason is counted as `other`.
    expect(
      await h.value('auth.login.attempts', { 'auth.method': 'passkey', 'auth.failure_reason': 'other' }),
    ).toBe(1);
    expect(await h.histogram('auth.login.duration', { 'auth.method': 'password' })).toEqual({
      count: 2,
      sum: 0.42,
    });
    expect(await h.value('auth.mfa.challenges', { 'auth.mfa.method': 'totp' })).toBe(1);
    expect(
      await h.value('auth.mfa.verifications', { 'auth.mfa.method': 'totp', 'auth.outcome': 'failure' }),
    ).toBe(1);
    expect(
      await h.value('auth.mfa.enrollments', { 'auth.mfa.method': 'webauthn', 'auth.mfa.action': 'enrolled' }),
    ).toBe(1);
    expect(await h.value('auth.mfa.adoption')).toBe(0.25);
    expect(
      await h.value('auth.oauth.requests', { 'auth.oauth.provider': 'github', 'auth.outcome': 'success' }),
    ).toBe(1);
    expect(await h.histogram('auth.oauth.duration')).toEqual({ count: 1, sum: 0.4 });
    expect(
      await h.value('auth.tokens', { 'auth.token.type': 'refresh', 'auth.token.action': 'revoked' }),
    ).toBe(1);
    expect(await h.value('auth.sessions.active')).toBe(1);
    expect(await h.value('auth.password_resets', { 'auth.password_reset.stage': 'requested' })).toBe(1);

    const text = await h.scrape();
    expect(
      prometheusSample(text, prometheusName('auth.login.attempts'), {
        auth_method: 'password',
        auth_outcome: 'failure',
        auth_failure_reason: 'invalid_credentials',
      }),
    ).toBe(1);
    expect(
      prometheusSample(text, `${prometheusName('auth.login.duration')}_count`, { auth_method: 'password' }),
    ).toBe(1);
    expect(prometheusSample(text, prometheusName('auth.sessions.active'))).toBe(1);
    expect(prometheusSample(text, prometheusName('auth.mfa.adoption'))).toBe(0.25);
  });

  it('ignores bad numbers with one warning naming the field, and never throws', async () => {
    const auth = createAuthMetrics({ meterProvider: h.provider, warn });
    const before = (await h.histogram('auth.login.duration')).count;
    warnings.length = 0;
    auth.recordLoginAttempt({ method: 'sso', success: true, durationSeconds: Number.NaN });
    auth.recordLoginAttempt({ method: 'sso', success: true, durationSeconds: -1 });
    expect((await h.histogram('auth.login.duration')).count).toBe(before);
    expect(await h.value('auth.login.attempts', { 'auth.method': 'sso' })).toBe(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.fields.field).toBe('durationSeconds');
  });

  it('the default instance binds to the global MeterProvider lazily, even when registered after import', async () => {
    authMetrics.recordToken({ type: 'api_key', action: 'issued' }); // no provider yet: a no-op
    metrics.setGlobalMeterProvider(h.provider);
    authMetrics.recordToken({ type: 'api_key', action: 'issued' });
    expect(await h.value('auth.tokens', { 'auth.token.type': 'api_key' })).toBe(1);
  });
});

describe('security metrics', () => {
  it('records failures, events, risk scores and lockouts', async () => {
    const security = createSecurityMetrics({ meterProvider: h.provider, warn });
    security.recordAuthFailure({ method: 'password', reason: 'unknown_user' });
    security.recordSecurityEvent({ type: 'impossible_travel', severity: 'medium' });
    security.recordRiskScore({ method: 'password', score: 0.85 });
    security.recordRiskScore({ method: 'password', score: 1.5 }); // ignored: outside 0..1
    security.recordAccountLockout({ reason: 'too_many_failures' });
    expect(await h.value('security.auth.failures', { 'auth.failure_reason': 'unknown_user' })).toBe(1);
    expect(
      await h.value('security.events', {
        'security.event.type': 'impossible_travel',
        'security.severity': 'medium',
      }),
    ).toBe(1);
    expect(await h.histogram('security.risk_score')).toEqual({ count: 1, sum: 0.85 });
    expect(
      await h.value('security.account_lockouts', { 'security.lockout.reason': 'too_many_failures' }),
    ).toBe(1);
    const text = await h.scrape();
    expect(prometheusSample(text, `${prometheusName('security.risk_score')}_bucket`, { le: '0.9' })).toBe(1);
    expect(prometheusSample(text, `${prometheusName('security.risk_score')}_bucket`, { le: '0.8' })).toBe(0);
    expect(
      prometheusSample(text, prometheusName('security.events'), { security_event_type: 'impossible_travel' }),
    ).toBe(1);
  });
});

describe('business metrics', () => {
  it('records registrations, feature usage, funnel steps and active users (the calls docs/custom-telemetry.md shows)', async () => {
    const business = createBusinessMetrics({ meterProvider: h.provider, warn, redis: false });
    business.recordUserRegistration({
      source: 'web_app',
      method: 'email',
      country: 'US',
      deviceType: 'desktop',
    });
    business.recordUserRegistration({
      source: 'web_app',
      method: 'email',
      country: 'us',
      deviceType: 'Desktop',
    });
    business.recordFeatureUsage({ feature: 'mfa_setup', action: 'completed', userType: 'premium' });
    business.recordFunnelStep({ funnel: 'signup', step: 'email_verified' });
    for (const id of ['u1', 'u2', 'u3', 'u2']) business.recordActiveUser(id);
    expect(
      await h.value('business.registrations', {
        'business.source': 'web_app',
        'business.country': 'US',
        'business.device_type': 'desktop',
      }),
    ).toBe(2);
    expect(
      await h.value('business.feature_usage', {
        'business.feature': 'mfa_setup',
        'business.action': 'completed',
        'business.user_type': 'premium',
      }),
    ).toBe(1);
    expect(await h.value('business.funnel.steps', { 'business.funnel.step': 'email_verified' })).toBe(1);
    expect(await h.value('business.active_users', { 'business.period': 'daily' })).toBe(3);
    expect(await h.value('business.active_users', { 'business.period': 'monthly' })).toBe(3);
    const text = await h.scrape();
    expect(
      prometheusSample(text, prometheusName('business.active_users'), { business_period: 'weekly' }),
    ).toBe(3);
    expect(prometheusSample(text, prometheusName('business.registrations'), { business_country: 'US' })).toBe(
      2,
    );
    // No label carries a user ID.
    expect(text).not.toMatch(/"u[123]"/);
    await business.close();
  });
});

describe('compliance metrics', () => {
  it('tracks data-subject requests: open, overdue, completion time, snapshot', async () => {
    let clock = new Date('2026-01-01T00:00:00Z');
    const compliance = createComplianceMetrics({ meterProvider: h.provider, warn, now: () => clock });
    compliance.recordDsrReceived({ id: 'dsr-a', regulation: 'gdpr', type: 'erasure' });
    compliance.recordDsrReceived({ id: 'dsr-b', regulation: 'ccpa', type: 'access' });
    compliance.recordDsrReceived({ id: 'dsr-c', regulation: 'gdpr', type: 'access' });
    compliance.recordDsrInProgress('dsr-a');
    expect(await h.value('compliance.dsr.open', { 'compliance.regulation': 'gdpr' })).toBe(2);
    expect(
      await h.value('compliance.dsr.open', {
        'compliance.regulation': 'ccpa',
        'compliance.request.type': 'access',
      }),
    ).toBe(1);
    expect(await h.value('compliance.dsr.overdue')).toBe(0);

    clock = new Date('2026-01-31T00:00:01Z'); // 30 days + 1 s: GDPR overdue, CCPA (45 days) not
    expect(await h.value('compliance.dsr.overdue', { 'compliance.regulation': 'gdpr' })).toBe(2);
    expect(await h.value('compliance.dsr.overdue', { 'compliance.regulation': 'ccpa' })).toBe(0);
    const snap = compliance.snapshot();
    expect(snap.open.map((r) => r.id).sort()).toEqual(['dsr-a', 'dsr-b', 'dsr-c']);
    expect(snap.overdue.map((r) => r.id).sort()).toEqual(['dsr-a', 'dsr-c']);
    expect(snap.open.find((r) => r.id === 'dsr-a')?.status).toBe('in_progress');
    expect(snap.open.find((r) => r.id === 'dsr-b')?.deadline.toISOString()).toBe('2026-02-15T00:00:00.000Z');

    compliance.recordDsrCompleted({ id: 'dsr-a' });
    compliance.recordDsrRejected({ id: 'dsr-c' });
    expect(await h.value('compliance.dsr.open', { 'compliance.regulation': 'gdpr' })).toBe(0);
    expect(await h.value('compliance.dsr.overdue', { 'compliance.regulation': 'gdpr' })).toBe(0);
    expect(
      await h.histogram('compliance.dsr.completion_time', { 'compliance.request.type': 'erasure' }),
    ).toEqual({
      count: 1,
      sum: 30 * 86_400 + 1,
    });
    expect(await h.value('compliance.dsr.requests', { 'compliance.request.status': 'received' })).toBe(3);
    expect(await h.value('compliance.dsr.requests', { 'compliance.request.status': 'in_progress' })).toBe(1);
    expect(await h.value('compliance.dsr.requests', { 'compliance.request.status': 'completed' })).toBe(1);
    expect(await h.value('compliance.dsr.requests', { 'compliance.request.status': 'rejected' })).toBe(1);

    compliance.restore([
      {
        id: 'dsr-old',
        regulation: 'ccpa',
        type: 'portability',
        receivedAt: new Date('2025-11-01T00:00:00Z'),
      },
    ]);
    expect(compliance.snapshot().overdue.map((r) => r.id)).toEqual(['dsr-old']);
    expect(await h.value('compliance.dsr.requests', { 'compliance.request.type': 'portability' })).toBe(0);

    compliance.recordConsentChange({ purpose: 'marketing', action: 'withdrawn' });
    compliance.recordRetentionPurge({ category: 'sessions', count: 42 });
    compliance.recordAuditEvent({ category: 'data_access', outcome: 'success' });
    expect(await h.value('compliance.consent.changes', { 'compliance.consent.action': 'withdrawn' })).toBe(1);
    expect(await h.value('compliance.retention.purged', { 'compliance.data.category': 'sessions' })).toBe(42);
    expect(await h.value('compliance.audit.events', { 'audit.category': 'data_access' })).toBe(1);

    const text = await h.scrape();
    expect(
      prometheusSample(text, prometheusName('compliance.dsr.overdue'), { compliance_regulation: 'ccpa' }),
    ).toBe(1);
    expect(
      prometheusSample(text, prometheusName('compliance.retention.purged'), {
        compliance_data_category: 'sessions',
      }),
    ).toBe(42);
  });
});

describe('compliance retention state', () => {
  it('observes the age of the oldest record kept per category, growing between reports', async () => {
    let clock = new Date('2026-03-01T00:00:00Z');
    warnings.length = 0;
    const compliance = createComplianceMetrics({ meterProvider: h.provider, warn, now: () => clock });
    const age = (category: string) =>
      h.value('compliance.retention.oldest_record_age', { 'compliance.data.category': category });
    // Nothing reported yet: no series (unknown is not "0 seconds old").
    expect(await h.attributeSets('compliance.retention.oldest_record_age')).toEqual([]);

    compliance.recordRetentionState({
      category: 'sessions',
      oldestRecordAt: new Date('2026-02-28T00:00:00Z'),
    });
    compliance.recordRetentionState({ category: 'authentication_logs', oldestRecordAt: null });
    expect(await age('sessions')).toBe(86_400);
    expect(await age('authentication_logs')).toBe(0);

    clock = new Date('2026-03-01T01:00:00Z'); // no new report: the age is computed at collection
    expect(await age('sessions')).toBe(86_400 + 3_600);

    // A later report replaces the earlier one (the oldest session was purged).
    compliance.recordRetentionState({
      category: 'sessions',
      oldestRecordAt: new Date('2026-03-01T00:30:00Z'),
    });
    expect(await age('sessions')).toBe(1_800);
    // A record dated after now (clock skew) is age 0, never negative.
    compliance.recordRetentionState({ category: 'tokens', oldestRecordAt: new Date('2026-03-02T00:00:00Z') });
    expect(await age('tokens')).toBe(0);

    // Bad input: a string or an invalid Date is ignored with one warning, the last value is kept.
    compliance.recordRetentionState({ category: 'sessions', oldestRecordAt: new Date('not a date') });
    compliance.recordRetentionState({
      category: 'sessions',
      oldestRecordAt: '2026-01-01' as unknown as Date,
    });
    expect(await age('sessions')).toBe(1_800);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.fields.field).toBe('oldestRecordAt');

    // The category passes through the cardinality guard.
    compliance.recordRetentionState({
      category: 'user-42@example.com' as 'other',
      oldestRecordAt: new Date('2026-02-01T01:00:00Z'),
    });
    const categories = (await h.attributeSets('compliance.retention.oldest_record_age')).map(
      (a) => a['compliance.data.category'],
    );
    expect(categories.sort()).toEqual(['authentication_logs', 'other', 'sessions', 'tokens']);
    expect(await age('other')).toBe(28 * 86_400);

    const text = await h.scrape();
    expect(prometheusName('compliance.retention.oldest_record_age')).toBe(
      'compliance_retention_oldest_record_age_seconds',
    );
    expect(
      prometheusSample(text, 'compliance_retention_oldest_record_age_seconds', {
        compliance_data_category: 'sessions',
      }),
    ).toBe(1_800);
  });
});

describe('every domain instrument', () => {
  it('has been recorded through a recorder and appears under its prometheusName', async () => {
    const text = await h.scrape();
    for (const e of instrumentCatalogue.filter((x) => x.source === 'domain')) {
      expect(text, e.name).toMatch(new RegExp(`^${e.prometheusName}(_bucket)?[{ ]`, 'm'));
    }
  });
});

describe('enabled toggles', () => {
  it('enabled: false, or the area variable set to false, makes a recorder a no-op', async () => {
    const before = await h.value('business.funnel.steps');
    createBusinessMetrics({ meterProvider: h.provider, redis: false, enabled: false }).recordFunnelStep({
      funnel: 'f',
      step: 's',
    });
    process.env.BUSINESS_METRICS_ENABLED = 'false';
    try {
      createBusinessMetrics({ meterProvider: h.provider, redis: false }).recordFunnelStep({
        funnel: 'f',
        step: 's',
      });
    } finally {
      delete process.env.BUSINESS_METRICS_ENABLED;
    }
    expect(await h.value('business.funnel.steps')).toBe(before);
    createBusinessMetrics({ meterProvider: h.provider, redis: false }).recordFunnelStep({
      funnel: 'f',
      step: 's',
    });
    expect(await h.value('business.funnel.steps')).toBe(before + 1);
  });
});
