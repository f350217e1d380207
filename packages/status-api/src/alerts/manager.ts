/**
 * The alert manager: durable alerts with routing, suppression, escalation and reliable delivery.
 * This module only wires the stages together; each lives in its own module, the way Alertmanager
 * splits `dispatch/`, `silence/`, `inhibit/` and `notify/`:
 *
 * - `ingest.ts` opens or repeats alerts; `alertmanager-receiver.ts` maps Alertmanager's webhook;
 * - `suppression.ts` (maintenance windows), `silence.ts` and `inhibit.ts` decide what is muted,
 *   `recheck.ts` re-evaluates muted alerts when that ends;
 * - `notify/outbox.ts` queues notifications in the state change's transaction, `notify/delivery.ts`
 *   leases and sends them; `escalation.ts` climbs escalation steps; `transitions.ts` acknowledges
 *   and resolves; `purge.ts` applies retention; `workers.ts` runs the passes.
 *
 * Every state change and the notifications it causes are committed in one transaction (an outbox:
 * `alert_deliveries`) before anything is sent. Workers lease due deliveries and escalations with
 * row locks (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so several replicas on one database send each
 * notification and each escalation step once.
 */
import { randomUUID } from 'node:crypto';
import { type StatusPageHook, statusPageEvent } from '../incidents/alert-hook.ts';
import { type AlertStore, createAlertStore } from '../store/index.ts';
import { type AlertmanagerWebhookPayload, ingestAlertmanager } from './alertmanager-receiver.ts';
import { createChannel } from './channels/index.ts';
import type { Channel } from './channels/types.ts';
import { type Env, type RetryOptions, resolveSettings } from './config.ts';
import { AlertError, invalidField } from './errors.ts';
import { escalationStep } from './escalation.ts';
import { type IngestOp, type IngestResult, ingest } from './ingest.ts';
import { deliverer } from './notify/delivery.ts';
import { outbox as createOutbox } from './notify/outbox.ts';
import { purgeResolved } from './purge.ts';
import { suppressionRecheck } from './recheck.ts';
import { replicaHeartbeat } from './replicas.ts';
import { type ChannelConfig, compileRouting, type Routing, type RoutingConfig } from './routing.ts';
import { type CreateSilenceInput, silences as createSilences } from './silence.ts';
import { expireInvalidSilences } from './silence-revalidation.ts';
import { suppressor as createSuppressor } from './suppression.ts';
import { alertTelemetry } from './telemetry.ts';
import { transitions } from './transitions.ts';
import type {
  Alert,
  AlertFilter,
  AlertPage,
  CreateAlertInput,
  CreateAlertResult,
  DeliveryWithHistory,
  Silence,
} from './types.ts';
import { validActor } from './validate.ts';
import { workers as createWorkers, drainDue, type RunDueResult } from './workers.ts';

export { type AlertmanagerWebhookPayload, mapSeverity } from './alertmanager-receiver.ts';
export { fingerprint } from './fingerprint.ts';
export type { CreateSilenceInput } from './silence.ts';
export type { RunDueResult } from './workers.ts';

export interface AlertManagerOptions {
  /** `sqlite:<path>` or `postgres://…`; default `ALERT_STORE_URL`, then `sqlite:./data/authlens.db`. */
  storeUrl?: string;
  /** Use this store instead of opening one (it is not closed by `close()`). */
  store?: AlertStore;
  /** Routing config, or the path of a YAML/JSON routing file; default `ALERT_ROUTING_FILE`. */
  routing?: RoutingConfig | string;
  /** Channels; default the ones the `ALERT_*` environment variables declare. Routing-file channels are added. */
  channels?: ChannelConfig[];
  /** Environment to read (default `process.env`). */
  env?: Env;
  /** Resolved alerts older than this are purged (default `ALERT_HISTORY_RETENTION_DAYS`, then 30). */
  retentionDays?: number;
  retry?: RetryOptions;
  /** Start the in-process workers (default true). Without them, call `runDue()` yourself. */
  workers?: boolean;
  /** How often the workers look for due deliveries and escalations (default 1000 ms). */
  pollIntervalMs?: number;
  /** How often the retention purge runs (default 1 h). */
  purgeIntervalMs?: number;
  /**
   * Longest a suppressed alert waits before it is re-evaluated (default 5 min). Silences and
   * maintenance windows are re-checked when they end, and inhibited alerts when their source
   * resolves; this bound also catches changed routing files.
   */
  suppressionRecheckMs?: number;
  /** How long a worker holds a delivery before another replica may retry it (default 60 s). */
  leaseMs?: number;
  /** How often this replica records its heartbeat (default `ALERT_REPLICA_HEARTBEAT_MS`, then 1000 ms). */
  heartbeatMs?: number;
  /**
   * A replica silent this long is dead: its deliveries in flight are sent again by another one
   * before their lease expires (default `ALERT_REPLICA_TIMEOUT_MS`, then 5000 ms; at least twice
   * the heartbeat interval).
   */
  replicaTimeoutMs?: number;
  /** Per-send timeout (default 10 s). */
  sendTimeoutMs?: number;
  /** Identifies this replica in leases (default a random UUID). */
  instanceId?: string;
  /** Called with unexpected worker errors (default: written to stderr without secrets). */
  onError?: (err: unknown, context: string) => void;
  /** Status-page incidents for alerts a public routing rule matches (`src/incidents/alert-hook.ts`). */
  statusPageHook?: StatusPageHook;
}

