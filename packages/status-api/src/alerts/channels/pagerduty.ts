/**
 * PagerDuty Events API v2: trigger (also for repeats and escalations), acknowledge and resolve,
 * all with one stable `dedup_key` per alert so PagerDuty folds them into one incident.
 */
import type { PagerDutyChannelConfig } from '../routing.ts';
import type { Severity } from '../types.ts';
import { postJson } from './http.ts';
import type { Channel, Notification } from './types.ts';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

const PD_SEVERITY: Record<Severity, 'critical' | 'error' | 'warning' | 'info'> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
  info: 'info',
};

export const pagerDutyDedupKey = (alertId: string) => `authlens-${alertId}`;

export function pagerDutyEvent(routingKey: string, n: Notification) {
  const a = n.alert;
  const dedup_key = pagerDutyDedupKey(a.id);
  if (n.event === 'acknowledge' || n.event === 'resolve') {
    return { routing_key: routingKey, event_action: n.event, dedup_key };
  }
  return {
    routing_key: routingKey,
    event_action: 'trigger' as const,
    dedup_key,
    payload: {
      summary: `${a.name}: ${a.message}`.slice(0, 1024),
      source: a.source,
      severity: PD_SEVERITY[a.severity],
      timestamp: a.createdAt.toISOString(),
      class: a.name,
      custom_details: {
        alert_id: a.id,
        fingerprint: a.fingerprint,
        occurrences: a.occurrences,
        escalation_level: n.escalationLevel,
        labels: a.labels,
        annotations: a.annotations,
      },
    },
    client: 'authlens',
  };
}

export function pagerDutyChannel(config: PagerDutyChannelConfig): Channel {
  const url = config.eventsUrl ?? PAGERDUTY_EVENTS_URL;
  return {
    name: config.name,
    type: 'pagerduty',
    send: (n, timeoutMs) =>
      postJson(url, JSON.stringify(pagerDutyEvent(config.routingKey, n)), {}, timeoutMs),
    close: async () => {},
  };
}
