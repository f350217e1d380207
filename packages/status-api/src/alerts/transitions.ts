/**
 * Acknowledge and resolve: the state change and its notices to every channel that was notified of
 * the alert commit together. Resolving releases the alerts this one inhibited for a re-check.
 */
import type { AlertRepo, AlertStore } from '../store/index.ts';
import { AlertError } from './errors.ts';
import type { Outbox } from './notify/outbox.ts';
import type { Alert } from './types.ts';

export type TransitionEvent = 'acknowledge' | 'resolve';

/** What a transition did, inside the caller's transaction. */
export interface TransitionResult {
  alert: Alert;
  /** Notices were queued (wake the workers after the commit). */
  notify: boolean;
  /** Alerts this one inhibited that are now due for a re-check. */
  released: number;
}

/** Acknowledges or resolves `id` inside `repo`'s transaction (one of many, e.g. a webhook batch). */
export async function transitionIn(
  repo: AlertRepo,
  outbox: Outbox,
  id: string,
  event: TransitionEvent,
  by: string,
  now: number,
): Promise<TransitionResult> {
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
  const released = changed && event === 'resolve' ? await repo.recheckSuppressed(`inhibited:${id}`, now) : 0;
  if (!changed) {
    const current = await repo.getAlert(id);
    if (!current) throw new AlertError('not_found', 'no alert has this id', 'id');
    if (event === 'acknowledge' && current.status === 'resolved') {
      throw new AlertError('conflict', 'alert is already resolved', 'status');
    }
    return { alert: current, notify: false, released };
  }
  const notified = await repo.notifiedChannels(id);
  await repo.enqueueDeliveries(
    outbox.rows(
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
}

export function transitions(
  store: AlertStore,
  outbox: Outbox,
  kick: () => void,
): (id: string, event: TransitionEvent, by: string) => Promise<Alert> {
  return async (id, event, by) => {
    const result = await store.transaction((repo) => transitionIn(repo, outbox, id, event, by, Date.now()));
    if (result.notify || result.released > 0) kick();
    return result.alert;
  };
}
