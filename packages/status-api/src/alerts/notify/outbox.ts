/**
 * The outbox: notifications are rows (`alert_deliveries`) written in the same transaction as the
 * state change that causes them, each with an idempotency key `<alert id>:<event part>:<channel>`
 * so a retried transaction or a second replica never queues one twice. Workers send them later.
 * Each row carries a snapshot of the alert as the event left it (pass the alert after the change).
 */
import type { AlertRepo, NewDelivery } from '../../store/index.ts';
import type { Channel } from '../channels/types.ts';
import type { RoutePlan } from '../routing.ts';
import type { Alert, NotificationEvent } from '../types.ts';
import { alertSnapshot } from './snapshot.ts';

export interface Outbox {
  /** Whether any of these channels is configured (a notification would be queued). */
  routable(channelNames: readonly string[]): boolean;
  /** Delivery rows of `event` for the configured channels among `channelNames`. */
  rows(
    alert: Alert,
    channelNames: readonly string[],
    event: NotificationEvent,
    keyPart: string,
    level: number,
    now: number,
  ): NewDelivery[];
  /**
   * First notification of an alert (new, or no longer suppressed): queues its trigger, starts its
   * escalation timer and marks it firing. `queued` says whether a delivery row was new.
   */
  fire(
    repo: AlertRepo,
    alert: Alert,
    /** The alert's route, found before the transaction (no matcher runs inside one). */
    plan: RoutePlan,
    now: number,
    keyPart?: string,
  ): Promise<{ alert: Alert; queued: boolean }>;
}

export function outbox(channels: ReadonlyMap<string, Channel>): Outbox {
  const rows: Outbox['rows'] = (alert, channelNames, event, keyPart, level, now) => {
    let json: string | undefined;
    const snapshot = () => (json ??= alertSnapshot(alert));
    return channelNames.flatMap((name) => {
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
          payload: snapshot(),
        },
      ];
    });
  };
  return {
    routable: (names) => names.some((n) => channels.has(n)),
    rows,
    async fire(repo, alert, plan, now, keyPart = 'trigger') {
      const first = plan.escalation[0];
      const updated =
        (await repo.updateAlert(alert.id, {
          status: 'firing',
          suppressedReason: null,
          lastNotifiedAt: channels.size && plan.channels.some((n) => channels.has(n)) ? now : null,
          nextEscalationAt: first ? now + first.afterMs : null,
          escalationLevel: 0,
          suppressionCheckAt: null,
          updatedAt: now,
        })) ?? alert;
      // Queued after the change, so each notification carries the alert as its event left it.
      const queued =
        (await repo.enqueueDeliveries(rows(updated, plan.channels, 'trigger', keyPart, 0, now), now)) > 0;
      return { alert: updated, queued };
    },
  };
}
