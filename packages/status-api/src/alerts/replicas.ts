/**
 * Replica heartbeats: every alert manager that sends notifications records `heartbeat_at` in
 * `alert_replicas` every `heartbeatMs`. Another replica takes over a delivery whose sender has
 * been silent for `timeoutMs`, instead of waiting for its lease (60 s) to expire, so a `kill -9`
 * holds up that alert's later notifications on the channel for seconds, not a minute. Delivery
 * stays at-least-once with the same idempotency key: a replica that was only slow finds its lease
 * gone and its result is not recorded.
 */
import type { AlertStore } from '../store/index.ts';

export interface ReplicaHeartbeatOptions {
  store: AlertStore;
  instanceId: string;
  heartbeatMs: number;
  timeoutMs: number;
  /** Beat on a timer (workers running); otherwise only when `beat` is called. */
  timer: boolean;
  onError: (err: unknown, context: string) => void;
}

export interface ReplicaHeartbeat {
  /** Records a heartbeat unless one was recorded in the last half interval. */
  beat(): Promise<void>;
  /** Heartbeats older than this (epoch ms) belong to dead replicas. */
  staleBefore(now: number): number;
  /** Stops beating and removes this replica's row (and rows silent for a day). */
  close(): Promise<void>;
}

export function replicaHeartbeat(o: ReplicaHeartbeatOptions): ReplicaHeartbeat {
  let last = 0;
  let stopped = false;
  const beat = async () => {
    const now = Date.now();
    if (stopped || now - last < o.heartbeatMs / 2) return;
    last = now;
    await o.store.heartbeat(o.instanceId, now);
  };
  const timer = o.timer
    ? setInterval(() => void beat().catch((err) => o.onError(err, 'replica heartbeat')), o.heartbeatMs)
    : undefined;
  timer?.unref();
  if (o.timer) void beat().catch((err) => o.onError(err, 'replica heartbeat'));
  return {
    beat,
    staleBefore: (now) => now - o.timeoutMs,
    async close() {
      stopped = true;
      if (timer) clearInterval(timer);
      await o.store.removeReplica(o.instanceId, Date.now() - 86_400_000).catch(() => undefined);
    },
  };
}
