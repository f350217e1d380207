import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backoffMs, channelsFromEnv } from '../src/alerts/config.ts';
import { createAlertManager, fingerprint, mapSeverity, parseMatcher } from '../src/alerts/index.ts';
import { compileRouting, loadRoutingFile } from '../src/alerts/routing.ts';
import type { Severity } from '../src/alerts/types.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'authlens-routing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const alert = (severity: Severity, labels: Record<string, string> = {}, name = 'a') => ({
  name,
  severity,
  source: 's',
  labels,
});

const env = {
  ALERT_EMAIL_RECIPIENTS: 'ops@example.com',
  SMTP_URL: 'smtp://127.0.0.1:2525',
  ALERT_SLACK_WEBHOOK_URL: 'https://hooks.slack.test/services/x',
  ALERT_PAGERDUTY_INTEGRATION_KEY: 'k',
};

describe('routing', () => {
  it('defaults follow docs/alerting.md: critical → PagerDuty + Slack + e-mail, high → Slack + e-mail, medium → Slack, low/info → digest', () => {
    const channels = channelsFromEnv(env);
    const routing = compileRouting({}, channels);
    expect(routing.route(alert('critical')).channels).toEqual(['pagerduty', 'slack', 'email']);
    expect(routing.route(alert('critical')).escalation).toEqual([
      { afterMs: 900_000, channels: ['pagerduty', 'slack', 'email'] },
    ]);
    expect(routing.route(alert('high')).channels).toEqual(['slack', 'email']);
    expect(routing.route(alert('medium')).channels).toEqual(['slack']);
    expect(routing.route(alert('low')).channels).toEqual([]);
    expect(routing.route(alert('info')).channels).toEqual([]);
    // Only configured channels are used.
    expect(
      compileRouting({}, channelsFromEnv({ ALERT_SLACK_WEBHOOK_URL: env.ALERT_SLACK_WEBHOOK_URL })).route(
        alert('critical'),
      ).channels,
    ).toEqual(['slack']);
  });

  it('loads a YAML routing file with label matchers, continue, escalation and environment-variable secrets', () => {
    const p = file(
      'routing.yaml',
      `channels:
  - name: secops
    type: webhook
    url: https://hooks.example.test/secops
    secret: \${SECOPS_SECRET}
routes:
  - matchers: ['source=security']
    channels: [secops]
    continue: true
  - matchers: ['severity=~critical|high', 'team!=sandbox']
    channels: [slack, pagerduty]
    escalation:
      - after: 5m
        channels: [pagerduty]
      - after: 1h
        channels: [email]
    repeatInterval: 30m
  - channels: [email]
`,
    );
    const config = loadRoutingFile(p, { SECOPS_SECRET: 'shh' });
    expect(config.channels?.[0]).toEqual({
      name: 'secops',
      type: 'webhook',
      url: 'https://hooks.example.test/secops',
      secret: 'shh',
    });
    const routing = compileRouting(config, [...channelsFromEnv(env), ...(config.channels ?? [])]);
    const plan = routing.route({ name: 'x', severity: 'high', source: 'security', labels: {} });
    expect(plan.channels).toEqual(['secops', 'slack', 'pagerduty']);
    expect(plan.escalation.map((s) => s.afterMs)).toEqual([300_000, 3_600_000]);
    expect(plan.repeatIntervalMs).toBe(1_800_000);
    expect(routing.route(alert('high', { team: 'sandbox' })).channels).toEqual(['email']);
    expect(routing.route(alert('low')).repeatIntervalMs).toBe(4 * 3_600_000);
  });

  it.each([
    ['routes:\n  - channels: [nope]\n', /routes\[0\]\.channels\[0\]: unknown channel "nope"/],
    ['routes:\n  - matchers: ["severity critical"]\n    channels: []\n', /routes\[0\]\.matchers\[0\]/],
    [
      'routes:\n  - matchers: ["x=~("]\n    channels: []\n',
      /routes\[0\]\.matchers\[0\]: invalid regular expression/,
    ],
    ['route: []\n', /route: unknown key/],
    [
      'routes:\n  - channels: []\n    escalation: [{ after: soon, channels: [] }]\n',
      /routes\[0\]\.escalation\[0\]\.after/,
    ],
    [
      'routes:\n  - channels: []\n    escalation: [{ after: 5m, channels: [] }, { after: 1m, channels: [] }]\n',
      /escalation\[1\]\.after: must be later/,
    ],
    ['channels:\n  - { name: x, type: sms }\n', /channels\[0\]\.type: must be one of/],
    ['channels:\n  - { name: x, type: slack, webhookUrl: "ftp://x" }\n', /channels\[0\]\.webhookUrl/],
    [
      'maintenanceWindows:\n  - { name: m, start: never, end: "2030-01-01T00:00:00Z" }\n',
      /maintenanceWindows\[0\]\.start/,
    ],
    [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the routing file's own ${VAR} syntax
      'channels:\n  - { name: x, type: webhook, url: "https://x", secret: "${MISSING}" }\n',
      /MISSING is not set/,
    ],
    ['routes: [\n', /not valid YAML/],
  ])('rejects a bad routing file naming the field (%#)', async (text, message) => {
    const p = file(`bad-${Math.random().toString(36).slice(2)}.yaml`, text);
    const check = () =>
      createAlertManager({ routing: p, env: {}, storeUrl: 'sqlite::memory:', workers: false });
    await expect(check()).rejects.toThrow(message);
    await expect(check()).rejects.toThrow(p);
  });

  it('a missing routing file names ALERT_ROUTING_FILE', async () => {
    await expect(
      createAlertManager({
        env: { ALERT_ROUTING_FILE: path.join(dir, 'missing.yml') },
        storeUrl: 'sqlite::memory:',
      }),
    ).rejects.toThrow(/ALERT_ROUTING_FILE: cannot read/);
  });
});

