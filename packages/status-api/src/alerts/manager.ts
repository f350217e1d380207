/**
 * The alert manager: durable alerts with routing, suppression, escalation and reliable delivery.
 *
 * Every state change and the notifications it causes are committed in one transaction
 * (an outbox: `alert_deliveries`) before anything is sent. Workers then lease due deliveries
 * and escalations with row locks (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so several replicas
 * on one database send each notification and each escalation step once. The same workers
 * re-evaluate suppressed alerts whose silence, window or inhibiting alert has ended. The in-process timers
 * call `runDue()`; a scheduler may call it (and `purgeResolved()`) instead.
 */
import { createHash, randomUUID } from 'node:crypto';
import { metrics, type ObservableResult } from '@opentelemetry/api';
import { type StatusPageHook, statusPageEvent } from '../incidents/alert-hook.ts';
import { type AlertRepo, type AlertStore, createAlertStore, type NewDelivery } from '../store/index.ts';
import { createChannel } from './channels/index.ts';
import type { Channel } from './channels/types.ts';
import { backoffMs, type Env, type RetryOptions, resolveSettings } from './config.ts';
import { AlertError, invalidField } from './errors.ts';
import { matchesAll, matchLabels, parseMatchers } from './matchers.ts';
import { type ChannelConfig, compileRouting, type Routing, type RoutingConfig } from './routing.ts';
import {
  type Alert,
  type AlertFilter,
  type AlertPage,
  type CreateAlertInput,
  type CreateAlertResult,
  type Delivery,
  type DeliveryWithHistory,
  type Labels,
  type NotificationEvent,
  SEVERITIES,
  type Severity,
  type Silence,
} from './types.ts';

export interface AlertManagerOptions {
  /** `sqlite:<path>` or `postgres://…`; default `ALERT_STORE_URL`, then `sqlite:./data/authlens.db`. */
  storeUrl?: string;
  /** Use this store instead of opening one (it is not closed by `close()`). */
  store?: AlertStore;
  /** Routing config, or the path of a YAML/JSON routing file; default `ALERT_ROUTING_FILE`. */
  routing?: RoutingConfig | string;
  /** Channels; default the ones the brief's environment variables declare. Routing-file channels are added. */
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
  /** Per-send timeout (default 10 s). */
  sendTimeoutMs?: number;
  /** Identifies this replica in leases (default a random UUID). */
  instanceId?: string;
  /** Called with unexpected worker errors (default: written to stderr without secrets). */
  onError?: (err: unknown, context: string) => void;
  /** Status-page incidents for alerts a public routing rule matches (`src/incidents/alert-hook.ts`). */
  statusPageHook?: StatusPageHook;
}

export interface CreateSilenceInput {
  matchers: string[];
  startsAt?: Date;
  endsAt?: Date;
  /** Alternative to `endsAt`. */
  durationSeconds?: number;
  createdBy?: string;
  comment?: string;
}

export interface AlertDetails extends Alert {
  notifications: DeliveryWithHistory[];
}

export interface RunDueResult {
  /** Suppressed alerts whose suppression ended and that were moved to firing and notified. */
  unsuppressed: number;
  escalated: number;
  delivered: number;
}

/** An Alertmanager webhook (version 4) payload. */
export interface AlertmanagerWebhookPayload {
  version?: string;
  status?: string;
  receiver?: string;
  groupKey?: string;
  alerts: Array<{
    status: 'firing' | 'resolved' | string;
    labels: Labels;
    annotations?: Labels;
    startsAt?: string;
    endsAt?: string;
    generatorURL?: string;
    fingerprint?: string;
  }>;
}

export interface AlertManager {
  readonly store: AlertStore;
  /** The brief's `create_alert(...)`: returns the alert (an open one with the same fingerprint counts a repeat). */
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

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.:-]*$/;
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Stable fingerprint of name + labels (order-independent). */
export function fingerprint(name: string, labels: Labels): string {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify([name, entries]))
    .digest('hex')
    .slice(0, 32);
}

