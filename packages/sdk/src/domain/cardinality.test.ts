import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBusinessMetrics } from './business-metrics.ts';
import { createAttributeGuard, createValueGuard, personalDataReason } from './cardinality.ts';
import { createSecurityMetrics } from './security-metrics.ts';
import { createMetricsHarness, type MetricsHarness } from './test-harness.ts';

type Warning = { message: string; fields: Record<string, string | number> };

const PERSONAL = [
  'alice@example.com',
  'ALICE+test@corp.example.co.uk',
  '192.168.1.1',
  'client 10.0.0.7',
  '2001:db8::8a2e:370:7334',
  'fe80::1',
  '550e8400-e29b-41d4-a716-446655440000',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  '12345',
  'user-000123',
  'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
  'ghp_abcdefghij1234567890ABCDEFGHIJ',
  'a'.repeat(65),
];

describe('personalDataReason', () => {
  it.each(PERSONAL)('flags %s', (value) => {
    expect(personalDataReason(value)).toBeDefined();
  });
  it.each([
    'mfa_setup',
    'completed',
    'signup',
    'email_verified',
    '/users/:id',
    '200',
    'GET',
    'api',
    'premium',
    'v8js',
  ])('accepts %s', (value) => {
    expect(personalDataReason(value)).toBeUndefined();
  });
});

describe('value guard', () => {
  it('keeps allowed values, folds case, maps the rest to other and warns once', () => {
    const warnings: Warning[] = [];
    const guard = createValueGuard('auth.login.attempts', 'auth.method', {
      warn: (m, f) => warnings.push({ message: m, fields: f }),
    });
    expect(guard('password')).toBe('password');
    expect(guard('PassKey')).toBe('passkey');
    expect(guard('carrier_pigeon')).toBe('other');
    expect(guard('telepathy')).toBe('other');
    expect(guard(undefined)).toBe('other');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.fields).toMatchObject({
      'metric.name': 'auth.login.attempts',
      'attribute.key': 'auth.method',
      'attribute.value': 'carrier_pigeon',
    });
  });

  it('never lets a user ID, e-mail, IP or token through a free attribute, and never echoes it', () => {
    const warnings: Warning[] = [];
    const guard = createValueGuard('business.feature_usage', 'business.feature', {
      warn: (m, f) => warnings.push({ message: m, fields: f }),
    });
    for (const value of PERSONAL) expect(guard(value), value).toBe('other');
    expect(guard('mfa_setup')).toBe('mfa_setup');
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings)).not.toContain('alice');
    expect(warnings[0]!.fields['attribute.value']).toBeUndefined();
  });

  it('caps the number of distinct free values', () => {
    const guard = createValueGuard('business.funnel.steps', 'business.funnel.step', {
      maxFreeValues: 3,
      warn: () => {},
    });
    expect(['a', 'b', 'c', 'd', 'a'].map(guard)).toEqual(['a', 'b', 'c', 'other', 'a']);
  });

  it('rejects attributes the catalogue does not allow, naming them', () => {
    expect(() => createValueGuard('auth.login.attempts', 'user.id')).toThrow(
      /"user.id" is not allowed on instrument "auth.login.attempts"/,
    );
    expect(() =>
      createValueGuard('business.feature_usage', 'business.feature', { maxFreeValues: 0 }),
    ).toThrow(/maxFreeValues/);
  });

  it('attribute guard drops keys outside the catalogue', () => {
    const guard = createAttributeGuard('security.events', { warn: () => {} });
    expect(
      guard({
        'security.event.type': 'brute_force',
        'security.severity': 'Critical',
        'user.id': 'u-12345',
        'client.address': '10.1.2.3',
      }),
    ).toEqual({
      'security.event.type': 'brute_force',
      'security.severity': 'critical',
    });
  });
});

describe('through the recorders to the exporter', () => {
  let h: MetricsHarness;
  beforeAll(async () => {
    h = await createMetricsHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('personal data passed to recorders never reaches a metric label', async () => {
    const business = createBusinessMetrics({ meterProvider: h.provider, redis: false, warn: () => {} });
    const security = createSecurityMetrics({ meterProvider: h.provider, warn: () => {} });
    for (const value of PERSONAL) {
      business.recordFeatureUsage({ feature: value, action: value, userType: value });
      business.recordFunnelStep({ funnel: value, step: value });
      business.recordUserRegistration({ source: value, method: value, country: value, deviceType: value });
      security.recordAuthFailure({ method: value, reason: value });
      business.recordActiveUser(value);
    }
    const text = await h.scrape();
    for (const value of PERSONAL) expect(text).not.toContain(value.slice(0, 12));
    expect(
      await h.value('business.feature_usage', {
        'business.feature': 'other',
        'business.action': 'other',
        'business.user_type': 'other',
      }),
    ).toBe(PERSONAL.length);
    expect(await h.value('business.registrations', { 'business.country': 'other' })).toBe(PERSONAL.length);
    await business.close();
  });
});
