/**
 * The alert records the store keeps (alerts, deliveries, silences) and their enumerations. They live
 * here so the store depends on nothing in `alerts/`; `alerts/types.ts` re-exports them.
 */

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ALERT_STATUSES = ['firing', 'acknowledged', 'resolved', 'suppressed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export const CHANNEL_TYPES = ['email', 'slack', 'pagerduty', 'webhook'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** Why a notification is sent: first trigger, a repeat after the repeat interval, an escalation level, or a state change. */
export type NotificationEvent = 'trigger' | 'repeat' | 'escalate' | 'acknowledge' | 'resolve';
export type DeliveryState = 'pending' | 'sending' | 'sent' | 'failed';
export type AttemptOutcome = 'success' | 'failure' | 'retry';

export type Labels = Record<string, string>;

export interface Alert {
  id: string;
  /** Stable hash of name + labels; at most one open (not resolved) alert per fingerprint. */
  fingerprint: string;
  name: string;
  severity: Severity;
  message: string;
  source: string;
  labels: Labels;
  annotations: Labels;
  status: AlertStatus;
  /** `silence:<id>`, `inhibited:<alert id>` or `maintenance:<name>` while suppressed. */
  suppressedReason: string | null;
  occurrences: number;
  createdAt: Date;
  updatedAt: Date;
  lastSeenAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  escalationLevel: number;
  nextEscalationAt: Date | null;
  lastNotifiedAt: Date | null;
}

export interface DeliveryAttempt {
  attempt: number;
  at: Date;
  outcome: AttemptOutcome;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface Delivery {
  id: number;
  alertId: string;
  channel: string;
  channelType: ChannelType;
  event: NotificationEvent;
  escalationLevel: number;
  idempotencyKey: string;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** The alert as it was at the event (JSON), when the row was queued with one. */
  payload?: string;
}

export interface DeliveryWithHistory extends Delivery {
  history: DeliveryAttempt[];
}

export interface Silence {
  id: string;
  /** Alertmanager-style matchers: `label=value`, `label!=value`, `label=~regex`, `label!~regex`. */
  matchers: string[];
  startsAt: Date;
  endsAt: Date;
  createdBy: string;
  comment: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface AlertFilter {
  status?: AlertStatus[];
  severity?: Severity[];
  name?: string;
  source?: string;
  fingerprint?: string;
  /** Equality on labels. */
  labels?: Labels;
  createdAfter?: Date;
  createdBefore?: Date;
  /** Alerts with at least one notification in this state (e.g. `failed`). */
  deliveryState?: DeliveryState;
  limit?: number;
  offset?: number;
}

export interface AlertPage {
  items: Alert[];
  total: number;
  limit: number;
  offset: number;
}
