/**
 * Delivery (Alertmanager's `notify/`): leases due outbox rows, sends each through its channel with
 * a timeout, and records the attempt: sent, retried with backoff, or failed. Paced channels take
 * their send slot from the store so the pace holds across replicas.
 */
import type { AlertStore, DeliveryOutcome } from '../../store/index.ts';
import type { Channel } from '../channels/types.ts';
import { backoffMs, type RetryOptions } from '../config.ts';
import type { ReplicaHeartbeat } from '../replicas.ts';
import type { AlertTelemetry } from '../telemetry.ts';
import type { Delivery } from '../types.ts';
import { alertFromSnapshot } from './snapshot.ts';

export interface DeliveryOptions {
  store: AlertStore;
  channels: ReadonlyMap<string, Channel>;
  /** This replica's lease owner id. */
  instanceId: string;
  /** This replica's heartbeat; deliveries of replicas whose heartbeat stopped are taken over. */
  heartbeat: ReplicaHeartbeat;
  leaseMs: number;
  sendTimeoutMs: number;
  retry: Required<RetryOptions>;
  telemetry: AlertTelemetry;
  onError: (err: unknown, context: string) => void;
  isClosed: () => boolean;
}

export interface Deliverer {
  /** Sends one leased delivery and records the outcome. */
  deliver(d: Delivery): Promise<void>;
  /** Leases and sends due deliveries, up to 20 rounds of 25; returns how many were leased. */
  run(): Promise<number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function deliverer(o: DeliveryOptions): Deliverer {
  const { store, channels, instanceId, retry } = o;

  /** Records the outcome and its attempt row together (a reader never sees one without the other). */
  const finish = (id: number, outcome: DeliveryOutcome) =>
    store.transaction((repo) => repo.finishDelivery(id, instanceId, outcome));

  async function deliver(d: Delivery): Promise<void> {
    const channel = channels.get(d.channel);
    // The alert as it was at the event (rows queued before snapshots: as it is now).
    const alert = d.payload ? alertFromSnapshot(d.payload) : await store.getAlert(d.alertId);
    const started = Date.now();
    if (!channel || !alert) {
      const error = !channel ? `channel "${d.channel}" is not configured` : 'alert no longer exists';
      await finish(d.id, {
        state: 'failed',
        nextAttemptAt: started,
        lastError: error,
        attempt: { outcome: 'failure', statusCode: null, error, durationMs: 0, at: started },
      });
      o.telemetry.notification(d.channelType, 'failure');
      return;
    }
    if (channel.minIntervalMs) {
      // The channel's next send slot lives in the store, so the pace holds across replicas.
      const now = Date.now();
      const { slot, reserved } = await store.reserveChannelSlot(d.channel, now, channel.minIntervalMs, 5000);
      if (!reserved) {
        // Too far out to hold the lease idle (and no slot taken): put it back until then.
        await store.releaseDelivery(d.id, instanceId, slot);
        return;
      }
      if (slot > now) await sleep(slot - now);
    }
    const t0 = performance.now();
    const result = await channel.send(
      { event: d.event, alert, idempotencyKey: d.idempotencyKey, escalationLevel: d.escalationLevel },
      o.sendTimeoutMs,
    );
    const durationMs = performance.now() - t0;
    const now = Date.now();
    const attemptNo = d.attempts + 1;
    let state: 'sent' | 'pending' | 'failed';
    let outcome: 'success' | 'retry' | 'failure';
    let nextAttemptAt = now;
    if (result.ok) {
      state = 'sent';
      outcome = 'success';
    } else if (result.retryable && attemptNo < retry.maxAttempts) {
      state = 'pending';
      outcome = 'retry';
      nextAttemptAt = now + Math.max(backoffMs(attemptNo, retry), result.retryAfterMs ?? 0);
      if (result.retryAfterMs !== undefined && channel.minIntervalMs)
        await store.pauseChannel(d.channel, now + result.retryAfterMs);
    } else {
      state = 'failed';
      outcome = 'failure';
    }
    await finish(d.id, {
      state,
      nextAttemptAt,
      lastError: result.ok ? null : (result.error ?? 'failed'),
      attempt: { outcome, statusCode: result.statusCode, error: result.error ?? null, durationMs, at: now },
    });
    o.telemetry.notification(channel.type, outcome);
  }

  async function run(): Promise<number> {
    let delivered = 0;
    await o.heartbeat.beat();
    for (let round = 0; round < 20 && !o.isClosed(); round++) {
      const now = Date.now();
      const claimed = await store.transaction((repo) =>
        repo.claimDeliveries(instanceId, now, o.leaseMs, 25, o.heartbeat.staleBefore(now)),
      );
      if (claimed.length === 0) break;
      await Promise.all(
        claimed.map((d) =>
          deliver(d).catch((err) => {
            o.onError(err, `delivery ${d.id}`);
          }),
        ),
      );
      delivered += claimed.length;
    }
    return delivered;
  }

  return { deliver, run };
}
