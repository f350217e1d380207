/**
 * Notification snapshots: the alert as it was when the notification's event happened, stored
 * with the outbox row, so a late or repeated send (after a retry, or after another replica took
 * the lease of one that died) still describes its event, not the alert's state at send time.
 */
import type { Alert } from '../types.ts';

const DATE_FIELDS = [
  'createdAt',
  'updatedAt',
  'lastSeenAt',
  'acknowledgedAt',
  'resolvedAt',
  'nextEscalationAt',
  'lastNotifiedAt',
] as const;

export const alertSnapshot = (alert: Alert): string => JSON.stringify(alert);

export function alertFromSnapshot(text: string): Alert {
  const raw = JSON.parse(text) as Record<string, unknown>;
  for (const field of DATE_FIELDS) {
    const v = raw[field];
    raw[field] = typeof v === 'string' ? new Date(v) : null;
  }
  return raw as unknown as Alert;
}
