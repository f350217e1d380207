/**
 * The Alertmanager webhook receiver (payload version 4): firing alerts are raised (a repeat counts
 * an occurrence), resolved ones resolve the open alert with the same fingerprint; a payload is
 * applied all or nothing.
 */
import { AlertError, invalidField } from './errors.ts';
import { fingerprint } from './fingerprint.ts';
import type { IngestOp, IngestResult } from './ingest.ts';
import { type CreateAlertInput, type Labels, SEVERITIES, type Severity } from './types.ts';
import { validateInput } from './validate.ts';

/** The most alerts one payload may carry (the route's schema says the same). */
export const MAX_WEBHOOK_ALERTS = 1000;

/**
 * An Alertmanager webhook (version 4) payload: every field Alertmanager 0.25 sends. Only `version`
 * and `alerts` are used; a field a later version adds is accepted and ignored (see the route's schema).
 */
export interface AlertmanagerWebhookPayload {
  version?: string;
  groupKey?: string;
  /** How many alerts Alertmanager left out of this payload (`max_alerts`). */
  truncatedAlerts?: number;
  status?: string;
  receiver?: string;
  groupLabels?: Labels;
  commonLabels?: Labels;
  commonAnnotations?: Labels;
  externalURL?: string;
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
    message: [annotations.summary, annotations.description].find((t) => t?.trim()) ?? alertname,
    source: 'prometheus',
    labels,
    annotations,
  };
}

/** Where a create field of alert `i` came from in Alertmanager's payload. */
function payloadField(i: number, field: string): string {
  if (field === 'name') return `alerts[${i}].labels.alertname`;
  if (field === 'message') return `alerts[${i}].annotations.summary`;
  return `alerts[${i}].${field}`;
}

/**
 * The payload as ingest steps, validated whole before anything is written: a field error names
 * the alert (`alerts[3].labels.alertname`).
 */
export function alertmanagerOps(payload: AlertmanagerWebhookPayload): IngestOp[] {
  if (payload.version !== '4') throw invalidField('version', 'must be "4" (Alertmanager webhook version 4)');
  if (!Array.isArray(payload.alerts)) throw invalidField('alerts', 'must be a list');
  if (payload.alerts.length > MAX_WEBHOOK_ALERTS)
    throw invalidField('alerts', `at most ${MAX_WEBHOOK_ALERTS} alerts per payload`);
  return payload.alerts.map((a, i) => {
    let input: Required<CreateAlertInput>;
    try {
      input = validateInput(alertmanagerInput(a, i));
    } catch (err) {
      if (err instanceof AlertError && err.field && !err.field.startsWith('alerts['))
        throw invalidField(payloadField(i, err.field), err.detail);
      throw err;
    }
    return a.status === 'resolved'
      ? { kind: 'resolve', fingerprint: fingerprint(input.name, input.labels), by: 'alertmanager' }
      : { kind: 'raise', input };
  });
}

/**
 * Ingests a payload all or nothing: every alert is validated first, then all of them are applied
 * in one transaction (`apply`). Firing alerts are raised; resolved ones resolve the open alert
 * with the same fingerprint (none open: nothing to do).
 */
export async function ingestAlertmanager(
  payload: AlertmanagerWebhookPayload,
  apply: (ops: IngestOp[]) => Promise<IngestResult[]>,
): Promise<{ firing: number; resolved: number }> {
  const ops = alertmanagerOps(payload);
  const results = await apply(ops);
  let firing = 0;
  let resolved = 0;
  results.forEach((r) => {
    if ('created' in r) firing++;
    else if (r.resolved) resolved++;
  });
  return { firing, resolved };
}
