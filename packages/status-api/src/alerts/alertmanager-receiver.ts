/**
 * The Alertmanager webhook receiver (payload version 4): firing alerts are raised (a repeat counts
 * an occurrence), resolved ones resolve the open alert with the same fingerprint.
 */
import { invalidField } from './errors.ts';
import { fingerprint } from './fingerprint.ts';
import { type CreateAlertInput, type Labels, SEVERITIES, type Severity } from './types.ts';

/** An Alertmanager webhook (version 4) payload. */
export interface AlertmanagerWebhookPayload {
  version?: string;
  status?: string;
  receiver?: string;
  groupKey?: string;
  alerts: Array<{
    status: 'firing' | 'resolved' | string;
    labels: Labels;
    annotations?: Labels;
    startsAt?: string;
    endsAt?: string;
    generatorURL?: string;
    fingerprint?: string;
  }>;
}

/** Prometheus severities (and the usual synonyms) onto ours; unknown → medium. */
export function mapSeverity(value: string | undefined): Severity {
  const v = (value ?? '').toLowerCase();
  if ((SEVERITIES as readonly string[]).includes(v)) return v as Severity;
  if (v === 'page' || v === 'fatal' || v === 'emergency') return 'critical';
  if (v === 'error' || v === 'major') return 'high';
  if (v === 'warning' || v === 'warn' || v === 'minor') return 'medium';
  if (v === 'notice') return 'low';
  return 'medium';
}

/** One Alertmanager alert as our create input (`alertname` and `severity` leave the labels). */
export function alertmanagerInput(
  a: AlertmanagerWebhookPayload['alerts'][number],
  index: number,
): CreateAlertInput {
  const { alertname, severity, ...labels } = a.labels;
  if (!alertname) throw invalidField(`alerts[${index}].labels.alertname`, 'is required');
  const annotations = { ...(a.annotations ?? {}) };
  if (a.generatorURL) annotations.generatorURL = a.generatorURL;
  return {
    name: alertname,
    severity: mapSeverity(severity),
    message: annotations.summary ?? annotations.description ?? alertname,
    source: 'prometheus',
    labels,
    annotations,
  };
}

export interface ReceiverActions {
  raise(input: CreateAlertInput): Promise<unknown>;
  /** Resolves the open alert with this fingerprint; false when there is none. */
  resolveOpen(fingerprint: string): Promise<boolean>;
}

export async function ingestAlertmanager(
  payload: AlertmanagerWebhookPayload,
  actions: ReceiverActions,
): Promise<{ firing: number; resolved: number }> {
  let firing = 0;
  let resolved = 0;
  for (const [i, a] of payload.alerts.entries()) {
    const input = alertmanagerInput(a, i);
    if (a.status === 'resolved') {
      if (await actions.resolveOpen(fingerprint(input.name, input.labels ?? {}))) resolved++;
    } else {
      await actions.raise(input);
      firing++;
    }
  }
  return { firing, resolved };
}
