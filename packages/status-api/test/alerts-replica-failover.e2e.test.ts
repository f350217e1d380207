/**
 * Crash recovery in seconds, on PostgreSQL with real server processes: replica A is `kill -9`ed
 * while its webhook send hangs. Replica B sees A's heartbeat stop and sends the notification
 * again within 10 s (not after the 60 s lease), with the same Idempotency-Key and the alert as it
 * was at the trigger (firing), though it has been acknowledged since; the acknowledge notice
 * follows.
 */
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type Receiver,
  startReceiver,
  startServerProcess,
  type TempStore,
  tempPostgres,
} from './support/alerts-support.ts';

const node = fileURLToPath(new URL('../../../node_modules/node/bin/node', import.meta.url));
const W = { 'content-type': 'application/json', 'x-role': 'write' };

interface HookBody {
  event: string;
  idempotencyKey: string;
  alert: { id: string; status: string; acknowledgedBy: string | null };
}

describe('replica failover on PostgreSQL (e2e)', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
  });

  it('re-sends a killed replica’s in-flight notification within 10 s, with the event’s status', async () => {
    const temp: TempStore = await tempPostgres();
    cleanup.push(() => temp.drop());
    const hook: Receiver = await startReceiver({ status: 200, body: 'ok' });
    cleanup.push(() => hook.close());
    hook.answers.push('hang'); // replica A's first send never gets an answer
    const routingFile = path.join(os.tmpdir(), `authlens-failover-${process.pid}-${Date.now()}.json`);
    writeFileSync(
      routingFile,
      JSON.stringify({ routes: [{ matchers: ['alertname=failover'], channels: ['webhook'] }] }),
    );
    cleanup.push(async () => rmSync(routingFile, { force: true }));
    const env = (instanceId: string) => ({
      ALERT_STORE_URL: temp.url,
      ALERT_ROUTING_FILE: routingFile,
      ALERT_WEBHOOK_URLS: `${hook.url}/hook`,
      ALERT_REPLICA_HEARTBEAT_MS: '300',
      ALERT_REPLICA_TIMEOUT_MS: '1500',
      // The default 60 s lease and send timeout: only the heartbeat can free the send in time.
      AUTHLENS_TEST_ALERTS_OPTIONS: JSON.stringify({ pollIntervalMs: 100, instanceId }),
    });

    // Spawned as node_modules/node/bin/node itself, so SIGKILL reaches the server, not a wrapper.
    const a = await startServerProcess(env('replica-a'), node);
    cleanup.push(() => a.stop(true));
    const created = (await (
      await fetch(`${a.url}/monitoring/alerts/create/`, {
        method: 'POST',
        headers: W,
        body: JSON.stringify({ name: 'failover', severity: 'high', message: 'm' }),
      })
    ).json()) as { id: string };
    await hook.waitFor(1); // A is sending the trigger and waits for an answer
    const ack = await fetch(`${a.url}/monitoring/alerts/${created.id}/acknowledge/`, {
      method: 'POST',
      headers: W,
      body: JSON.stringify({ by: 'oncall' }),
    });
    expect(ack.status).toBe(200);

    const b = await startServerProcess(env('replica-b'), node);
    cleanup.push(() => b.stop());
    await a.stop(true);
    const killedAt = Date.now();

    const received = await hook.waitFor(3, 10_000);
    const bodies = received.map((r) => JSON.parse(r.body) as HookBody);
    const [first, resent, notice] = bodies as [HookBody, HookBody, HookBody];
    expect(received[1]!.at - killedAt).toBeLessThan(10_000);
    expect(resent.event).toBe('trigger');
    expect(resent.idempotencyKey).toBe(first.idempotencyKey);
    expect(received[1]!.headers['idempotency-key']).toBe(received[0]!.headers['idempotency-key']);
    // Sent after the acknowledgement, it still describes the trigger.
    expect(resent.alert).toMatchObject({ id: created.id, status: 'firing', acknowledgedBy: null });
    expect(notice.event).toBe('acknowledge');
    expect(notice.alert).toMatchObject({ id: created.id, status: 'acknowledged', acknowledgedBy: 'oncall' });
  });
});
