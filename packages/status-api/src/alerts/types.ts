/** The alert manager's domain types: the stored records (from the store) plus the create input. */
import type { Alert, Labels, Severity } from '../store/types.ts';

export * from '../store/types.ts';

/** The brief's `create_alert(name, severity, message, source, labels, annotations)`. */
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