export interface AlertDetails extends Alert {
  notifications: DeliveryWithHistory[];
}

export interface AlertManager {
  readonly store: AlertStore;
  /** Raises an alert (name, severity, message, source, labels, annotations): returns the alert (an open one with the same fingerprint counts a repeat). */
  createAlert(input: CreateAlertInput): Promise<Alert>;
  /** Like `createAlert`, and says whether the alert is new. */
  raise(input: CreateAlertInput): Promise<CreateAlertResult>;
  acknowledge(id: string, by?: string): Promise<Alert>;
  resolve(id: string, by?: string): Promise<Alert>;
  getAlert(id: string): Promise<AlertDetails | null>;
  listAlerts(filter?: AlertFilter): Promise<AlertPage>;
  createSilence(input: CreateSilenceInput): Promise<Silence>;
  getSilence(id: string): Promise<Silence | null>;
  listSilences(opts?: { active?: boolean }): Promise<Silence[]>;
  expireSilence(id: string): Promise<Silence>;
  /** Ingests an Alertmanager webhook v4 payload: firing alerts are raised, resolved ones resolved. */
  ingestAlertmanager(payload: AlertmanagerWebhookPayload): Promise<{ firing: number; resolved: number }>;
  /** One pass of the suppression, escalation and delivery workers. */
  runDue(): Promise<RunDueResult>;
  /** Re-evaluates suppressed alerts that are due; returns how many became firing. */
  runSuppressionChecks(): Promise<number>;
  runEscalations(): Promise<number>;
  runDeliveries(): Promise<number>;
  /** Deletes resolved alerts older than `olderThanDays` (default: the retention setting). */
  purgeResolved(olderThanDays?: number): Promise<{ alerts: number; silences: number }>;
  close(): Promise<void>;
}

function defaultOnError(err: unknown, context: string) {
  const e = err as Error;
  process.stderr.write(
    `${JSON.stringify({ level: 'error', message: `alerts: ${context} failed`, error: e?.message ?? String(err) })}\n`,
  );
}

