import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsHarness, type MetricsHarness } from '../../test/support/metrics-harness.ts';
import { createBusinessMetrics } from './business-metrics.ts';
import {
  checkDeclaredValues,
  createAttributeGuard,
  createValueGuard,
  personalDataReason,
} from './cardinality.ts';
import { createSecurityMetrics } from './security-metrics.ts';

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
  'alice%40example.com',
  'user-42',
  'uid42',
  'acct_7',
  'Customer #88',
  'e3b0c44298fc1c149afbf4c8996fb924',
  'cafe0123beef',
  'SGVsbG8gd29ybGQ=',
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
    'oauth2',
    'step_2',
    'signup_v2',
    'http2',
    'e2e_checkout',
    'passkeyLoginCompleted',
    'face_id',
    'decade',
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

  it('caps undeclared free values at 50 by default', () => {
    const warnings: Warning[] = [];
    const guard = createValueGuard('business.feature_usage', 'business.feature', {
      warn: (m, f) => warnings.push({ message: m, fields: f }),
    });
    const names = Array.from(
      { length: 51 },
      (_, i) => `feature_${String.fromCharCode(97 + (i % 26))}${i >= 26 ? 'x' : ''}`,
    );
    expect(new Set(names).size).toBe(51);
    const out = names.map(guard);
    expect(out.slice(0, 50)).toEqual(names.slice(0, 50));
    expect(out[50]).toBe('other');
    expect(warnings.map((w) => w.fields.reason)).toEqual(['more than 50 distinct values']);
  });

  it('a declared set closes a free attribute: other values become other, warned once and named', () => {
    const warnings: Warning[] = [];
    const guard = createValueGuard(
      'business.feature_usage',
      'business.feature',
      { warn: (m, f) => warnings.push({ message: m, fields: f }) },
      checkDeclaredValues('features', ['mfa_setup', 'passkey_login']),
    );
    expect(['mfa_setup', 'Passkey_Login', 'alice', 'bob', 'user-42'].map(guard)).toEqual([
      'mfa_setup',
      'passkey_login',
      'other',
      'other',
      'other',
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.fields).toMatchObject({
      reason: 'not in the declared set',
      'attribute.value': 'alice',
    });
  });

  it('rejects bad declarations at start, naming the option', () => {
    expect(() => checkDeclaredValues('features', [])).toThrow(/features must be a non-empty array/);
    expect(() => checkDeclaredValues('features', ['ok', ''])).toThrow(/features must hold non-empty strings/);
    expect(() => checkDeclaredValues('features', ['other'])).toThrow(/other than "other"/);
    expect(() => checkDeclaredValues('funnels.signup', ['start', 'alice@example.com'])).toThrow(
      /funnels.signup: a declared value looks like an e-mail/,
    );
    expect(() =>
      createValueGuard(
        'auth.login.attempts',
        'auth.method',
        {},
        checkDeclaredValues('methods', ['password']),
      ),
    ).toThrow(/closed set in the catalogue/);
    expect(() => createBusinessMetrics({ funnels: { signup: ['start', 'user-42'] } })).toThrow(
      /funnels.signup: a declared value looks like an ID/,
    );
    expect(() => createBusinessMetrics({ actions: 'completed' as never })).toThrow(/actions must be/);
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

  it('declared features and funnels: undeclared values and steps of the wrong funnel become other', async () => {
    const warnings: Warning[] = [];
    // A provider of its own: the test above recorded other/other too.
    const h = await createMetricsHarness();
    const business = createBusinessMetrics({
      meterProvider: h.provider,
      redis: false,
      warn: (m, f) => warnings.push({ message: m, fields: f }),
      features: ['sso_login'],
      actions: ['used'],
      funnels: { onboarding: ['start', 'verify', 'done'], upgrade: ['plan_chosen', 'paid'] },
    });
    business.recordFeatureUsage({ feature: 'sso_login', action: 'used', userType: 'free' });
    business.recordFeatureUsage({ feature: 'alice', action: 'used', userType: 'free' });
    business.recordFunnelStep({ funnel: 'onboarding', step: 'verify' });
    business.recordFunnelStep({ funnel: 'Onboarding', step: 'paid' }); // a step of another funnel
    business.recordFunnelStep({ funnel: 'upgrade', step: 'paid' });
    business.recordFunnelStep({ funnel: 'bob', step: 'start' });
    const step = (funnel: string, s: string) =>
      h.value('business.funnel.steps', { 'business.funnel': funnel, 'business.funnel.step': s });
    expect(await step('onboarding', 'verify')).toBe(1);
    expect(await step('onboarding', 'other')).toBe(1);
    expect(await step('upgrade', 'paid')).toBe(1);
    expect(await step('other', 'other')).toBe(1);
    expect(
      await h.value('business.feature_usage', {
        'business.feature': 'other',
        'business.action': 'used',
        'business.user_type': 'free',
      }),
    ).toBe(1);
    const text = await h.scrape();
    expect(text).not.toContain('alice');
    expect(text).not.toMatch(/business_funnel="bob"/);
    expect(warnings.map((w) => [w.fields['attribute.key'], w.fields['attribute.value']])).toEqual([
      ['business.feature', 'alice'],
      ['business.funnel.step', 'paid'],
      ['business.funnel', 'bob'],
    ]);
    await business.close();
    await h.close();
  });
});
