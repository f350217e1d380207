/** The alert manager's domain types: the stored records (from the store) plus the create input. */
import type { Alert, Labels, Severity } from '../store/types.ts';

export {
  ALERT_STATUSES,
  type Alert,
  type AlertFilter,
  type AlertPage,
  type AlertStatus,
  type AttemptOutcome,
  CHANNEL_TYPES,
  type ChannelType,
  type Delivery,
  type DeliveryAttempt,
  type DeliveryState,
  type DeliveryWithHistory,
  type Labels,
  type NotificationEvent,
  SEVERITIES,
  type Severity,
  type Silence,
} from '../store/types.ts';

/** What `createAlert()` takes: name, severity, message, and optionally source, labels and annotations. */
export interface CreateAlertInput {
  name: string;
  severity: Severity;
  message: string;
  source?: string;
  labels?: Labels;
  annotations?: Labels;
}

export interface CreateAlertResult {
  alert: Alert;
  /** False when an open alert with the same fingerprint existed (its occurrence count went up). */
  created: boolean;
}
