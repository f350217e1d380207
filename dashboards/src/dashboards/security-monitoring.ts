import { counter, external, histogram } from '../metrics.ts';
import {
  barGauge,
  type DashboardMeta,
  finish,
  newDashboard,
  row,
  stat,
  table,
  timeseries,
} from '../panels.ts';
import { quantile, re, SERVICE_LABEL, sumIncrease, sumRate } from '../promql.ts';

export const meta: DashboardMeta = {
  name: 'security_monitoring',
  title: 'authlens / Security Monitoring',
  description:
    'Is someone attacking sign-in: failed authentications, brute-force and credential-stuffing detections, lockouts and risk scores.',
  tags: ['security'],
};

const failures = counter('security.auth.failures');
const events = counter('security.events');
const eventType = events.label('security.event.type');
const severity = events.label('security.severity');
const risk = histogram('security.risk_score');
const lockouts = counter('security.account_lockouts');

export function build() {
  return finish(
    newDashboard(meta)
      .withRow(row('Threats'))
      .withPanel(
        stat({
          title: 'Critical and high events',
          description: 'Security events of severity critical or high in the time range.',
          unit: 'short',
          thresholds: [
            [null, 'green'],
            [1, 'red'],
          ],
          targets: [{ expr: sumIncrease(events.name, [], { match: [re(severity, 'critical|high')] }) }],
        }),
      )
      .withPanel(
        stat({
          title: 'Brute-force detections',
          description: 'Brute-force detections (per account or per client IP) in the time range.',
          unit: 'short',
          thresholds: [
            [null, 'green'],
            [1, 'red'],
          ],
          targets: [{ expr: sumIncrease(events.name, [], { match: [re(eventType, 'brute_force')] }) }],
        }),
      )
      .withPanel(
        stat({
          title: 'Credential-stuffing detections',
          description: 'Credential-stuffing detections in the time range.',
          unit: 'short',
          thresholds: [
            [null, 'green'],
            [1, 'red'],
          ],
          targets: [
            { expr: sumIncrease(events.name, [], { match: [re(eventType, 'credential_stuffing')] }) },
          ],
        }),
      )
      .withPanel(
        stat({
          title: 'Account lockouts',
          description: 'Accounts locked in the time range.',
          unit: 'short',
          thresholds: [
            [null, 'green'],
            [10, 'orange'],
          ],
          targets: [{ expr: sumIncrease(lockouts.name) }],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Security events by type',
          description: 'Detections per second by type (brute force, credential stuffing, token reuse, …).',
          unit: 'ops',
          stack: true,
          targets: [{ expr: sumRate(events.name, [eventType]), legend: `{{${eventType}}}` }],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Security events by severity',
          description: 'Detections per second by severity.',
          unit: 'ops',
          stack: true,
          targets: [{ expr: sumRate(events.name, [severity]), legend: `{{${severity}}}` }],
        }),
      )
      .withRow(row('Failed authentication'))
      .withPanel(
        timeseries({
          title: 'Failed authentications by reason',
          description:
            'Failed authentications per second: a jump in unknown_user suggests credential stuffing.',
          unit: 'ops',
          stack: true,
          targets: [
            {
              expr: sumRate(failures.name, [failures.label('auth.failure_reason')]),
              legend: `{{${failures.label('auth.failure_reason')}}}`,
            },
          ],
        }),
      )
      .withPanel(
        barGauge({
          title: 'Failed authentications by method',
          description: 'Failed authentications in the time range per sign-in method.',
          unit: 'short',
          targets: [
            {
              expr: sumIncrease(failures.name, [failures.label('auth.method')]),
              legend: `{{${failures.label('auth.method')}}}`,
              instant: true,
            },
          ],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Risk score percentiles',
          description: 'Median and 90th percentile risk score (0–1) of authentication attempts.',
          unit: 'percentunit',
          min: 0,
          max: 1,
          thresholds: [
            [null, 'green'],
            [0.7, 'red'],
          ],
          targets: [
            { expr: quantile(0.5, risk), legend: 'p50' },
            { expr: quantile(0.9, risk), legend: 'p90' },
          ],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Account lockouts by reason',
          description: 'Lockouts per second by reason.',
          unit: 'ops',
          targets: [
            {
              expr: sumRate(lockouts.name, [lockouts.label('security.lockout.reason')]),
              legend: `{{${lockouts.label('security.lockout.reason')}}}`,
            },
          ],
        }),
      )
      .withPanel(
        table({
          title: 'Firing security alerts',
          description: 'Security alerts Prometheus is firing right now.',
          unit: 'short',
          w: 24,
          targets: [
            {
              expr: `${external('ALERTS')}{alertstate="firing", category="security", ${SERVICE_LABEL}=~"$service"}`,
              legend: '{{alertname}}',
              instant: true,
            },
          ],
        }),
      ),
  );
}
