/**
 * Ingest (Alertmanager's `dispatch/` entry): a create either opens a new alert or counts a repeat of
 * the open one with the same fingerprint. A new alert is suppressed or fired; a repeat of a firing
 * alert is re-notified once its route's repeat interval has passed. Everything, notifications
 * included, is committed in one transaction before the caller gets an answer.
 */
import { randomUUID } from 'node:crypto';
import type { AlertStore } from '../store/index.ts';
import { fingerprint } from './fingerprint.ts';
import type { Outbox } from './notify/outbox.ts';
import type { Routing } from './routing.ts';
import type { Suppressor } from './suppression.ts';
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

export function ingest(o: IngestOptions): (input: CreateAlertInput) => Promise<CreateAlertResult> {
  const { store, routing, suppressor, outbox } = o;
  return async function raise(input) {
    const v = validateInput(input);
    const fp = fingerprint(v.name, v.labels);
    const { result, queued } = await store.transaction(async (repo) => {
      const now = Date.now();
      const { alert, created } = await repo.upsertAlert({ id: randomUUID(), fingerprint: fp, ...v, now });
      if (created || alert.status === 'suppressed') {
        const suppression = await suppressor.find(repo, alert, now);
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
        );
        return { result: { alert: fired.alert, created }, queued: fired.queued };
      }
      if (alert.status === 'firing') {
        const plan = routing.route(alert);
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
    });
    // Wake the workers only when this create queued a notification (the poll covers the rest).
    if (queued) o.kick();
    return result;
  };
}