function validateInput(input: CreateAlertInput): Required<CreateAlertInput> {
  if (typeof input.name !== 'string' || !NAME_PATTERN.test(input.name) || input.name.length > 200) {
    throw invalidField(
      'name',
      'must be 1-200 characters: letters, digits, _ . : - (starting with a letter or _)',
    );
  }
  if (!(SEVERITIES as readonly string[]).includes(input.severity)) {
    throw invalidField('severity', `must be one of ${SEVERITIES.join(', ')}`);
  }
  if (typeof input.message !== 'string' || input.message.trim() === '' || input.message.length > 4000) {
    throw invalidField('message', 'must be 1-4000 characters');
  }
  const source = input.source ?? 'manual';
  if (typeof source !== 'string' || source.trim() === '' || source.length > 200) {
    throw invalidField('source', 'must be 1-200 characters');
  }
  const labels = input.labels ?? {};
  const annotations = input.annotations ?? {};
  for (const [field, map] of [
    ['labels', labels],
    ['annotations', annotations],
  ] as const) {
    if (typeof map !== 'object' || map === null || Array.isArray(map))
      throw invalidField(field, 'must be an object');
    for (const [k, v] of Object.entries(map)) {
      if (!LABEL_NAME.test(k)) throw invalidField(`${field}.${k}`, 'is not a valid name');
      if (typeof v !== 'string') throw invalidField(`${field}.${k}`, 'must be a string');
    }
  }
  return { name: input.name, severity: input.severity, message: input.message, source, labels, annotations };
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
  const channels = new Map<string, Channel>(settings.channels.map((c) => [c.name, createChannel(c)]));
  const ownsStore = !options.store;
  const store = options.store ?? (await createAlertStore(settings.storeUrl));
  const instanceId = options.instanceId ?? randomUUID();
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const leaseMs = options.leaseMs ?? 60_000;
  const suppressionRecheckMs = options.suppressionRecheckMs ?? 300_000;
  if (!(suppressionRecheckMs > 0)) throw invalidField('suppressionRecheckMs', 'must be a positive number');
  const sendTimeoutMs = options.sendTimeoutMs ?? 10_000;
  const onError = options.onError ?? defaultOnError;
  const retry = settings.retry;

  const meter = metrics.getMeter('@authlens/status-api');
  const notificationsCounter = meter.createCounter('authlens.alerts.notifications', {
    unit: '{notification}',
    description: 'Alert notification attempts by channel type and outcome',
  });
  const openGauge = meter.createObservableGauge('authlens.alerts.open', {
    unit: '{alert}',
    description: 'Open (not resolved) alerts by severity',
  });
  const observeOpen = async (result: ObservableResult) => {
    try {
      const counts = await store.countOpenBySeverity();
      for (const severity of SEVERITIES)
        result.observe(counts[severity] ?? 0, { 'alert.severity': severity });
    } catch {
      // The store may be closing; report nothing rather than fail the collection.
    }
  };
  openGauge.addCallback(observeOpen);

  // --- suppression -----------------------------------------------------------------------------

  interface Suppression {
    reason: string;
    /** When it ends by itself (silence or window end); null for inhibition. */
    until: number | null;
  }

  async function suppressionFor(repo: AlertRepo, alert: Alert, now: number): Promise<Suppression | null> {
    const labels = matchLabels(alert);
    for (const w of routing.maintenance) {
      if (w.start <= now && now < w.end && matchesAll(w.matchers, labels))
        return { reason: `maintenance:${w.name}`, until: w.end };
    }
    for (const s of await repo.listSilences({ activeAt: now })) {
      if (matchesAll(parseMatchers(s.matchers, 'matchers'), labels))
        return { reason: `silence:${s.id}`, until: s.endsAt.getTime() };
    }
    for (const rule of routing.inhibitRules) {
      if (!matchesAll(rule.target, labels)) continue;
      // Push equality matchers on name/severity down to SQL; the rest is matched here.
      const names = rule.source.filter((m) => m.name === 'alertname' && m.op === '=').map((m) => m.value);
      const severities = rule.source
        .filter((m) => m.name === 'severity' && m.op === '=')
        .map((m) => m.value as Severity);
      const candidates = await repo.activeAlerts({ names, severities });
      for (const source of candidates) {
        if (source.id === alert.id) continue;
        const sourceLabels = matchLabels(source);
        if (!matchesAll(rule.source, sourceLabels)) continue;
        if (rule.equal.every((l) => (sourceLabels[l] ?? '') === (labels[l] ?? '')))
          return { reason: `inhibited:${source.id}`, until: null };
      }
    }
    return null;
  }

  /** Marks `alert` suppressed for `s`, with its re-check timer. */
  const suppress = (repo: AlertRepo, alert: Alert, s: Suppression, now: number) =>
    repo.updateAlert(alert.id, {
      status: 'suppressed',
      suppressedReason: s.reason,
      nextEscalationAt: null,
      suppressionCheckAt: Math.min(s.until ?? Number.POSITIVE_INFINITY, now + suppressionRecheckMs),
      updatedAt: now,
    });

  // --- outbox --------------------------------------------------------------------------------

  const deliveriesFor = (
    alert: Alert,
    channelNames: readonly string[],
    event: NotificationEvent,
    keyPart: string,
    level: number,
    now: number,
  ): NewDelivery[] =>
    channelNames.flatMap((name) => {
      const channel = channels.get(name);
      if (!channel) return [];
      return [
        {
          alertId: alert.id,
          channel: name,
          channelType: channel.type,
          event,
          escalationLevel: level,
          idempotencyKey: `${alert.id}:${keyPart}:${name}`,
          nextAttemptAt: now,
        },
      ];
    });

  /** First notification of a (no longer suppressed) alert: outbox rows + escalation timer. */
  async function notifyFiring(
    repo: AlertRepo,
    alert: Alert,
    now: number,
    keyPart = 'trigger',
  ): Promise<Alert> {
    const plan = routing.route(alert);
    const rows = deliveriesFor(alert, plan.channels, 'trigger', keyPart, 0, now);
    if ((await repo.enqueueDeliveries(rows, now)) > 0) queuedInTx = true;
    const first = plan.escalation[0];
    const updated = await repo.updateAlert(alert.id, {
      status: 'firing',
      suppressedReason: null,
      lastNotifiedAt: rows.length ? now : null,
      nextEscalationAt: first ? now + first.afterMs : null,
      escalationLevel: 0,
      suppressionCheckAt: null,
      updatedAt: now,
    });
    return updated ?? alert;
  }

  // --- workers -------------------------------------------------------------------------------

  /** Set by a create transaction that queued a notification; read after it commits. */
  let queuedInTx = false;

  let closed = false;
  let running: Promise<RunDueResult> | null = null;
  let again = false;
  const kick = () => {
    if (closed || workersEnabled === false) return;
    if (running) {
      again = true;
      return;
    }
    setImmediate(() => {
      void runDueGuarded();
    });
  };

  async function runDueGuarded(): Promise<RunDueResult> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      const total = { unsuppressed: 0, escalated: 0, delivered: 0 };
      do {
        again = false;
        try {
          total.unsuppressed += await runSuppressionChecks();
          total.escalated += await runEscalations();
          total.delivered += await runDeliveries();
        } catch (err) {
          if (!closed) onError(err, 'worker pass');
        }
      } while (again && !closed);
      return total;
    })();
    try {
      return await running;
    } finally {
      running = null;
    }
  }

  /**
   * Claims due alerts in batches (`claim`, row-locked), each batch handled in the transaction that
   * claimed it, so one replica handles each alert once; up to ten batches a pass. Returns how many
   * alerts `handle` counted.
   */
  async function drainDue(
    claim: (repo: AlertRepo, now: number, limit: number) => Promise<Alert[]>,
    handle: (repo: AlertRepo, alert: Alert, now: number) => Promise<boolean>,
  ): Promise<number> {
    const batch = 50;
    let total = 0;
    for (let round = 0; round < 10; round++) {
      const now = Date.now();
      const { claimed, counted } = await store.transaction(async (repo) => {
        const due = await claim(repo, now, batch);
        let counted = 0;
        for (const alert of due) if (await handle(repo, alert, now)) counted++;
        return { claimed: due.length, counted };
      });
      total += counted;
      if (claimed < batch) break;
    }
    return total;
  }

  /**
   * Re-evaluates suppressed alerts whose re-check is due. One whose suppression no longer applies
   * becomes firing, with its notifications and escalation timer committed in the claiming
   * transaction. Returns how many became firing.
   */
  function runSuppressionChecks(): Promise<number> {
    return drainDue(
      (repo, now, limit) => repo.claimDueSuppressionChecks(now, limit),
      async (repo, alert, now) => {
        if (alert.status !== 'suppressed') {
          await repo.updateAlert(alert.id, { suppressionCheckAt: null, updatedAt: now });
          return false;
        }
        const s = await suppressionFor(repo, alert, now);
        if (s) {
          await suppress(repo, alert, s, now);
          return false;
        }
        // A firing alert is never suppressed again, so this key is used at most once per alert.
        await notifyFiring(repo, alert, now, 'trigger:unsuppressed');
        return true;
      },
    );
  }

  /** Climbs due escalations one level; returns how many due alerts were claimed. */
  function runEscalations(): Promise<number> {
    return drainDue(
      (repo, now, limit) => repo.claimDueEscalations(now, limit),
      async (repo, alert, now) => {
        if (alert.status !== 'firing') {
          await repo.updateAlert(alert.id, { nextEscalationAt: null, updatedAt: now });
          return true;
        }
        const steps = routing.route(alert).escalation;
        const level = alert.escalationLevel + 1;
        const step = steps[level - 1];
        if (!step) {
          await repo.updateAlert(alert.id, { nextEscalationAt: null, updatedAt: now });
          return true;
        }
        await repo.enqueueDeliveries(
          deliveriesFor(alert, step.channels, 'escalate', `escalate:${level}`, level, now),
          now,
        );
        const nextStep = steps[level];
        const dueAt = alert.nextEscalationAt?.getTime() ?? now;
        await repo.updateAlert(
          alert.id,
          {
            escalationLevel: level,
            nextEscalationAt: nextStep ? dueAt + (nextStep.afterMs - step.afterMs) : null,
            lastNotifiedAt: now,
            updatedAt: now,
          },
          ['firing'],
        );
        return true;
      },
    );
  }

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  async function deliver(d: Delivery): Promise<void> {
    const channel = channels.get(d.channel);
    const alert = await store.getAlert(d.alertId);
    const started = Date.now();
    if (!channel || !alert) {
      const error = !channel ? `channel "${d.channel}" is not configured` : 'alert no longer exists';
      await store.finishDelivery(d.id, instanceId, {
        state: 'failed',
        nextAttemptAt: started,
        lastError: error,
        attempt: { outcome: 'failure', statusCode: null, error, durationMs: 0, at: started },
      });
      notificationsCounter.add(1, { 'alert.channel': d.channelType, 'alert.outcome': 'failure' });
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
      sendTimeoutMs,
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
    await store.finishDelivery(d.id, instanceId, {
      state,
      nextAttemptAt,
      lastError: result.ok ? null : (result.error ?? 'failed'),
      attempt: { outcome, statusCode: result.statusCode, error: result.error ?? null, durationMs, at: now },
    });
    notificationsCounter.add(1, { 'alert.channel': channel.type, 'alert.outcome': outcome });
  }

  async function runDeliveries(): Promise<number> {
    let delivered = 0;
    for (let round = 0; round < 20 && !closed; round++) {
      const claimed = await store.transaction((repo) =>
        repo.claimDeliveries(instanceId, Date.now(), leaseMs, 25),
      );
      if (claimed.length === 0) break;
      await Promise.all(
        claimed.map((d) =>
          deliver(d).catch((err) => {
            onError(err, `delivery ${d.id}`);
          }),
        ),
      );
      delivered += claimed.length;
    }
    return delivered;
  }

  async function purgeResolved(olderThanDays = settings.retentionDays) {
    if (!(olderThanDays >= 0)) throw invalidField('olderThanDays', 'must be a non-negative number');
    return store.transaction((repo) => repo.purgeResolved(Date.now() - olderThanDays * 86_400_000));
  }

  const workersEnabled = options.workers ?? true;
  const timers: NodeJS.Timeout[] = [];
  if (workersEnabled) {
    timers.push(setInterval(() => void runDueGuarded(), pollIntervalMs));
    timers.push(
      setInterval(
        () => void purgeResolved().catch((err) => onError(err, 'retention purge')),
        options.purgeIntervalMs ?? 3_600_000,
      ),
    );
    for (const t of timers) t.unref();
    kick();
  }

  // --- state changes -------------------------------------------------------------------------

  async function raise(input: CreateAlertInput): Promise<CreateAlertResult> {
    const v = validateInput(input);
    const fp = fingerprint(v.name, v.labels);
    const result = await store.transaction(async (repo) => {
      const now = Date.now();
      const { alert, created } = await repo.upsertAlert({ id: randomUUID(), fingerprint: fp, ...v, now });
      if (created || alert.status === 'suppressed') {
        const suppression = await suppressionFor(repo, alert, now);
        if (suppression) {
          if (alert.suppressedReason === suppression.reason) return { alert, created };
          return { alert: (await suppress(repo, alert, suppression, now)) ?? alert, created };
        }
        // New, or a suppressed alert whose suppression ended: notify now.
        return {
          alert: await notifyFiring(repo, alert, now, created ? 'trigger' : `trigger:${alert.occurrences}`),
          created,
        };
      }
      if (alert.status === 'firing') {
        const plan = routing.route(alert);
        const last = alert.lastNotifiedAt?.getTime() ?? alert.createdAt.getTime();
        if (plan.channels.length && now - last >= plan.repeatIntervalMs) {
          await repo.enqueueDeliveries(
            deliveriesFor(
              alert,
              plan.channels,
              'repeat',
              `repeat:${alert.occurrences}`,
              alert.escalationLevel,
              now,
            ),
            now,
          );
          queuedInTx = true;
          return {
            alert: (await repo.updateAlert(alert.id, { lastNotifiedAt: now, updatedAt: now })) ?? alert,
            created,
          };
        }
      }
      return { alert, created };
    });
    // Wake the workers only when this create queued a notification (the poll covers the rest).
    // Transactions run one at a time per store on SQLite; on PostgreSQL a concurrent create may
    // reset the flag first, which only delays its delivery to the next poll.
    if (queuedInTx) {
      queuedInTx = false;
      kick();
    }
    // Status page hook (incidents): a new firing alert of a public rule opens its incident.
    if (result.created && result.alert.status === 'firing')
      await statusPageEvent(options.statusPageHook, routing, 'raised', result.alert, onError);
    return result;
  }

  async function transition(id: string, event: 'acknowledge' | 'resolve', by: string): Promise<Alert> {
    const result = await store.transaction(async (repo) => {
      const now = Date.now();
      const changed =
        event === 'acknowledge'
          ? await repo.updateAlert(
              id,
              {
                status: 'acknowledged',
                acknowledgedAt: now,
                acknowledgedBy: by,
                nextEscalationAt: null,
                suppressionCheckAt: null,
                updatedAt: now,
              },
              ['firing', 'suppressed'],
            )
          : await repo.updateAlert(
              id,
              {
                status: 'resolved',
                resolvedAt: now,
                resolvedBy: by,
                nextEscalationAt: null,
                suppressionCheckAt: null,
                updatedAt: now,
              },
              ['firing', 'acknowledged', 'suppressed'],
            );
      // Alerts this one inhibited are re-evaluated by the next worker pass.
      const released =
        changed && event === 'resolve' ? await repo.recheckSuppressed(`inhibited:${id}`, now) : 0;
      if (!changed) {
        const current = await repo.getAlert(id);
        if (!current) throw new AlertError('not_found', `alert ${id} does not exist`, 'id');
        if (event === 'acknowledge' && current.status === 'resolved') {
          throw new AlertError('conflict', 'alert is already resolved', 'status');
        }
        return { alert: current, notify: false, released };
      }
      const notified = await repo.notifiedChannels(id);
      await repo.enqueueDeliveries(
        deliveriesFor(
          changed,
          notified.map((c) => c.channel),
          event,
          event,
          changed.escalationLevel,
          now,
        ),
        now,
      );
      return { alert: changed, notify: notified.length > 0, released };
    });
    if (result.notify || result.released > 0) kick();
    // Status page hook (incidents): resolving adds a "monitoring" update, never closes it.
    if (event === 'resolve')
      await statusPageEvent(options.statusPageHook, routing, 'resolved', result.alert, onError);
    return result.alert;
  }

  const actor = (by: string | undefined) => {
    if (by === undefined) return 'api';
    if (typeof by !== 'string' || by.trim() === '' || by.length > 200)
      throw invalidField('by', 'must be 1-200 characters');
    return by;
  };

  const manager: AlertManager = {
    store,
    raise,
    createAlert: async (input) => (await raise(input)).alert,
    acknowledge: (id, by) => transition(id, 'acknowledge', actor(by)),
    resolve: (id, by) => transition(id, 'resolve', actor(by)),
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
    async createSilence(input) {
      if (!Array.isArray(input.matchers) || input.matchers.length === 0) {
        throw invalidField('matchers', 'needs at least one matcher');
      }
      parseMatchers(input.matchers, 'matchers');
      const now = Date.now();
      const startsAt = input.startsAt?.getTime() ?? now;
      const endsAt =
        input.endsAt?.getTime() ??
        (input.durationSeconds !== undefined ? startsAt + input.durationSeconds * 1000 : Number.NaN);
      if (Number.isNaN(startsAt)) throw invalidField('startsAt', 'is not a date-time');
      if (Number.isNaN(endsAt)) throw invalidField('endsAt', 'is required (or durationSeconds)');
      if (endsAt <= startsAt) throw invalidField('endsAt', 'must be after startsAt');
      if (endsAt <= now) throw invalidField('endsAt', 'must be in the future');
      return store.transaction((repo) =>
        repo.insertSilence({
          id: randomUUID(),
          matchers: input.matchers,
          startsAt,
          endsAt,
          createdBy: actor(input.createdBy),
          comment: input.comment ?? '',
          now,
        }),
      );
    },
    getSilence: (id) => store.getSilence(id),
    listSilences: (opts = {}) => store.listSilences(opts.active ? { activeAt: Date.now() } : {}),
    async expireSilence(id) {
      const { silence, released } = await store.transaction(async (repo) => {
        const now = Date.now();
        const silence = await repo.expireSilence(id, now);
        // Alerts it muted are re-evaluated by the next worker pass.
        return { silence, released: silence ? await repo.recheckSuppressed(`silence:${id}`, now) : 0 };
      });
      if (!silence) throw new AlertError('not_found', `silence ${id} does not exist`, 'id');
      if (released > 0) kick();
      return silence;
    },
    async ingestAlertmanager(payload) {
      let firing = 0;
      let resolved = 0;
      for (const [i, a] of payload.alerts.entries()) {
        const { alertname, severity, ...labels } = a.labels;
        if (!alertname) throw invalidField(`alerts[${i}].labels.alertname`, 'is required');
        const annotations = { ...(a.annotations ?? {}) };
        if (a.generatorURL) annotations.generatorURL = a.generatorURL;
        const input: CreateAlertInput = {
          name: alertname,
          severity: mapSeverity(severity),
          message: annotations.summary ?? annotations.description ?? alertname,
          source: 'prometheus',
          labels,
          annotations,
        };
        if (a.status === 'resolved') {
          const open = await store.findOpenByFingerprint(fingerprint(input.name, labels));
          if (open) {
            await transition(open.id, 'resolve', 'alertmanager');
            resolved++;
          }
        } else {
          await raise(input);
          firing++;
        }
      }
      return { firing, resolved };
    },
    runDue: () => runDueGuarded(),
    runSuppressionChecks,
    runEscalations,
    runDeliveries,
    purgeResolved,
    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearInterval(t);
      openGauge.removeCallback(observeOpen);
      await running?.catch(() => undefined);
      for (const c of channels.values()) await c.close();
      if (ownsStore) await store.close();
    },
  };
  return manager;
}

/** Prometheus severities (and the usual synonyms) onto ours; unknown → medium. */
export function mapSeverity(value: string | undefined): Severity {
  const v = (value ?? '').toLowerCase();
  if ((SEVERITIES as readonly string[]).includes(v)) return v as Severity;
  if (v === 'page' || v === 'fatal' || v === 'emergency') return 'critical';
  if (v === 'error' || v === 'major') return 'high';
  if (v === 'warning' || v === 'warn' || v === 'minor') return 'medium';
  if (v === 'notice') return 'low';
  return 'medium';
}
