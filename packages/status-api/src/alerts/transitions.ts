/**
 * Acknowledge and resolve: the state change and its notices to every channel that was notified of
 * the alert commit together. Resolving releases the alerts this one inhibited for a re-check.
 */
import type { AlertRepo, AlertStore } from '../store/index.ts';
import { AlertError } from './errors.ts';
import { matchedTransaction } from './matched-transaction.ts';
import type { Outbox } from './notify/outbox.ts';
import type { SuppressionView, Suppressor } from './suppression.ts';
import type { Alert } from './types.ts';

export type TransitionEvent = 'acknowledge' | 'resolve';

export interface TransitionResult {
  alert: Alert;
  /** Notices were queued. */
  notify: boolean;
  /** Suppressed alerts released for a re-check. */
  released: number;
}

export interface Transitions {
  /** Applies the change inside an open transaction (judged by `view`: no matcher runs). */
  apply(
    repo: AlertRepo,
    view: SuppressionView,
    id: string,
    event: TransitionEvent,
    by: string,
    now: number,
  ): Promise<TransitionResult>;
  /** Applies the change in its own transaction and wakes the workers if it queued anything. */
  run(id: string, event: TransitionEvent, by: string): Promise<Alert>;
}

export function transitions(
  store: AlertStore,
  outbox: Outbox,
  suppressor: Suppressor,
  kick: () => void,
): Transitions {
  async function apply(
    repo: AlertRepo,
    view: SuppressionView,
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
    const released =
      changed && event === 'resolve' ? await repo.recheckSuppressed(`inhibited:${id}`, now) : 0;
    if (!changed) {
      const current = await repo.getAlert(id);
      if (!current) throw new AlertError('not_found', 'no alert has this id', 'id');
      if (event === 'acknowledge' && current.status === 'resolved') {
        throw new AlertError('conflict', 'alert is already resolved', 'status');
      }
      return { alert: current, notify: false, released };
    }
    await view.changed(changed);
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
  return {
    apply,
    async run(id, event, by) {
      // The alert is matched (is it an inhibition source?) before the transaction opens; its
      // labels, severity and source never change, so what is found holds inside it.
      const before = await store.getAlert(id);
      const result = await matchedTransaction(store, suppressor, before ? [before] : [], (repo, view, now) =>
        apply(repo, view, id, event, by, now),
      );
      if (result.notify || result.released > 0) kick();
      return result.alert;
    },
  };
}
