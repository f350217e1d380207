import type { BruteForceDetectorOptions } from '@authlens/sdk';
import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type AlertManager,
  alertRoutes,
  createAlertManager,
  securityDetectionAlerts,
} from '../src/alerts/index.ts';
import {
  backends,
  eventually,
  headerAuthorize,
  type Receiver,
  startReceiver,
  type TempStore,
  tempSqlite,
} from './support/alerts-support.ts';

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush() {}
  protected override async onShutdown() {}
}
const reader = new TestReader();
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

async function metricPoints(name: string) {
  const { resourceMetrics } = await reader.collect();
  const m = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((x) => x.descriptor.name === name);
  return (m?.dataPoints ?? []) as Array<{ attributes: Record<string, unknown>; value: unknown }>;
}

const W = { 'x-role': 'write' };
const R = { 'x-role': 'read' };
let seq = 0;
const unique = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${seq++}`;

describe.each(backends)('alert API on $name', ({ make }) => {
  let temp: TempStore;
  let hook: Receiver;
  /** A webhook receiver that rejects every notification with 400: delivery fails for good. */
  let rejecting: Receiver;
  let manager: AlertManager;
  let app: FastifyInstance;
  const hookEvents = (alertId: string) =>
    hook.received
      .map((r) => JSON.parse(r.body) as { event: string; escalationLevel: number; alert: { id: string } })
      .filter((b) => b.alert.id === alertId);

  beforeAll(async () => {
    temp = await make();
    hook = await startReceiver();
    rejecting = await startReceiver({ status: 400, body: 'unknown payload' });
    manager = await createAlertManager({
      storeUrl: temp.url,
      env: {},
      pollIntervalMs: 50,
      retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 100 },
      channels: [
        { name: 'hook', type: 'webhook', url: `${hook.url}/hook`, secret: 'test-secret' },
        { name: 'rejecting', type: 'webhook', url: `${rejecting.url}/hook`, secret: 'test-secret' },
      ],
      routing: {
        routes: [
          {
            matchers: ['alertname=~esc_.*'],
            channels: ['hook'],
            escalation: [
              { after: '300ms', channels: ['hook'] },
              { after: '600ms', channels: ['hook'] },
            ],
          },
          { matchers: ['alertname=~undeliverable_.*'], channels: ['rejecting'] },
          { matchers: ['severity=~low|info'], channels: [] },
          { channels: ['hook'] },
        ],
        inhibitRules: [
          {
            sourceMatchers: ['alertname=cluster_down'],
            targetMatchers: ['alertname=pod_down'],
            equal: ['cluster'],
          },
        ],
        maintenanceWindows: [
          {
            name: 'upgrade',
            start: new Date(Date.now() - 60_000).toISOString(),
            end: new Date(Date.now() + 3_600_000).toISOString(),
            matchers: ['alertname=maint_test'],
          },
        ],
      },
    });
    app = Fastify();
    await app.register(alertRoutes, { prefix: '/monitoring/alerts', authorize: headerAuthorize, manager });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await manager?.close();
    await hook?.close();
    await rejecting?.close();
    await temp?.drop();
  });

  const create = (body: Record<string, unknown>, url = '/monitoring/alerts/create/') =>
    app.inject({ method: 'POST', url, headers: W, payload: body });

  it('creates an alert (201) and counts a repeat of the open fingerprint (200), with and without slash', async () => {
    const name = unique('custom_business_metric');
    const body = {
      name,
      severity: 'high',
      message: 'Custom business metric exceeded threshold',
      source: 'business_logic',
      labels: { metric: 'conversion_rate', threshold: '5%' },
      annotations: { runbook: 'Check conversion funnel' },
    };
    const first = await create(body);
    expect(first.statusCode).toBe(201);
    const alert = first.json();
    expect(alert).toMatchObject({ ...body, status: 'firing', occurrences: 1, escalationLevel: 0 });
    expect(alert.id).toMatch(/^[0-9a-f-]{36}$/);
    const again = await create(
      { ...body, labels: { threshold: '5%', metric: 'conversion_rate' } },
      '/monitoring/alerts/create',
    );
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: alert.id, occurrences: 2 });
    const one = await app.inject({ url: `/monitoring/alerts/${alert.id}`, headers: R });
    expect(one.statusCode).toBe(200);
    expect(one.json().occurrences).toBe(2);
  });

  it('answers 400 problem+json naming the field', async () => {
    const missing = await create({ name: 'x', message: 'm' });
    expect(missing.statusCode).toBe(400);
    expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(missing.json()).toMatchObject({ status: 400, code: 'invalid_field', field: 'severity' });
    expect((await create({ name: 'x', message: 'm', severity: 'urgent' })).json().field).toBe('severity');
    // A number where a string belongs is refused, not coerced (issue 13).
    const numeric = await create({ name: 'x', message: 'm', severity: 'low', labels: { ok: 1 } });
    expect(numeric.statusCode).toBe(400);
    expect(numeric.json().field).toBe('labels.ok');
    const badLabel = await create({ name: 'x', message: 'm', severity: 'low', labels: { 'bad name': 'v' } });
    expect(badLabel.json().field).toBe('labels.bad name');
    // An unknown key (a typo of `labels`) is an error naming it, not silently dropped.
    const typo = await create({ name: 'x', message: 'm', severity: 'low', label: { env: 'prod' } });
    expect(typo.statusCode).toBe(400);
    expect(typo.json()).toMatchObject({ code: 'invalid_field', field: 'label' });
    const badQuery = await app.inject({ url: '/monitoring/alerts/?severity=urgent', headers: R });
    expect(badQuery.statusCode).toBe(400);
    expect(badQuery.json().field).toBe('severity');
    const badLimit = await app.inject({ url: '/monitoring/alerts?limit=0', headers: R });
    expect(badLimit.json().field).toBe('limit');
    const badSilence = await app.inject({
      method: 'POST',
      url: '/monitoring/alerts/silences/',
      headers: W,
      payload: { matchers: ['not a matcher'], durationSeconds: 60 },
    });
    expect(badSilence.statusCode).toBe(400);
    expect(badSilence.json().field).toBe('matchers[0]');
    const silenceTypo = await app.inject({
      method: 'POST',
      url: '/monitoring/alerts/silences/',
      headers: W,
      payload: { matchers: ['env="prod"'], duration: 60 },
    });
    expect(silenceTypo.json()).toMatchObject({ code: 'invalid_field', field: 'duration' });
  });

  it('needs read for reads and write for changes', async () => {
    expect((await app.inject({ url: '/monitoring/alerts/' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/monitoring/alerts/', headers: R })).statusCode).toBe(200);
    const res = await app.inject({
      method: 'POST',
      url: '/monitoring/alerts/create/',
      headers: R,
      payload: { name: 'x', severity: 'low', message: 'm' },
    });
    expect(res.statusCode).toBe(403);
  });

  it('acknowledges and resolves; 404 for unknown ids, 409 acknowledging a resolved alert', async () => {
    const { id } = (await create({ name: unique('ack'), severity: 'medium', message: 'm' })).json();
    const ack = await app.inject({
      method: 'POST',
      url: `/monitoring/alerts/${id}/acknowledge/`,
      headers: W,
      payload: { by: 'alice' },
    });
    expect(ack.statusCode).toBe(200);
    expect(ack.json()).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'alice' });
    const res = await app.inject({
      method: 'POST',
      url: `/monitoring/alerts/${id}/resolve`,
      headers: W,
      payload: { by: 'bob' },
    });
    expect(res.json()).toMatchObject({ status: 'resolved', resolvedBy: 'bob', acknowledgedBy: 'alice' });
    const again = await app.inject({ method: 'POST', url: `/monitoring/alerts/${id}/resolve/`, headers: W });
    expect(again.statusCode).toBe(200);
    expect(again.json().resolvedBy).toBe('bob');
    const late = await app.inject({
      method: 'POST',
      url: `/monitoring/alerts/${id}/acknowledge`,
      headers: W,
    });
    expect(late.statusCode).toBe(409);
    const missing = await app.inject({
      method: 'POST',
      url: '/monitoring/alerts/00000000-0000-0000-0000-000000000000/resolve/',
      headers: W,
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('not_found');
  });

  it('lists with filters and paging', async () => {
    const source = unique('src');
    for (const [i, severity] of (['critical', 'high', 'high', 'low'] as const).entries()) {
      await create({
        name: `list_${i}`,
        severity,
        message: 'm',
        source,
        labels: { team: i % 2 ? 'a' : 'b' },
      });
    }
    const page = await app.inject({
      url: `/monitoring/alerts/?source=${source}&limit=2&offset=0`,
      headers: R,
    });
    expect(page.json()).toMatchObject({ total: 4, limit: 2, offset: 0 });
    expect(page.json().items).toHaveLength(2);
    const high = await app.inject({
      url: `/monitoring/alerts?source=${source}&severity=high,critical`,
      headers: R,
    });
    expect(high.json().total).toBe(3);
    const team = await app.inject({ url: `/monitoring/alerts?source=${source}&label=team%3Da`, headers: R });
    expect(
      team
        .json()
        .items.map((a: { name: string }) => a.name)
        .sort(),
    ).toEqual(['list_1', 'list_3']);
    const open = await app.inject({ url: `/monitoring/alerts?source=${source}&status=open`, headers: R });
    expect(open.json().total).toBe(4);
  });

  it('delivers through the outbox and shows the notification history', async () => {
    const { id } = (await create({ name: unique('deliver'), severity: 'high', message: 'm' })).json();
    await eventually(() => hookEvents(id).length === 1 || undefined);
    const one = await eventually(async () => {
      const r = (await app.inject({ url: `/monitoring/alerts/${id}/`, headers: R })).json();
      return r.notifications[0]?.state === 'sent' ? r : undefined;
    });
    expect(one.notifications).toHaveLength(1);
    expect(one.notifications[0]).toMatchObject({
      channel: 'hook',
      channelType: 'webhook',
      event: 'trigger',
      idempotencyKey: `${id}:trigger:hook`,
      attempts: 1,
      history: [{ attempt: 1, outcome: 'success', statusCode: 200, error: null }],
    });
    expect(one.lastNotifiedAt).not.toBeNull();
  });

  it('a rejected notification fails for good: shown by ?delivery=failed and counted as a failure', async () => {
    const failures = async () =>
      ((await metricPoints('authlens.alerts.notifications')).find(
        (p) => p.attributes['alert.channel'] === 'webhook' && p.attributes['alert.outcome'] === 'failure',
      )?.value as number | undefined) ?? 0;
    const before = await failures();
    const { id } = (await create({ name: unique('undeliverable'), severity: 'high', message: 'm' })).json();
    const { id: fine } = (
      await create({ name: unique('deliverable'), severity: 'high', message: 'm' })
    ).json();
    const failed = await eventually(async () => {
      const r = (await app.inject({ url: `/monitoring/alerts/${id}/`, headers: R })).json();
      return r.notifications[0]?.state === 'failed' ? r.notifications[0] : undefined;
    });
    // 400 is final: one attempt, no retry
    expect(failed).toMatchObject({
      channel: 'rejecting',
      state: 'failed',
      attempts: 1,
      lastError: 'HTTP 400: unknown payload',
      history: [{ attempt: 1, outcome: 'failure', statusCode: 400 }],
    });
    expect(rejecting.received.filter((r) => r.body.includes(id))).toHaveLength(1);
    await eventually(
      async () => (await manager.getAlert(fine))?.notifications[0]?.state === 'sent' || undefined,
    );
    const list = await app.inject({ url: '/monitoring/alerts/?delivery=failed&limit=500', headers: R });
    expect(list.statusCode).toBe(200);
    const listed = (list.json().items as Array<{ id: string }>).map((a) => a.id);
    expect(listed).toContain(id);
    expect(listed).not.toContain(fine);
    const sent = await app.inject({ url: '/monitoring/alerts/?delivery=sent&limit=500', headers: R });
    expect((sent.json().items as Array<{ id: string }>).map((a) => a.id)).toContain(fine);
    expect(await failures()).toBe(before + 1);
  });

  it('low/info alerts are digest only (no immediate notification)', async () => {
    const { id } = (await create({ name: unique('digest'), severity: 'info', message: 'm' })).json();
    await manager.runDue();
    expect((await manager.getAlert(id))?.notifications).toEqual([]);
  });

  it('silences suppress matching alerts; expiring one notifies the open alert once', async () => {
    const name = unique('silenced');
    const s = await app.inject({
      method: 'POST',
      url: '/monitoring/alerts/silences',
      headers: W,
      payload: {
        matchers: [`alertname=${name}`, 'env=~prod|staging'],
        durationSeconds: 600,
        createdBy: 'ops',
        comment: 'deploy',
      },
    });
    expect(s.statusCode).toBe(201);
    const silence = s.json();
    expect(silence).toMatchObject({ status: 'active', createdBy: 'ops', comment: 'deploy' });
    const muted = (
      await create({ name, severity: 'critical', message: 'm', labels: { env: 'prod' } })
    ).json();
    expect(muted).toMatchObject({ status: 'suppressed', suppressedReason: `silence:${silence.id}` });
    const other = (await create({ name, severity: 'critical', message: 'm', labels: { env: 'dev' } })).json();
    expect(other.status).toBe('firing');
    const list = await app.inject({ url: '/monitoring/alerts/silences/?active=true', headers: R });
    expect(list.json().items.map((x: { id: string }) => x.id)).toContain(silence.id);
    const expired = await app.inject({
      method: 'DELETE',
      url: `/monitoring/alerts/silences/${silence.id}/`,
      headers: W,
    });
    expect(expired.json().status).toBe('expired');
    const got = await app.inject({ url: `/monitoring/alerts/silences/${silence.id}`, headers: R });
    expect(got.json().status).toBe('expired');
    await eventually(() => hookEvents(muted.id).length === 1 || undefined);
    const now = await app.inject({ url: `/monitoring/alerts/${muted.id}`, headers: R });
    expect(now.json()).toMatchObject({ status: 'firing', suppressedReason: null, occurrences: 1 });
    const repeat = (
      await create({ name, severity: 'critical', message: 'm', labels: { env: 'prod' } })
    ).json();
    expect(repeat).toMatchObject({ id: muted.id, status: 'firing', occurrences: 2 });
    await manager.runDue();
    expect(hookEvents(muted.id).map((e) => e.event)).toEqual(['trigger']);
  });

  it('inhibits targets with equal labels while the source alert is open; maintenance windows mute', async () => {
    const cluster = unique('c');
    const source = (
      await create({ name: 'cluster_down', severity: 'critical', message: 'm', labels: { cluster } })
    ).json();
    const target = (
      await create({ name: 'pod_down', severity: 'high', message: 'm', labels: { cluster, pod: 'p1' } })
    ).json();
    expect(target).toMatchObject({ status: 'suppressed', suppressedReason: `inhibited:${source.id}` });
    const elsewhere = (
      await create({
        name: 'pod_down',
        severity: 'high',
        message: 'm',
        labels: { cluster: `${cluster}-other`, pod: 'p1' },
      })
    ).json();
    expect(elsewhere.status).toBe('firing');
    const maint = (
      await create({ name: 'maint_test', severity: 'critical', message: 'm', labels: { k: unique('k') } })
    ).json();
    expect(maint).toMatchObject({ status: 'suppressed', suppressedReason: 'maintenance:upgrade' });
  });

  it('escalates an unacknowledged alert level by level; acknowledging stops it', async () => {
    const { id } = (await create({ name: unique('esc_db'), severity: 'critical', message: 'm' })).json();
    await eventually(
      () => hookEvents(id).some((e) => e.event === 'escalate' && e.escalationLevel === 2) || undefined,
      5000,
    );
    expect(hookEvents(id).map((e) => `${e.event}:${e.escalationLevel}`)).toEqual([
      'trigger:0',
      'escalate:1',
      'escalate:2',
    ]);
    const done = await manager.getAlert(id);
    expect(done).toMatchObject({ escalationLevel: 2, nextEscalationAt: null });

    const acked = (await create({ name: unique('esc_api'), severity: 'critical', message: 'm' })).json();
    await app.inject({ method: 'POST', url: `/monitoring/alerts/${acked.id}/acknowledge`, headers: W });
    await new Promise((r) => setTimeout(r, 800));
    await manager.runDue();
    expect(hookEvents(acked.id).map((e) => e.event)).toEqual(['trigger', 'acknowledge']);
  });

  it('concurrent acknowledge and resolve end in one valid state, notifications in order', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 8; i++)
      ids.push((await create({ name: unique('race'), severity: 'high', message: 'm' })).json().id);
    await eventually(() => ids.every((id) => hookEvents(id).length >= 1) || undefined);
    const results = await Promise.all(
      ids.flatMap((id) => [
        app.inject({
          method: 'POST',
          url: `/monitoring/alerts/${id}/acknowledge/`,
          headers: W,
          payload: { by: 'a' },
        }),
        app.inject({
          method: 'POST',
          url: `/monitoring/alerts/${id}/resolve/`,
          headers: W,
          payload: { by: 'r' },
        }),
      ]),
    );
    for (const [i, id] of ids.entries()) {
      const [ack, res] = [results[2 * i]!, results[2 * i + 1]!];
      expect(res.statusCode).toBe(200);
      expect([200, 409]).toContain(ack.statusCode);
      const final = await manager.getAlert(id);
      expect(final).toMatchObject({ status: 'resolved', resolvedBy: 'r', nextEscalationAt: null });
      expect(final!.resolvedAt).not.toBeNull();
      if (ack.statusCode === 200) expect(final!.acknowledgedBy).toBe('a');
      else expect(final!.acknowledgedBy).toBeNull();
    }
    await eventually(() => ids.every((id) => hookEvents(id).some((e) => e.event === 'resolve')) || undefined);
    for (const id of ids) {
      const events = hookEvents(id).map((e) => e.event);
      expect(events[0]).toBe('trigger');
      expect(events.at(-1)).toBe('resolve');
      expect(events.filter((e) => e === 'resolve')).toHaveLength(1);
    }
  });

  it('ingests Alertmanager webhook v4 payloads: firing, then resolved', async () => {
    const alertname = unique('PromAlert');
    const payload = (status: 'firing' | 'resolved') => ({
      version: '4',
      groupKey: '{}:{alertname="x"}',
      truncatedAlerts: 0,
      status,
      receiver: 'authlens',
      groupLabels: { alertname },
      commonLabels: { alertname },
      commonAnnotations: {},
      externalURL: 'http://127.0.0.1:59093',
      alerts: [
        {
          status,
          labels: { alertname, severity: 'warning', instance: 'i1' },
          annotations: { summary: 'It is on fire' },
          startsAt: new Date().toISOString(),
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prom/graph',
          fingerprint: 'abc',
        },
      ],
    });
    const url = '/monitoring/alerts/webhooks/alertmanager/';
    const fire = await app.inject({ method: 'POST', url, headers: W, payload: payload('firing') });
    expect(fire.json()).toEqual({ firing: 1, resolved: 0 });
    const [alert] = (await manager.listAlerts({ name: alertname })).items;
    expect(alert).toMatchObject({
      severity: 'medium',
      source: 'prometheus',
      message: 'It is on fire',
      labels: { instance: 'i1' },
      annotations: { summary: 'It is on fire', generatorURL: 'http://prom/graph' },
      status: 'firing',
    });
    await app.inject({ method: 'POST', url, headers: W, payload: payload('firing') });
    const res = await app.inject({
      method: 'POST',
      url: url.slice(0, -1),
      headers: W,
      payload: payload('resolved'),
    });
    expect(res.json()).toEqual({ firing: 0, resolved: 1 });
    expect(await manager.getAlert(alert!.id)).toMatchObject({
      status: 'resolved',
      resolvedBy: 'alertmanager',
      occurrences: 2,
    });
    const bad = await app.inject({
      method: 'POST',
      url,
      headers: W,
      payload: { version: '4', alerts: [{ status: 'firing' }] },
    });
    expect(bad.json().field).toBe('alerts.0.labels');
  });

  it('raises alerts from the SDK brute-force detector callback', async () => {
    // Type-level check: the bridge fits the SDK detector's `onDetect` option.
    const onDetect: NonNullable<BruteForceDetectorOptions['onDetect']> = securityDetectionAlerts(manager);
    const subject = unique('203.0.113.7');
    const d = {
      kind: 'brute_force',
      scope: 'ip',
      subject,
      count: 12,
      threshold: 10,
      windowSeconds: 60,
      at: new Date(),
    } as const;
    await onDetect(d);
    await onDetect({ ...d, count: 15 });
    await onDetect({ ...d, kind: 'credential_stuffing' });
    const alerts = (await manager.listAlerts({ source: 'security', labels: { subject } })).items;
    const brute = alerts.find((a) => a.name === 'security_brute_force');
    expect(brute).toMatchObject({ severity: 'high', occurrences: 2, status: 'firing' });
    expect(brute!.labels).toEqual({ 'security.event.type': 'brute_force', scope: 'ip', subject });
    expect(brute!.annotations).toMatchObject({ count: '15', threshold: '10', windowSeconds: '60' });
    expect(alerts.find((a) => a.name === 'security_credential_stuffing')?.severity).toBe('critical');
  });

  it('purges resolved alerts past retention and reports open alerts and notifications as metrics', async () => {
    const { id } = (await create({ name: unique('purge'), severity: 'low', message: 'm' })).json();
    await manager.resolve(id);
    await new Promise((r) => setTimeout(r, 5));
    expect((await manager.purgeResolved(1)).alerts).toBe(0);
    expect((await manager.purgeResolved(0)).alerts).toBeGreaterThanOrEqual(1);
    expect(await manager.getAlert(id)).toBeNull();

    const open = await metricPoints('authlens.alerts.open');
    const counts = await manager.store.countOpenBySeverity();
    expect(open.find((p) => p.attributes['alert.severity'] === 'high')?.value).toBe(counts.high ?? 0);
    const sent = await metricPoints('authlens.alerts.notifications');
    const ok = sent.find(
      (p) => p.attributes['alert.channel'] === 'webhook' && p.attributes['alert.outcome'] === 'success',
    );
    expect(ok?.value).toBeGreaterThan(0);
  });
});

describe('retention', () => {
  it('the in-process purge uses ALERT_HISTORY_RETENTION_DAYS', async () => {
    const temp = await tempSqlite();
    const manager = await createAlertManager({
      storeUrl: temp.url,
      env: { ALERT_HISTORY_RETENTION_DAYS: '2' },
      purgeIntervalMs: 50,
      pollIntervalMs: 60_000,
    });
    try {
      const day = 86_400_000;
      const resolvedDaysAgo = async (name: string, days: number) => {
        const { alert } = await manager.raise({ name, severity: 'low', message: 'm' });
        vi.useFakeTimers({ toFake: ['Date'] });
        vi.setSystemTime(Date.now() - days * day);
        try {
          await manager.resolve(alert.id);
        } finally {
          vi.useRealTimers();
        }
        return alert.id;
      };
      const old = await resolvedDaysAgo('retention_old', 3);
      const recent = await resolvedDaysAgo('retention_recent', 1);
      await eventually(async () => ((await manager.getAlert(old)) === null ? true : undefined));
      expect(await manager.getAlert(recent)).not.toBeNull();
    } finally {
      await manager.close();
      await temp.drop();
    }
  });

  it('a malformed ALERT_HISTORY_RETENTION_DAYS fails at start naming the variable', async () => {
    const err = await createAlertManager({
      storeUrl: 'sqlite::memory:',
      workers: false,
      env: { ALERT_HISTORY_RETENTION_DAYS: 'a month' },
    }).catch((e: unknown) => e);
    expect(String(err)).toMatch(/ALERT_HISTORY_RETENTION_DAYS/);
  });
});
