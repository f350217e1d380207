/**
 * Suppression re-checks: a suppressed alert is re-evaluated when its silence or window ends, its
 * inhibiting alert resolves, or the re-check bound passes. One that is no longer suppressed fires,
 * with its notifications and escalation timer committed in the claiming transaction. The matches
 * come from before the transaction (`drainDue`); no matcher runs inside it.
 */
import type { Outbox } from './notify/outbox.ts';
import type { Suppressor } from './suppression.ts';
import type { DueHandler } from './workers.ts';

/** Handles one alert whose re-check is due; true when it became firing. */
export function suppressionRecheck(suppressor: Suppressor, outbox: Outbox): DueHandler {
  return async (repo, view, alert, matched, now) => {
    if (alert.status !== 'suppressed') {
      await repo.updateAlert(alert.id, { suppressionCheckAt: null, updatedAt: now });
      return false;
    }
    const s = view.find(alert.id, matched, now);
    if (s) {
      await suppressor.apply(repo, alert, s, now);
      return false;
    }
    // A firing alert is never suppressed again, so this key is used at most once per alert.
    const fired = await outbox.fire(repo, alert, matched.plan, now, 'trigger:unsuppressed');
    await view.changed(fired.alert);
    return true;
  };
}
