/** Alertmanager's alerts onto our create input: name, severity mapping, message, labels. */
import { describe, expect, it } from 'vitest';
import {
  type AlertmanagerWebhookPayload,
  alertmanagerInput,
  alertmanagerOps,
  ingestAlertmanager,
  mapSeverity,
} from './alertmanager-receiver.ts';
import { AlertError } from './errors.ts';
import { fingerprint } from './fingerprint.ts';

describe('alertmanager receiver', () => {
  it('maps Prometheus severities and synonyms', () => {
    expect(mapSeverity('critical')).toBe('critical');
    expect(mapSeverity('PAGE')).toBe('critical');
    expect(mapSeverity('error')).toBe('high');
    expect(mapSeverity('warning')).toBe('medium');
    expect(mapSeverity('notice')).toBe('low');
    expect(mapSeverity(undefined)).toBe('medium');
    expect(mapSeverity('whatever')).toBe('medium');
  });

  it('takes alertname and severity out of the labels and the summary as message', () => {
    const input = alertmanagerInput(
      {
        status: 'firing',
        labels: { alertname: 'HighErrorRate', severity: 'warning', job: 'auth' },
        annotations: { summary: 'errors above 5%' },
        generatorURL: 'http://prom/graph',
      },
      0,
    );
    expect(input).toEqual({
      name: 'HighErrorRate',
      severity: 'medium',
      message: 'errors above 5%',
      source: 'prometheus',
      labels: { job: 'auth' },
      annotations: { summary: 'errors above 5%', generatorURL: 'http://prom/graph' },
    });
  });

  it('names the alert that lacks alertname', () => {
    try {
      alertmanagerInput({ status: 'firing', labels: { job: 'x' } }, 3);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AlertError);
      expect((err as AlertError).field).toBe('alerts[3].labels.alertname');
    }
  });

  it('turns firing alerts into raises and resolved ones into resolves by fingerprint', () => {
    const ops = alertmanagerOps({
      version: '4',
      alerts: [
        { status: 'firing', labels: { alertname: 'A', job: 'j' } },
        { status: 'resolved', labels: { alertname: 'B', job: 'j' } },
      ],
    });
    expect(ops.map((op) => op.kind)).toEqual(['raise', 'resolve']);
    expect(ops[1]).toEqual({
      kind: 'resolve',
      fingerprint: fingerprint('B', { job: 'j' }),
      by: 'alertmanager',
    });
  });

  it('validates the whole payload before applying anything, naming the alert', async () => {
    let applied = 0;
    const payload: AlertmanagerWebhookPayload = {
      version: '4',
      alerts: [
        { status: 'firing', labels: { alertname: 'Good' } },
        { status: 'firing', labels: { alertname: 'Bad', 'bad label': 'x' } },
      ],
    };
    await expect(
      ingestAlertmanager(payload, async (ops) => {
        applied += ops.length;
        return [];
      }),
    ).rejects.toMatchObject({ field: 'alerts[1].labels.bad label' });
    expect(applied).toBe(0);
  });

  it('refuses a payload of another version, too many alerts, or over the create limits, naming the field', () => {
    const fieldOf = (payload: unknown) => {
      try {
        alertmanagerOps(payload as AlertmanagerWebhookPayload);
      } catch (err) {
        return (err as AlertError).field;
      }
      return 'accepted';
    };
    const ok = { status: 'firing', labels: { alertname: 'A' } };
    expect(fieldOf({ version: '3', alerts: [ok] })).toBe('version');
    expect(fieldOf({ alerts: [ok] })).toBe('version');
    expect(fieldOf({ version: '4', alerts: Array.from({ length: 1001 }, () => ok) })).toBe('alerts');
    expect(fieldOf({ version: '4', alerts: [ok, { status: 'firing', labels: { alertname: '9bad' } }] })).toBe(
      'alerts[1].labels.alertname',
    );
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`l${i}`, 'v']));
    expect(
      fieldOf({ version: '4', alerts: [{ status: 'firing', labels: { alertname: 'A', ...many } }] }),
    ).toBe('alerts[0].labels');
    expect(
      fieldOf({
        version: '4',
        alerts: [{ status: 'firing', labels: { alertname: 'A', v: 'x'.repeat(4001) } }],
      }),
    ).toBe('alerts[0].labels.v');
    expect(fieldOf({ version: '4', alerts: [ok] })).toBe('accepted');
  });

  it('takes the description, then the alert name, when the summary is blank', () => {
    const a = { status: 'firing', labels: { alertname: 'A' } };
    expect(alertmanagerInput({ ...a, annotations: { summary: ' ', description: 'd' } }, 0).message).toBe('d');
    expect(alertmanagerInput({ ...a, annotations: { summary: '' } }, 0).message).toBe('A');
  });
});
