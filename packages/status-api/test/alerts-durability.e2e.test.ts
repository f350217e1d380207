/**
 * Durability and replicas, with real server subprocesses:
 * - under a load of creates, `kill -9` loses no alert that was answered 2xx, and after a restart
 *   the pending delivery and the pending escalation resume (SQLite and PostgreSQL);
 * - two servers on one PostgreSQL send each notification and each escalation step exactly once.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createAlertStore } from '../src/store/index.ts';
import {
  backends,
  eventually,
  type Receiver,
  type ServerProcess,
  sleep,
  startReceiver,
  startServerProcess,
  type TempStore,
  tempPostgres,
} from './support/alerts-support.ts';

const W = { 'content-type': 'application/json', 'x-role': 'write' };

interface HookBody {
  event: string;
  escalationLevel: number;
  alert: { id: string; name: string };
}
const bodies = (r: Receiver) => r.received.map((x) => JSON.parse(x.body) as HookBody);

describe.each(backends)('kill -9 under load on $name', ({ make }) => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
  });

  it('loses no acknowledged alert; pending deliveries and escalations resume after restart', async () => {
    const temp: TempStore = await make();
    cleanup.push(() => temp.drop());
    const hook = await startReceiver({ status: 500, body: 'down' });
    cleanup.push(() => hook.close());
    const routingFile = temp.url.startsWith('sqlite:')
      ? temp.url.slice('sqlite:'.length).replace(/alerts\.db$/, 'routing.json')
      : `/tmp/authlens-routing-${Date.now()}-${Math.random().toString(36).slice(2)}.json`;
    writeFileSync(
      routingFile,
      JSON.stringify({
        routes: [
          { matchers: ['alertname=pending_delivery'], channels: ['webhook'] },
          {
            matchers: ['alertname=pending_escalation'],
            channels: [],
            escalation: [{ after: '2500ms', channels: ['webhook'] }],
          },
          { matchers: ['alertname=~load_.*'], channels: [] },
        ],
      }),
    );
    cleanup.push(async () => rmSync(routingFile, { force: true }));
    const env = {
      ALERT_STORE_URL: temp.url,
      ALERT_ROUTING_FILE: routingFile,
      ALERT_WEBHOOK_URLS: `${hook.url}/hook`,
      AUTHLENS_TEST_ALERTS_OPTIONS: JSON.stringify({
        pollIntervalMs: 100,
        leaseMs: 1500,
        retry: { maxAttempts: 50, baseDelayMs: 100, maxDelayMs: 300 },
      }),
    };
    let server: ServerProcess = await startServerProcess(env);
    cleanup.push(() => server.stop());

    const post = (url: string, body: unknown) =>
      fetch(`${url}/monitoring/alerts/create/`, { method: 'POST', headers: W, body: JSON.stringify(body) });
    const created = async (name: string) =>
      (await (await post(server.url, { name, severity: 'high', message: 'm' })).json()) as { id: string };
    const delivery = await created('pending_delivery');
    const escalation = await created('pending_escalation');
    await hook.waitFor(1); // the first attempt failed (500): the delivery is pending a retry

    // Load: 6 clients creating distinct alerts; kill -9 the server in the middle.
    const acknowledged: string[] = [];
    let errors = 0;
    let stop = false;
    const url = server.url;
    const clients = Array.from({ length: 6 }, async (_, c) => {
      for (let i = 0; !stop; i++) {
        try {
          const res = await post(url, {
            name: `load_${c}_${i}`,
            severity: 'low',
            message: 'load',
            labels: { c: String(c) },
          });
          if (res.status === 201) acknowledged.push(((await res.json()) as { id: string }).id);
        } catch {
          errors++;
        }
      }
    });
    await sleep(600);
    await server.stop(true);
    stop = true;
    await Promise.all(clients);
    expect(acknowledged.length).toBeGreaterThan(20);
    expect(errors).toBeGreaterThan(0); // requests in flight at the kill failed

    // Every alert answered 2xx is in the store.
    const store = await createAlertStore(temp.url);
    try {
      const page = await store.listAlerts({ limit: 100_000 });
      const ids = new Set(page.items.map((a) => a.id));
      expect(acknowledged.filter((id) => !ids.has(id))).toEqual([]);
    } finally {
      await store.close();
    }

    // Restart: the pending delivery is retried (receiver now up) and the escalation fires once.
    hook.fallback = { status: 200, body: 'ok' };
    server = await startServerProcess(env);
    await eventually(
      () => bodies(hook).some((b) => b.alert.id === escalation.id && b.event === 'escalate') || undefined,
      10_000,
    );
    await eventually(async () => {
      const res = await fetch(`${server.url}/monitoring/alerts/${delivery.id}/`, {
        headers: { 'x-role': 'read' },
      });
      const body = (await res.json()) as { notifications: Array<{ state: string; attempts: number }> };
      return body.notifications[0]?.state === 'sent' ? body : undefined;
    }, 10_000);
    await sleep(500);
    expect(
      bodies(hook)
        .filter((b) => b.alert.id === escalation.id)
        .map((b) => `${b.event}:${b.escalationLevel}`),
    ).toEqual(['escalate:1']);
    await server.stop();
  });
});

describe('two servers on one PostgreSQL', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
  });

  it('send each notification and each escalation step exactly once', async () => {
    const temp = await tempPostgres();
    cleanup.push(() => temp.drop());
    const hook = await startReceiver();
    cleanup.push(() => hook.close());
    const routingFile = `/tmp/authlens-routing-${Date.now()}-${Math.random().toString(36).slice(2)}.json`;
    writeFileSync(
      routingFile,
      JSON.stringify({
        routes: [
          {
            matchers: ['alertname=~dup_.*'],
            channels: ['webhook'],
            escalation: [
              { after: '800ms', channels: ['webhook'] },
              { after: '1600ms', channels: ['webhook'] },
            ],
          },
        ],
      }),
    );
    cleanup.push(async () => rmSync(routingFile, { force: true }));
    const env = {
      ALERT_STORE_URL: temp.url,
      ALERT_ROUTING_FILE: routingFile,
      ALERT_WEBHOOK_URLS: `${hook.url}/hook`,
      AUTHLENS_TEST_ALERTS_OPTIONS: JSON.stringify({ pollIntervalMs: 20 }),
    };
    const servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    for (const s of servers) cleanup.push(() => s.stop());

    const N = 20;
    const ids = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const res = await fetch(`${servers[i % 2]!.url}/monitoring/alerts/create/`, {
          method: 'POST',
          headers: W,
          body: JSON.stringify({ name: `dup_${i}`, severity: 'critical', message: 'm' }),
        });
        expect(res.status).toBe(201);
        return ((await res.json()) as { id: string }).id;
      }),
    );
    await hook.waitFor(3 * N, 15_000);
    // Resolve half through the other server: one resolve notification each.
    await Promise.all(
      ids.slice(0, N / 2).map((id, i) =>
        fetch(`${servers[(i + 1) % 2]!.url}/monitoring/alerts/${id}/resolve/`, {
          method: 'POST',
          headers: W,
          body: '{}',
        }),
      ),
    );
    await hook.waitFor(3 * N + N / 2, 15_000);
    await sleep(800);
    const seen = bodies(hook).map((b) => `${b.alert.id}:${b.event}:${b.escalationLevel}`);
    expect(seen).toHaveLength(3 * N + N / 2);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of ids) {
      expect(
        seen
          .filter((s) => s.startsWith(id))
          .map((s) => s.slice(id.length + 1))
          .sort(),
      ).toEqual(
        ids.indexOf(id) < N / 2
          ? ['escalate:1', 'escalate:2', 'resolve:2', 'trigger:0']
          : ['escalate:1', 'escalate:2', 'trigger:0'],
      );
    }
    const keys = hook.received.map((r) => r.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
