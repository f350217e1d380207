/**
 * Suppression re-checks: a suppressed alert is re-evaluated when its silence or window ends, its
 * inhibiting alert resolves, or the re-check bound passes. One that is no longer suppressed fires,
 * with its notifications and escalation timer committed in the claiming transaction.
 */
import type { Outbox } from './notify/outbox.ts';
import type { Suppressor } from './suppression.ts';
import type { DueHandler } from './workers.ts';

/** Handles one alert whose re-check is due; true when it became firing. */
export function suppressionRecheck(suppressor: Suppressor, outbox: Outbox): DueHandler {
  return async (repo, alert, now) => {
    if (alert.status !== 'suppressed') {
      await repo.updateAlert(alert.id, { suppressionCheckAt: null, updatedAt: now });
      return false;
    }
    await suppressor.refresh(repo, now);
    const s = suppressor.find(alert, now);
    if (s) {
      await suppressor.apply(repo, alert, s, now);
      return false;
    }
    // A firing alert is never suppressed again, so this key is used at most once per alert.
    const fired = await outbox.fire(repo, alert, now, 'trigger:unsuppressed');
    await suppressor.changed(repo, fired.alert);
    return true;
  };
}
