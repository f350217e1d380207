/**
 * Ingest (Alertmanager's `dispatch/` entry): a create either opens a new alert or counts a repeat of
 * the open one with the same fingerprint. A new alert is suppressed or fired; a repeat of a firing
 * alert is re-notified once its route's repeat interval has passed. Everything, notifications
 * included, is committed in one transaction before the caller gets an answer. Validation and every
 * matcher (route, maintenance, silences, inhibition) run before that transaction opens (`prepare`);
 * inside it only lookups by id confirm what they found (`apply`), so a slow matcher can never hold
 * the store's write lock.
 */
import { randomUUID } from 'node:crypto';
import type { AlertRepo, AlertStore } from '../store/index.ts';
import { fingerprint } from './fingerprint.ts';
import { matchLabels } from './matchers.ts';
import type { Outbox } from './notify/outbox.ts';
import type { RoutePlan, Routing } from './routing.ts';
import type { SuppressionCandidates, Suppressor } from './suppression.ts';
import type { CreateAlertInput, CreateAlertResult } from './types.ts';
import { validateInput } from './validate.ts';

export interface IngestOptions {
  store: AlertStore;
  routing: Routing;
  suppressor: Suppressor;
  outbox: Outbox;
  /** Wakes the delivery workers (called after a commit that queued a notification). */
  kick: () => void;
}

/** A create checked and matched before its transaction: no matcher runs once the transaction is open. */
export interface PreparedCreate {
  input: Required<CreateAlertInput>;
  fingerprint: string;
  /** The id a new alert gets. */
  id: string;
  /** The route of the alert's labels (channels, repeat interval, escalation). */
  plan: RoutePlan;
  candidates: SuppressionCandidates;
}

/** The reads that matching a create needs (silences, inhibition sources). */
export type MatchReader = Pick<AlertRepo, 'listSilences' | 'activeAlerts'>;

/**
 * Reads shared by the creates of one batch (an Alertmanager group): the active silences and each
 * inhibition query are read once for the whole batch, not once per alert.
 */
export function batchReader(store: MatchReader): MatchReader {
  const memo = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, read: () => Promise<T>): Promise<T> => {
    let hit = memo.get(key) as Promise<T> | undefined;
    if (!hit) {
      hit = read();
      memo.set(key, hit);
    }
    return hit;
  };
  return {
    listSilences: (opts) => once(`silences:${JSON.stringify(opts)}`, () => store.listSilences(opts)),
    activeAlerts: (filter) =>
      once(`active:${JSON.stringify(filter ?? {})}`, () => store.activeAlerts(filter)),
  };
}

export interface Ingest {
  /** Opens or repeats an alert in its own transaction (`createAlert`). */
  raise(input: CreateAlertInput): Promise<CreateAlertResult>;
  /**
   * Validates `input` and runs every matcher for it, outside any transaction, reading silences
   * and inhibition sources through `reader` (default the store; a batch shares one `batchReader`).
   */
  prepare(input: CreateAlertInput, reader?: MatchReader): Promise<PreparedCreate>;
  /** Writes a prepared create inside the caller's transaction; `queued` when it queued a notification. */
  apply(
    repo: AlertRepo,
    p: PreparedCreate,
    now: number,
  ): Promise<{ result: CreateAlertResult; queued: boolean }>;
}

export function ingest(o: IngestOptions): Ingest {
  const { store, routing, suppressor, outbox } = o;
  async function prepare(input: CreateAlertInput, reader: MatchReader = store): Promise<PreparedCreate> {
    const v = validateInput(input);
    const labels = matchLabels(v);
    return {
      input: v,
      fingerprint: fingerprint(v.name, v.labels),
      id: randomUUID(),
      plan: routing.route(v),
      candidates: await suppressor.prepare(reader, labels, Date.now()),
    };
  }
  async function apply(repo: AlertRepo, p: PreparedCreate, now: number) {
    const { alert, created } = await repo.upsertAlert({
      id: p.id,
      fingerprint: p.fingerprint,
      ...p.input,
      now,
    });
    // A repeat keeps the severity and source it was opened with; when the repeat says otherwise,
    // what was matched for it does not apply and the stored alert is matched here (RE2 matchers,
    // compiled once: linear time, never a hang), the one case a matcher runs in the transaction.
    const asPrepared = alert.severity === p.input.severity && alert.source === p.input.source;
    const plan = asPrepared ? p.plan : routing.route(alert);
    if (created || alert.status === 'suppressed') {
      const suppression = asPrepared
        ? await suppressor.confirm(repo, alert, p.candidates, now)
        : await suppressor.find(repo, alert, now);
      if (suppression) {
        if (alert.suppressedReason === suppression.reason)
          return { result: { alert, created }, queued: false };
        const suppressed = await suppressor.apply(repo, alert, suppression, now);
        return { result: { alert: suppressed ?? alert, created }, queued: false };
      }
      // New, or a suppressed alert whose suppression ended: notify now.
      const fired = await outbox.fire(
        repo,
        alert,
        now,
        created ? 'trigger' : `trigger:${alert.occurrences}`,
        plan,
      );
      return { result: { alert: fired.alert, created }, queued: fired.queued };
    }
    if (alert.status === 'firing') {
      const last = alert.lastNotifiedAt?.getTime() ?? alert.createdAt.getTime();
      if (plan.channels.length && now - last >= plan.repeatIntervalMs) {
        await repo.enqueueDeliveries(
          outbox.rows(
            alert,
            plan.channels,
            'repeat',
            `repeat:${alert.occurrences}`,
            alert.escalationLevel,
            now,
          ),
          now,
        );
        const updated = await repo.updateAlert(alert.id, { lastNotifiedAt: now, updatedAt: now });
        return { result: { alert: updated ?? alert, created }, queued: true };
      }
    }
    return { result: { alert, created }, queued: false };
  }
  return {
    prepare,
    apply,
    async raise(input) {
      const p = await prepare(input);
      const { result, queued } = await store.transaction((repo) => apply(repo, p, Date.now()));
      // Wake the workers only when this create queued a notification (the poll covers the rest).
      if (queued) o.kick();
      return result;
    },
  };
}
