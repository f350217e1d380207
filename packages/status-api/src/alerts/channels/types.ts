import type { Alert, ChannelType, NotificationEvent } from '../types.ts';

export interface Notification {
  event: NotificationEvent;
  alert: Alert;
  /** Stable across retries of one delivery: receivers deduplicate on it. */
  idempotencyKey: string;
  escalationLevel: number;
}

export interface SendResult {
  ok: boolean;
  /** False for answers that will not change on retry (4xx other than 408/429, SMTP 5xx). */
  retryable: boolean;
  statusCode: number | null;
  /** From a 429/503 `Retry-After`. */
  retryAfterMs?: number;
  /** Never contains a URL, key or other secret. */
  error?: string;
}

export interface Channel {
  readonly name: string;
  readonly type: ChannelType;
  send(notification: Notification, timeoutMs: number): Promise<SendResult>;
  /**
   * Rate-limited channels: at most one send per `minIntervalMs`. The manager keeps the next send
   * slot in the store, so the pace holds across replicas; a 429's `Retry-After` pushes it back.
   */
  readonly minIntervalMs?: number;
  close(): Promise<void>;
}

export const EVENT_TITLES: Record<NotificationEvent, string> = {
  trigger: 'Firing',
  repeat: 'Still firing',
  escalate: 'Escalated',
  acknowledge: 'Acknowledged',
  resolve: 'Resolved',
};

export function eventTitle(n: Notification): string {
  if (n.event === 'escalate') return `Escalated (level ${n.escalationLevel})`;
  if (n.event === 'acknowledge' && n.alert.acknowledgedBy) return `Acknowledged by ${n.alert.acknowledgedBy}`;
  return EVENT_TITLES[n.event];
}
