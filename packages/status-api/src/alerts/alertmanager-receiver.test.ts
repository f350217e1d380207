/** Alertmanager's alerts onto our create input: name, severity mapping, message, labels. */
import { describe, expect, it } from 'vitest';
import { alertmanagerInput, ingestAlertmanager, mapSeverity } from './alertmanager-receiver.ts';
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

  it('raises firing alerts and resolves resolved ones by fingerprint', async () => {
    const raised: string[] = [];
    const resolvedFps: string[] = [];
    const result = await ingestAlertmanager(
      {
        version: '4',
        alerts: [
          { status: 'firing', labels: { alertname: 'A', job: 'j' } },
          { status: 'resolved', labels: { alertname: 'B', job: 'j' } },
          { status: 'resolved', labels: { alertname: 'C' } },
        ],
      },
      {
        raise: async (input) => raised.push(input.name),
        resolveOpen: async (fp) => {
          resolvedFps.push(fp);
          return fp === fingerprint('B', { job: 'j' });
        },
      },
    );
    expect(raised).toEqual(['A']);
    expect(resolvedFps).toEqual([fingerprint('B', { job: 'j' }), fingerprint('C', {})]);
    expect(result).toEqual({ firing: 1, resolved: 1 });
  });
});
