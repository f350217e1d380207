/**
 * The Alertmanager webhook receiver (payload version 4): firing alerts are raised (a repeat counts
 * an occurrence), resolved ones resolve the open alert with the same fingerprint. A payload is a
 * whole group: it is checked entirely before anything is written (each alert held to the limits
 * of a create), then applied in one transaction — all of it or none of it.
 */
import { AlertError, invalidField } from './errors.ts';
import { fingerprint } from './fingerprint.ts';
import { type CreateAlertInput, type Labels, SEVERITIES, type Severity } from './types.ts';
import { validateInput } from './validate.ts';

/** The most alerts one payload may carry (the route's schema says the same). */
export const MAX_WEBHOOK_ALERTS = 1000;

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
    message: [annotations.summary, annotations.description].find((t) => t?.trim()) ?? alertname,
    source: 'prometheus',
    labels,
    annotations,
  };
}

/** One alert of a checked payload. */
export type AlertmanagerItem =
  | { status: 'firing'; input: Required<CreateAlertInput> }
  | { status: 'resolved'; fingerprint: string };

/** Where a create field of alert `i` came from in Alertmanager's payload. */
function payloadField(i: number, field: string | undefined): string {
  if (field === 'name') return `alerts[${i}].labels.alertname`;
  if (field === 'message') return `alerts[${i}].annotations.summary`;
  return `alerts[${i}]${field ? `.${field}` : ''}`;
}

/** Checks and maps the whole payload; nothing is written. Errors name `version` or `alerts[i].…`. */
export function alertmanagerBatch(payload: AlertmanagerWebhookPayload): AlertmanagerItem[] {
  if (payload.version !== '4') throw invalidField('version', 'must be "4" (Alertmanager webhook version 4)');
  if (!Array.isArray(payload.alerts)) throw invalidField('alerts', 'must be a list');
  if (payload.alerts.length > MAX_WEBHOOK_ALERTS)
    throw invalidField('alerts', `at most ${MAX_WEBHOOK_ALERTS} alerts per payload`);
  return payload.alerts.map((a, i): AlertmanagerItem => {
    let input: Required<CreateAlertInput>;
    try {
      input = validateInput(alertmanagerInput(a, i));
    } catch (err) {
      if (err instanceof AlertError && !err.field?.startsWith('alerts['))
        throw invalidField(payloadField(i, err.field), err.detail);
      throw err;
    }
    return a.status === 'resolved'
      ? { status: 'resolved', fingerprint: fingerprint(input.name, input.labels) }
      : { status: 'firing', input };
  });
}

/** A firing alert once prepared (checked and matched, outside any transaction). */
export type PreparedItem<P> = { status: 'firing'; prepared: P } | { status: 'resolved'; fingerprint: string };

export interface ReceiverActions<P> {
  /** Matches one firing alert before the batch's transaction opens. */
  prepare(input: Required<CreateAlertInput>): Promise<P>;
  /** Applies every item in one transaction; counts the alerts raised and resolved. */
  commit(items: PreparedItem<P>[]): Promise<{ firing: number; resolved: number }>;
}

export async function ingestAlertmanager<P>(
  payload: AlertmanagerWebhookPayload,
  actions: ReceiverActions<P>,
): Promise<{ firing: number; resolved: number }> {
  const items: PreparedItem<P>[] = [];
  for (const item of alertmanagerBatch(payload)) {
    items.push(
      item.status === 'firing' ? { status: 'firing', prepared: await actions.prepare(item.input) } : item,
    );
  }
  return actions.commit(items);
}
