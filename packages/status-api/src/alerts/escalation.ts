/**
 * Escalation: a firing alert that nobody acknowledges climbs its route's escalation steps, one
 * level per due timer, each level notifying that step's channels once. The route comes from
 * before the claiming transaction (`drainDue`); no matcher runs inside it.
 */
import type { Outbox } from './notify/outbox.ts';
import type { DueHandler } from './workers.ts';

/** Handles one alert whose escalation timer is due (claimed by the workers). */
export function escalationStep(outbox: Outbox): DueHandler {
  return async (repo, _view, alert, matched, now) => {
    if (alert.status !== 'firing') {
      await repo.updateAlert(alert.id, { nextEscalationAt: null, updatedAt: now });
      return true;
    }
    const steps = matched.plan.escalation;
    const level = alert.escalationLevel + 1;
    const step = steps[level - 1];
    if (!step) {
      await repo.updateAlert(alert.id, { nextEscalationAt: null, updatedAt: now });
      return true;
    }
    const nextStep = steps[level];
    const dueAt = alert.nextEscalationAt?.getTime() ?? now;
    const escalated = await repo.updateAlert(
      alert.id,
      {
        escalationLevel: level,
        nextEscalationAt: nextStep ? dueAt + (nextStep.afterMs - step.afterMs) : null,
        lastNotifiedAt: now,
        updatedAt: now,
      },
      ['firing'],
    );
    await repo.enqueueDeliveries(
      outbox.rows(escalated ?? alert, step.channels, 'escalate', `escalate:${level}`, level, now),
      now,
    );
    return true;
  };
}
