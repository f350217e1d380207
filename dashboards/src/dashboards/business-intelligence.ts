import { counter, gauge } from '../metrics.ts';
import { barGauge, type DashboardMeta, finish, newDashboard, row, stat, timeseries } from '../panels.ts';
import { eq, ratio, sel, sumIncrease, sumRate } from '../promql.ts';

export const meta: DashboardMeta = {
  name: 'business_intelligence',
  title: 'authlens / Business Intelligence',
  description:
    'Is the user base growing and engaged: registrations, active users, feature adoption and funnels.',
  tags: ['business'],
};

const registrations = counter('business.registrations');
const features = counter('business.feature_usage');
const funnel = counter('business.funnel.steps');
const active = gauge('business.active_users');
const period = active.label('business.period');

const activeUsers = (p: string) => `max (${sel(active.name, { match: [eq(period, p)] })})`;

export function build() {
  return finish(
    newDashboard(meta)
      .withRow(row('Users'))
      .withPanel(
        stat({
          title: 'Daily active users',
          description: 'Distinct users active today (HyperLogLog estimate).',
          unit: 'short',
          targets: [{ expr: activeUsers('daily') }],
        }),
      )
      .withPanel(
        stat({
          title: 'Monthly active users',
          description: 'Distinct users active this month (HyperLogLog estimate).',
          unit: 'short',
          targets: [{ expr: activeUsers('monthly') }],
        }),
      )
      .withPanel(
        stat({
          title: 'Stickiness (DAU / MAU)',
          description: 'Share of the monthly users who came back today.',
          unit: 'percentunit',
          thresholds: [
            [null, 'orange'],
            [0.2, 'green'],
          ],
          targets: [{ expr: ratio(activeUsers('daily'), activeUsers('monthly')) }],
        }),
      )
      .withPanel(
        stat({
          title: 'Registrations in range',
          description: 'New accounts registered in the selected time range.',
          unit: 'short',
          targets: [{ expr: sumIncrease(registrations.name) }],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Active users by period',
          description: 'Daily, weekly and monthly active users.',
          unit: 'short',
          targets: [{ expr: `max by (${period}) (${sel(active.name)})`, legend: `{{${period}}}` }],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Registrations by source',
          description: 'Registrations per second by acquisition source.',
          unit: 'ops',
          stack: true,
          targets: [
            {
              expr: sumRate(registrations.name, [registrations.label('business.source')]),
              legend: `{{${registrations.label('business.source')}}}`,
            },
          ],
        }),
      )
      .withPanel(
        barGauge({
          title: 'Registrations by country',
          description: 'Top countries by registrations in the time range.',
          unit: 'short',
          w: 8,
          targets: [
            {
              expr: `topk(10, ${sumIncrease(registrations.name, [registrations.label('business.country')])})`,
              legend: `{{${registrations.label('business.country')}}}`,
              instant: true,
            },
          ],
        }),
      )
      .withPanel(
        barGauge({
          title: 'Registrations by method',
          description: 'Registrations in the time range by sign-up method.',
          unit: 'short',
          w: 8,
          targets: [
            {
              expr: sumIncrease(registrations.name, [registrations.label('business.method')]),
              legend: `{{${registrations.label('business.method')}}}`,
              instant: true,
            },
          ],
        }),
      )
      .withPanel(
        barGauge({
          title: 'Registrations by device',
          description: 'Registrations in the time range by device type.',
          unit: 'short',
          w: 8,
          targets: [
            {
              expr: sumIncrease(registrations.name, [registrations.label('business.device_type')]),
              legend: `{{${registrations.label('business.device_type')}}}`,
              instant: true,
            },
          ],
        }),
      )
      .withRow(row('Engagement'))
      .withPanel(
        barGauge({
          title: 'Feature adoption',
          description: 'Top features by use in the time range.',
          unit: 'short',
          targets: [
            {
              expr: `topk(15, ${sumIncrease(features.name, [features.label('business.feature'), features.label('business.action')])})`,
              legend: `{{${features.label('business.feature')}}} {{${features.label('business.action')}}}`,
              instant: true,
            },
          ],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Feature usage by user type',
          description: 'Feature uses per second by user type (free, premium, …).',
          unit: 'ops',
          targets: [
            {
              expr: sumRate(features.name, [features.label('business.user_type')]),
              legend: `{{${features.label('business.user_type')}}}`,
            },
          ],
        }),
      )
      .withPanel(
        barGauge({
          title: 'Funnel steps',
          description: 'Users reaching each step of each conversion funnel in the time range.',
          unit: 'short',
          w: 24,
          targets: [
            {
              expr: sumIncrease(funnel.name, [
                funnel.label('business.funnel'),
                funnel.label('business.funnel.step'),
              ]),
              legend: `{{${funnel.label('business.funnel')}}} / {{${funnel.label('business.funnel.step')}}}`,
              instant: true,
            },
          ],
        }),
      ),
  );
}