describe('environment', () => {
  it.each([
    [
      { ALERT_EMAIL_RECIPIENTS: 'ops@example.com, not-an-address' },
      /ALERT_EMAIL_RECIPIENTS: "not-an-address"/,
    ],
    [{ ALERT_EMAIL_RECIPIENTS: 'ops@example.com' }, /SMTP_URL: required/],
    [
      { ALERT_EMAIL_RECIPIENTS: 'ops@example.com', SMTP_URL: 'http://x' },
      /^SMTP_URL: is not a URL starting with smtp:\/\/ or smtps:\/\/$/,
    ],
    [{ ALERT_SLACK_WEBHOOK_URL: 'hooks.slack.com' }, /^ALERT_SLACK_WEBHOOK_URL: is not an http\(s\) URL$/],
    [{ ALERT_PAGERDUTY_INTEGRATION_KEY: 'k', ALERT_PAGERDUTY_EVENTS_URL: 'x' }, /ALERT_PAGERDUTY_EVENTS_URL/],
    [
      { ALERT_HISTORY_RETENTION_DAYS: 'thirty' },
      /ALERT_HISTORY_RETENTION_DAYS: 'thirty' is not a positive integer/,
    ],
    [{ ALERT_STORE_URL: 'mysql://db' }, /ALERT_STORE_URL: must start with sqlite: or postgres:\/\//],
  ])('fails at start naming the variable (%#)', async (vars, message) => {
    await expect(createAlertManager({ env: vars, workers: false })).rejects.toThrow(message);
  });

  it('never puts a secret into an error message', async () => {
    const err = await createAlertManager({
      env: { ALERT_SLACK_WEBHOOK_URL: 'hooks.slack.com/services/T/B/SECRET123' },
    }).catch((e: Error) => e);
    expect(String(err)).not.toContain('SECRET123');
  });
});

describe('helpers', () => {
  it('backoff is exponential, jittered and bounded', () => {
    const retry = { maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 10_000 };
    expect(backoffMs(1, retry, () => 0)).toBe(500);
    expect(backoffMs(1, retry, () => 1)).toBe(1000);
    expect(backoffMs(3, retry, () => 1)).toBe(4000);
    expect(backoffMs(30, retry, () => 1)).toBe(10_000);
    expect(backoffMs(30, retry, () => 0)).toBe(5000);
  });

  it('fingerprints ignore label order; severities map from Prometheus conventions; matchers', () => {
    expect(fingerprint('a', { x: '1', y: '2' })).toBe(fingerprint('a', { y: '2', x: '1' }));
    expect(fingerprint('a', { x: '1' })).not.toBe(fingerprint('b', { x: '1' }));
    expect(['page', 'error', 'warning', 'info', 'nonsense', undefined].map(mapSeverity)).toEqual([
      'critical',
      'high',
      'medium',
      'info',
      'medium',
      'medium',
    ]);
    expect(parseMatcher('env=~prod|staging', 'm').test({ env: 'prod' })).toBe(true);
    expect(parseMatcher('env=~prod', 'm').test({ env: 'production' })).toBe(false);
    expect(parseMatcher('env!=dev', 'm').test({})).toBe(true);
    expect(parseMatcher('env="a b"', 'm').test({ env: 'a b' })).toBe(true);
  });
});
