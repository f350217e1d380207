/** Alertmanager's alerts onto our create input: name, severity mapping, message, labels. */
import { describe, expect, it } from 'vitest';
import {
  type AlertmanagerWebhookPayload,
  alertmanagerInput,
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

  it('checks the whole payload first, then commits firing and resolved alerts together', async () => {
    const prepared: string[] = [];
    let committed: unknown[] = [];
    const result = await ingestAlertmanager(
      {
        version: '4',
        alerts: [
          { status: 'firing', labels: { alertname: 'A', job: 'j' } },
          { status: 'resolved', labels: { alertname: 'B', job: 'j' } },
        ],
      },
      {
        prepare: async (input) => {
          prepared.push(input.name);
          return input.name;
        },
        commit: async (items) => {
          committed = items;
          return { firing: 1, resolved: 1 };
        },
      },
    );
    expect(prepared).toEqual(['A']);
    expect(committed).toEqual([
      { status: 'firing', prepared: 'A' },
      { status: 'resolved', fingerprint: fingerprint('B', { job: 'j' }) },
    ]);
    expect(result).toEqual({ firing: 1, resolved: 1 });
  });

  it('refuses a bad payload before preparing anything, naming the field in the payload', async () => {
    const fieldOf = async (payload: unknown) => {
      let prepared = 0;
      try {
        await ingestAlertmanager(payload as AlertmanagerWebhookPayload, {
          prepare: async () => prepared++,
          commit: async () => ({ firing: 0, resolved: 0 }),
        });
      } catch (err) {
        expect(prepared).toBe(0);
        return (err as AlertError).field;
      }
      throw new Error('accepted');
    };
    const ok = { status: 'firing', labels: { alertname: 'A' } };
    expect(await fieldOf({ version: '3', alerts: [ok] })).toBe('version');
    expect(await fieldOf({ alerts: [ok] })).toBe('version');
    expect(await fieldOf({ version: '4', alerts: [ok, { status: 'firing', labels: { job: 'x' } }] })).toBe(
      'alerts[1].labels.alertname',
    );
    expect(
      await fieldOf({ version: '4', alerts: [ok, { status: 'firing', labels: { alertname: '9bad' } }] }),
    ).toBe('alerts[1].labels.alertname');
    expect(
      await fieldOf({
        version: '4',
        alerts: [ok, { status: 'firing', labels: { alertname: 'A', 'bad key': 'v' } }],
      }),
    ).toBe('alerts[1].labels.bad key');
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`l${i}`, 'v']));
    expect(
      await fieldOf({ version: '4', alerts: [{ status: 'firing', labels: { alertname: 'A', ...many } }] }),
    ).toBe('alerts[0].labels');
    expect(await fieldOf({ version: '4', alerts: Array.from({ length: 1001 }, () => ok) })).toBe('alerts');
  });

  it('takes the description, then the alert name, when the summary is blank', () => {
    const a = { status: 'firing', labels: { alertname: 'A' } };
    expect(alertmanagerInput({ ...a, annotations: { summary: ' ', description: 'd' } }, 0).message).toBe('d');
    expect(alertmanagerInput({ ...a, annotations: { summary: '' } }, 0).message).toBe('A');
  });
});
