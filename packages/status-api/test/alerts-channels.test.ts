/**
 * Channels against local receivers that speak each wire protocol: SMTP (smtp-server), Slack
 * incoming webhooks, PagerDuty Events API v2 and signed generic webhooks — exact payloads,
 * retries (500, 429 + Retry-After, 408, hang), final 4xx, dedup keys and HMAC signatures.
 * The whole suite runs on both stores (SQLite and PostgreSQL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AlertManager,
  type AlertManagerOptions,
  createAlertManager,
  verifyWebhookSignature,
} from '../src/alerts/index.ts';
import {
  backends,
  eventually,
  type Receiver,
  startReceiver,
  type TempStore,
} from './support/alerts-support.ts';
import { decodeQp, startSmtp } from './support/jobs-support.ts';

describe.each(backends)('notification channels on $name', ({ name: backend, make }) => {
  let temp: TempStore;
  let slack: Receiver;
  let pd: Receiver;
  let hook: Receiver;
  let smtp: Awaited<ReturnType<typeof startSmtp>> | undefined;
  /** SMTP reply for RCPT TO, scripted per test (undefined: accept). */
  const rcptErrors: Array<{ code: number; message: string }> = [];
  let manager: AlertManager;
  /** A second replica on the same PostgreSQL database (PostgreSQL only). */
  let replica: AlertManager | undefined;

  beforeAll(async () => {
    temp = await make();
    [slack, pd, hook] = await Promise.all([
      startReceiver(),
      startReceiver({ status: 202, body: '{"status":"success"}' }),
      startReceiver(),
    ]);
    smtp = await startSmtp({ rcptErrors, decode: false });

    const options: AlertManagerOptions = {
      storeUrl: temp.url,
      pollIntervalMs: 50,
      sendTimeoutMs: 400,
      retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 200 },
      // The `ALERT_*` variables declare the channels; endpoints point at the local receivers.
      env: {
        ALERT_EMAIL_RECIPIENTS: 'admin@company.test, ops@company.test',
        ALERT_EMAIL_FROM: 'alerts@authlens.test',
        SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        ALERT_SLACK_WEBHOOK_URL: `${slack.url}/services/T000/B000/XXXX`,
        ALERT_PAGERDUTY_INTEGRATION_KEY: 'R0UTINGKEY0123456789012345678901',
        ALERT_PAGERDUTY_EVENTS_URL: `${pd.url}/v2/enqueue`,
        ALERT_WEBHOOK_URLS: `${hook.url}/alerts`,
        ALERT_WEBHOOK_SECRET: 'whsec_test',
      },
      routing: {
        routes: [
          { matchers: ['alertname=~mail_.*'], channels: ['email'] },
          { matchers: ['alertname=~slack_.*'], channels: ['slack'] },
          { matchers: ['alertname=~pd_.*'], channels: ['pagerduty'] },
          { matchers: ['alertname=~hook_.*'], channels: ['webhook'] },
        ],
      },
    };
    manager = await createAlertManager(options);
    if (backend === 'postgres') replica = await createAlertManager(options);
  });
  afterAll(async () => {
    await manager?.close();
    await replica?.close();
    await Promise.all([slack?.close(), pd?.close(), hook?.close()]);
    await smtp?.close();
    await temp?.drop();
  });

  const deliveries = async (id: string) => (await manager.getAlert(id))!.notifications;
  /** The alert's notifications once its first one is in `state`. */
  const firstDeliveryIn = (id: string, state: 'sent' | 'failed') =>
    eventually(async () => {
      const list = await deliveries(id);
      return list[0]?.state === state ? list : undefined;
    }, 10_000);

  it('e-mail: HTML + text over SMTP to every recipient', async () => {
    const alert = await manager.createAlert({
      name: 'mail_disk',
      severity: 'critical',
      message: 'Disk <full> & failing',
      source: 'node',
      labels: { host: 'db-1' },
      annotations: { runbook: 'https://runbooks/disk' },
    });
    const mail = await eventually(() => smtp?.mails.find((m) => m.raw.includes(alert.id)));
    expect(mail.from).toBe('alerts@authlens.test');
    expect(mail.to).toEqual(['admin@company.test', 'ops@company.test']);
    expect(mail.raw).toMatch(/^Subject: \[CRITICAL\] Firing: mail_disk$/m);
    expect(mail.raw).toMatch(/Content-Type: text\/plain/);
    expect(mail.raw).toMatch(/Content-Type: text\/html/);
    expect(mail.raw).toContain('Message: Disk <full> & failing');
    expect(decodeQp(mail.raw)).toContain('<td>Disk &lt;full&gt; &amp; failing</td>');
    const headers = mail.raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
    expect(headers).toContain(`X-Authlens-Idempotency-Key: ${alert.id}:trigger:email`);
    await firstDeliveryIn(alert.id, 'sent');
  });

  it('e-mail: SMTP 4xx is retried, 5xx is final', async () => {
    // Both recipients are refused once (nodemailer succeeds when any recipient is accepted).
    rcptErrors.push({ code: 451, message: 'try later' }, { code: 451, message: 'try later' });
    const retried = await manager.createAlert({ name: 'mail_retry', severity: 'high', message: 'm' });
    const [d] = await firstDeliveryIn(retried.id, 'sent');
    expect(d!.history.map((h) => [h.outcome, h.statusCode])).toEqual([
      ['retry', 451],
      ['success', 250],
    ]);
    rcptErrors.push({ code: 550, message: 'no such user' }, { code: 550, message: 'no such user' });
    const failed = await manager.createAlert({ name: 'mail_final', severity: 'high', message: 'm' });
    const [f] = await firstDeliveryIn(failed.id, 'failed');
    expect(f).toMatchObject({ attempts: 1, lastError: 'SMTP 550' });
  });

  it('Slack: Block Kit payload; paced to one message per second; honours 429 Retry-After', async () => {
    const a = await manager.createAlert({
      name: 'slack_login_errors',
      severity: 'high',
      message: 'Login errors <above> 5% & rising',
      source: 'auth',
      labels: { service: 'auth' },
    });
    const [first] = await slack.waitFor(1);
    expect(first!.url).toBe('/services/T000/B000/XXXX');
    expect(JSON.parse(first!.body)).toEqual({
      text: 'Firing: [HIGH] slack_login_errors — Login errors <above> 5% & rising',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Firing: [HIGH] slack_login_errors' } },
        { type: 'section', text: { type: 'mrkdwn', text: 'Login errors &lt;above&gt; 5% &amp; rising' } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Severity*\nhigh' },
            { type: 'mrkdwn', text: '*Status*\nfiring' },
            { type: 'mrkdwn', text: '*Source*\nauth' },
            { type: 'mrkdwn', text: '*Occurrences*\n1' },
          ],
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: `alert \`${a.id}\` · \`service=auth\`` }] },
      ],
    });
    // 429 with Retry-After: 1 → the retry waits at least a second.
    slack.answers.push({ status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' });
    await manager.createAlert({ name: 'slack_b', severity: 'high', message: 'b' });
    await manager.createAlert({ name: 'slack_c', severity: 'high', message: 'c' });
    const got = await slack.waitFor(4, 10_000);
    const times = got.slice(1).map((r) => r.at);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(950);
    const limited = got[1]!;
    const retriedSame = got.slice(2).find((r) => r.body === limited.body);
    expect(retriedSame).toBeDefined();
    expect(retriedSame!.at - limited.at).toBeGreaterThanOrEqual(1000);
  });

  // Two replicas need a database they can share: PostgreSQL only (SQLite is one process's store).
  if (backend === 'postgres') {
    it('Slack: two replicas on one database keep one message per second between them', async () => {
      const before = slack.received.length;
      // Alternate replicas: each create wakes its own replica's workers, which claim it at once.
      for (let i = 0; i < 4; i++) {
        await (i % 2 === 0 ? manager : replica!).createAlert({
          name: `slack_replicas_${i}`,
          severity: 'high',
          message: `replica ${i % 2}`,
        });
      }
      const got = (await slack.waitFor(before + 4, 15_000)).slice(before);
      const times = got.map((r) => r.at).sort((a, b) => a - b);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(950);
    });
  }

  it('PagerDuty: trigger, acknowledge and resolve with one dedup_key; 500 retried; 400 final', async () => {
    pd.answers.push({ status: 500, body: 'oops' });
    const alert = await manager.createAlert({
      name: 'pd_auth_down',
      severity: 'critical',
      message: 'Auth service down',
      source: 'synthetics',
      labels: { region: 'eu' },
      annotations: { runbook: 'r' },
    });
    await pd.waitFor(2);
    await manager.acknowledge(alert.id, 'oncall');
    await manager.resolve(alert.id, 'oncall');
    const got = (await pd.waitFor(4)).map((r) => JSON.parse(r.body));
    const dedup_key = `authlens-${alert.id}`;
    expect(got[0]).toEqual(got[1]);
    expect(got[0]).toEqual({
      routing_key: 'R0UTINGKEY0123456789012345678901',
      event_action: 'trigger',
      dedup_key,
      payload: {
        summary: 'pd_auth_down: Auth service down',
        source: 'synthetics',
        severity: 'critical',
        timestamp: alert.createdAt.toISOString(),
        class: 'pd_auth_down',
        custom_details: {
          alert_id: alert.id,
          fingerprint: alert.fingerprint,
          occurrences: 1,
          escalation_level: 0,
          labels: { region: 'eu' },
          annotations: { runbook: 'r' },
        },
      },
      client: 'authlens',
    });
    expect(got.slice(2)).toEqual([
      { routing_key: 'R0UTINGKEY0123456789012345678901', event_action: 'acknowledge', dedup_key },
      { routing_key: 'R0UTINGKEY0123456789012345678901', event_action: 'resolve', dedup_key },
    ]);
    const history = await eventually(async () => {
      const list = await deliveries(alert.id);
      return list.every((d) => d.state === 'sent') ? list : undefined;
    });
    expect(history.map((d) => [d.event, d.history.map((h) => `${h.outcome}:${h.statusCode}`)])).toEqual([
      ['trigger', ['retry:500', 'success:202']],
      ['acknowledge', ['success:202']],
      ['resolve', ['success:202']],
    ]);

    pd.answers.push({ status: 400, body: '{"status":"invalid event"}' });
    const bad = await manager.createAlert({ name: 'pd_bad', severity: 'critical', message: 'm' });
    const [f] = await firstDeliveryIn(bad.id, 'failed');
    expect(f).toMatchObject({ attempts: 1, lastError: 'HTTP 400: {"status":"invalid event"}' });
  });

  it('webhook: HMAC-SHA256 signature and a stable idempotency key across a timed-out retry', async () => {
    hook.answers.push('hang');
    const alert = await manager.createAlert({
      name: 'hook_x',
      severity: 'medium',
      message: 'm',
      labels: { a: 'b' },
    });
    const got = await hook.waitFor(2, 10_000);
    const [first, second] = got;
    expect(first!.url).toBe('/alerts');
    expect(first!.body).toBe(second!.body);
    const key = `${alert.id}:trigger:webhook`;
    for (const r of [first!, second!]) {
      expect(r.headers['idempotency-key']).toBe(key);
      expect(r.headers['x-authlens-event']).toBe('trigger');
      const ts = r.headers['x-authlens-timestamp'] as string;
      expect(
        verifyWebhookSignature('whsec_test', ts, r.body, r.headers['x-authlens-signature'] as string),
      ).toBe(true);
      expect(verifyWebhookSignature('wrong', ts, r.body, r.headers['x-authlens-signature'] as string)).toBe(
        false,
      );
    }
    const body = JSON.parse(first!.body);
    expect(body).toMatchObject({ version: '1', event: 'trigger', idempotencyKey: key, escalationLevel: 0 });
    expect(body.alert).toMatchObject({ id: alert.id, name: 'hook_x', labels: { a: 'b' }, status: 'firing' });
    const [d] = await firstDeliveryIn(alert.id, 'sent');
    expect(d!.history.map((h) => h.outcome)).toEqual(['retry', 'success']);
    expect(d!.history[0]!.error).toBe('timeout after 400 ms');
  });

  it('webhook: 408 Request Timeout is retried (the one 4xx besides 429), 404 is final', async () => {
    hook.answers.push({ status: 408, body: 'request timeout' });
    const retried = await manager.createAlert({ name: 'hook_408', severity: 'medium', message: 'm' });
    const [d] = await firstDeliveryIn(retried.id, 'sent');
    expect(d!.history.map((h) => [h.outcome, h.statusCode])).toEqual([
      ['retry', 408],
      ['success', 200],
    ]);
    hook.answers.push({ status: 404, body: 'no such hook' });
    const final = await manager.createAlert({ name: 'hook_404', severity: 'medium', message: 'm' });
    const [f] = await firstDeliveryIn(final.id, 'failed');
    expect(f).toMatchObject({ attempts: 1, lastError: 'HTTP 404: no such hook' });
  });

  it('gives up after maxAttempts and keeps the failure visible', async () => {
    hook.answers.push({ status: 503 }, { status: 503 }, { status: 503 });
    const alert = await manager.createAlert({ name: 'hook_down', severity: 'medium', message: 'm' });
    const [d] = await firstDeliveryIn(alert.id, 'failed');
    expect(d!.attempts).toBe(3);
    expect(d!.history.map((h) => h.outcome)).toEqual(['retry', 'retry', 'failure']);
    const failing = await manager.listAlerts({ deliveryState: 'failed' });
    expect(failing.items.map((a) => a.id)).toContain(alert.id);
    expect((await manager.listAlerts({ deliveryState: 'pending' })).items.map((a) => a.id)).not.toContain(
      alert.id,
    );
  });
});