export async function createAlertManager(options: AlertManagerOptions = {}): Promise<AlertManager> {
  const env = options.env ?? process.env;
  const settings = resolveSettings(options, env);
  let routing: Routing;
  try {
    routing = compileRouting(settings.routing, settings.channels);
  } catch (err) {
    if (err instanceof AlertError && settings.routingFile) {
      throw new AlertError('invalid_config', err.detail, `${settings.routingFile}: ${err.field ?? ''}`);
    }
    throw err;
  }
  const suppressionRecheckMs = options.suppressionRecheckMs ?? 300_000;
  if (!(suppressionRecheckMs > 0)) throw invalidField('suppressionRecheckMs', 'must be a positive number');
  const channels = new Map<string, Channel>(settings.channels.map((c) => [c.name, createChannel(c)]));
  const ownsStore = !options.store;
  const store = options.store ?? (await createAlertStore(settings.storeUrl));
  const onError = options.onError ?? defaultOnError;
  // Stored silences are compiled again before any worker runs: one that no longer compiles
  // (stored by a version that accepted lookaround, say) is expired and logged, never run.
  for (const bad of await expireInvalidSilences(store)) {
    process.stderr.write(
      `${JSON.stringify({ level: 'warn', message: 'alerts: stored silence expired at start: its matchers do not compile', silence: bad.id, reason: bad.reason })}\n`,
    );
  }
  const telemetry = alertTelemetry(store);

  const outbox = createOutbox(channels);
  const suppressor = createSuppressor({ routing, recheckMs: suppressionRecheckMs, onError });
  // The workers are created last (they start at once); stages reach them through these.
  const kick = () => runner.kick();
  const instanceId = options.instanceId ?? randomUUID();
  const workersEnabled = options.workers ?? true;
  const heartbeat = replicaHeartbeat({
    store,
    instanceId,
    heartbeatMs: settings.heartbeatMs,
    timeoutMs: settings.replicaTimeoutMs,
    timer: workersEnabled,
    onError,
  });
  const delivery = deliverer({
    store,
    channels,
    heartbeat,
    instanceId,
    leaseMs: options.leaseMs ?? 60_000,
    sendTimeoutMs: options.sendTimeoutMs ?? 10_000,
    retry: settings.retry,
    telemetry,
    onError,
    isClosed: () => runner.isClosed(),
  });
  const recheck = suppressionRecheck(suppressor, outbox);
  const escalate = escalationStep(outbox);
  const runSuppressionChecks = () =>
    drainDue(store, suppressor, (repo, now, limit) => repo.claimDueSuppressionChecks(now, limit), recheck);
  const runEscalations = () =>
    drainDue(store, suppressor, (repo, now, limit) => repo.claimDueEscalations(now, limit), escalate);
  const purge = (olderThanDays = settings.retentionDays) => purgeResolved(store, olderThanDays);
  const transition = transitions(store, outbox, suppressor, kick);
  const ingestion = ingest({ store, suppressor, outbox, transitions: transition, kick });
  // Public routing rules open and update status-page incidents after the change has committed.
  const publish = (event: 'raised' | 'resolved', alert: Alert) =>
    statusPageEvent(options.statusPageHook, routing, event, alert, onError);
  const published = async (results: IngestResult[]) => {
    for (const r of results) {
      if ('resolved' in r) {
        if (r.resolved) await publish('resolved', r.resolved);
      } else if (r.created && r.alert.status === 'firing') await publish('raised', r.alert);
    }
    return results;
  };
  const raise = async (input: CreateAlertInput) => {
    const result = await ingestion.raise(input);
    await published([result]);
    return result;
  };
  const apply = async (ops: IngestOp[]) => published(await ingestion.apply(ops));
  const resolve = async (id: string, by?: string) => {
    const alert = await transition.run(id, 'resolve', validActor(by));
    await publish('resolved', alert);
    return alert;
  };
  const silences = createSilences(store, kick);
  const runner = createWorkers({
    enabled: workersEnabled,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    purgeIntervalMs: options.purgeIntervalMs ?? 3_600_000,
    suppression: runSuppressionChecks,
    escalation: runEscalations,
    delivery: delivery.run,
    purge: () => purge(),
    onError,
  });

  let closed = false;
  return {
    store,
    raise,
    createAlert: async (input) => (await raise(input)).alert,
    acknowledge: (id, by) => transition.run(id, 'acknowledge', validActor(by)),
    resolve,
    async getAlert(id) {
      const alert = await store.getAlert(id);
      if (!alert) return null;
      return { ...alert, notifications: await store.deliveriesFor(id) };
    },
    listAlerts: (filter = {}) => {
      const limit = filter.limit ?? 50;
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw invalidField('limit', 'must be 1-500');
      return store.listAlerts({ ...filter, limit });
    },
    createSilence: silences.create,
    getSilence: silences.get,
    listSilences: silences.list,
    expireSilence: silences.expire,
    ingestAlertmanager: (payload) => ingestAlertmanager(payload, apply),
    runDue: () => runner.runDue(),
    runSuppressionChecks,
    runEscalations,
    runDeliveries: delivery.run,
    purgeResolved: purge,
    async close() {
      if (closed) return;
      closed = true;
      await runner.close();
      await heartbeat.close();
      telemetry.close();
      for (const c of channels.values()) await c.close();
      if (ownsStore) await store.close();
    },
  };
}
