import { counter, gauge, histogram } from '../metrics.ts';
import { barGauge, type DashboardMeta, finish, newDashboard, row, stat, timeseries } from '../panels.ts';
import { eq, quantile, ratio, sel, sumIncrease, sumRate } from '../promql.ts';

export const meta: DashboardMeta = {
  name: 'compliance',
  title: 'authlens / Compliance',
  description:
    'Are we meeting GDPR and CCPA duties: data-subject requests and their deadlines, consent changes, retention purges, the oldest record kept and audit events.',
  tags: ['compliance', 'gdpr'],
};

const dsr = counter('compliance.dsr.requests');
const regulation = dsr.label('compliance.regulation');
const reqType = dsr.label('compliance.request.type');
const reqStatus = dsr.label('compliance.request.status');
const completion = histogram('compliance.dsr.completion_time');
const open = gauge('compliance.dsr.open');
const overdue = gauge('compliance.dsr.overdue');
const consent = counter('compliance.consent.changes');
const purged = counter('compliance.retention.purged');
const oldestRecord = gauge('compliance.retention.oldest_record_age');
const dataCategory = oldestRecord.label('compliance.data.category');
const audit = counter('compliance.audit.events');

const DAY = 86_400;

export function build() {
  return finish(
    newDashboard(meta)
      .withRow(row('Data-subject requests'))
      .withPanel(
        stat({
          title: 'Overdue requests',
          description: 'Requests past their legal deadline (GDPR 30 days, CCPA 45 days). Must be 0.',
          unit: 'short',
          thresholds: [
            [null, 'green'],
            [1, 'red'],
          ],
          targets: [
            { expr: `sum (max by (${overdue.label('compliance.regulation')}) (${sel(overdue.name)}))` },
          ],
        }),
      )
      .withPanel(
        stat({
          title: 'Open requests',
          description: 'Requests received and not yet completed or rejected.',
          unit: 'short',
          targets: [
            {
              expr: `sum (max by (${open.label('compliance.regulation')}, ${open.label('compliance.request.type')}) (${sel(open.name)}))`,
            },
          ],
        }),
      )
      .withPanel(
        stat({
          title: 'Received in range',
          description: 'Data-subject requests received in the selected time range.',
          unit: 'short',
          targets: [{ expr: sumIncrease(dsr.name, [], { match: [eq(reqStatus, 'received')] }) }],
        }),
      )
      .withPanel(
        stat({
          title: 'p95 completion time',
          description: 'Time from receipt to completion, 95th percentile (GDPR deadline: 30 days).',
          unit: 's',
          thresholds: [
            [null, 'green'],
            [20 * DAY, 'orange'],
            [30 * DAY, 'red'],
          ],
          targets: [{ expr: quantile(0.95, completion, [], { range: '$__range' }) }],
        }),
      )
      .withPanel(
        barGauge({
          title: 'Requests by regulation and type',
          description: 'Requests received in the range: access, erasure, portability, rectification.',
          unit: 'short',
          targets: [
            {
              expr: sumIncrease(dsr.name, [regulation, reqType], { match: [eq(reqStatus, 'received')] }),
              legend: `{{${regulation}}} {{${reqType}}}`,
              instant: true,
            },
          ],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Request status changes',
          description: 'Requests moving to received, in progress, completed or rejected, per second.',
          unit: 'ops',
          targets: [
            {
              expr: sumRate(dsr.name, [regulation, reqStatus]),
              legend: `{{${regulation}}} {{${reqStatus}}}`,
            },
          ],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Open requests by regulation',
          description: 'Open requests over time by regulation and type.',
          unit: 'short',
          targets: [
            {
              expr: `max by (${open.label('compliance.regulation')}, ${open.label('compliance.request.type')}) (${sel(open.name)})`,
              legend: `{{${open.label('compliance.regulation')}}} {{${open.label('compliance.request.type')}}}`,
            },
          ],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Completion time by type (p95)',
          description: 'How long each kind of request takes to complete.',
          unit: 's',
          targets: [
            {
              expr: quantile(0.95, completion, [
                completion.label('compliance.regulation'),
                completion.label('compliance.request.type'),
              ]),
              legend: `{{${completion.label('compliance.regulation')}}} {{${completion.label('compliance.request.type')}}}`,
            },
          ],
        }),
      )
      .withRow(row('Consent, retention and audit'))
      .withPanel(
        timeseries({
          title: 'Consent granted and withdrawn',
          description: 'Consent changes per second by purpose.',
          unit: 'ops',
          w: 8,
          targets: [
            {
              expr: sumRate(consent.name, [
                consent.label('compliance.consent.purpose'),
                consent.label('compliance.consent.action'),
              ]),
              legend: `{{${consent.label('compliance.consent.purpose')}}} {{${consent.label('compliance.consent.action')}}}`,
            },
          ],
        }),
      )
      .withPanel(
        barGauge({
          title: 'Records purged by retention',
          description: 'Records deleted by retention jobs in the range, by data category.',
          unit: 'short',
          w: 8,
          targets: [
            {
              expr: sumIncrease(purged.name, [purged.label('compliance.data.category')]),
              legend: `{{${purged.label('compliance.data.category')}}}`,
              instant: true,
            },
          ],
        }),
      )
      .withPanel(
        barGauge({
          title: 'Oldest record age by category',
          description:
            'Age of the oldest record still kept, by data category, as the application last reported it (the largest across instances). Compare with the retention policy: a purge can run and still leave old records.',
          unit: 's',
          w: 8,
          targets: [
            {
              expr: `max by (${dataCategory}) (${sel(oldestRecord.name)})`,
              legend: `{{${dataCategory}}}`,
              instant: true,
            },
          ],
        }),
      )
      .withPanel(
        stat({
          title: 'Audit failure ratio',
          description: 'Share of audited actions that failed over the range.',
          unit: 'percentunit',
          w: 8,
          h: 8,
          thresholds: [
            [null, 'green'],
            [0.05, 'orange'],
          ],
          targets: [
            {
              expr: ratio(
                `(${sumIncrease(audit.name, [], { match: [eq(audit.label('audit.outcome'), 'failure')] })} or vector(0))`,
                sumIncrease(audit.name),
              ),
            },
          ],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Audit events by category',
          description: 'Audit trail events per second by category and outcome.',
          unit: 'ops',
          w: 16,
          stack: true,
          targets: [
            {
              expr: sumRate(audit.name, [audit.label('audit.category'), audit.label('audit.outcome')]),
              legend: `{{${audit.label('audit.category')}}} {{${audit.label('audit.outcome')}}}`,
            },
          ],
        }),
      ),
  );
}
