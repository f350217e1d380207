import { gauge, histogram } from '../metrics.ts';
import { type DashboardMeta, finish, newDashboard, row, stat, table, timeseries } from '../panels.ts';
import { eq, quantile, ratio, re, SERVICE_LABEL, sel, sumRate } from '../promql.ts';
import { recordName, SLO } from '../rules.ts';

export const meta: DashboardMeta = {
  name: 'performance',
  title: 'authlens / Performance (SLA/SLO)',
  description:
    'Are we meeting the availability and latency objectives, how fast is the error budget burning, and which routes are slow?',
  tags: ['performance', 'slo'],
};

const http = histogram('http.server.request.duration');
const route = http.label('http.route');
const status = http.label('http.response.status_code');
const loopDelay = gauge('nodejs.eventloop.delay.p99');
const elu = gauge('nodejs.eventloop.utilization');
const heapUsed = gauge('v8js.memory.heap.used');
const heapSize = gauge('v8js.memory.heap.space.size');
const gc = histogram('v8js.gc.duration');

const rangeRate = (name: string, match: string[] = []) => `sum (rate(${sel(name, { match })}[$__range]))`;
const availability = `1 - ${ratio(`(${rangeRate(http.count, [re(status, '5..')])} or vector(0))`, rangeRate(http.count))}`;
const latencySli = ratio(
  rangeRate(http.bucket, [eq('le', String(SLO.latencyThresholdSeconds))]),
  rangeRate(http.count),
);
/** Recording rules are aggregated by service only. */
const rec = (name: string) => `${name}{${SERVICE_LABEL}=~"$service"}`;
const budgetLeft = (sli: string, objective: number) =>
  `1 - ((1 - (${sli})) / ${Number((1 - objective).toPrecision(6))})`;

export function build() {
  const pct = (x: number) => `${Number((x * 100).toPrecision(6))}%`;
  return finish(
    newDashboard(meta)
      .withRow(row('Service level objectives'))
      .withPanel(
        stat({
          title: 'Availability (range)',
          description: `Share of non-5xx responses over the selected range. Objective: ${pct(SLO.availability)}.`,
          unit: 'percentunit',
          decimals: 3,
          thresholds: [
            [null, 'red'],
            [SLO.availability, 'green'],
          ],
          targets: [{ expr: availability }],
        }),
      )
      .withPanel(
        stat({
          title: 'Availability error budget left',
          description:
            'Share of the availability error budget not yet spent in the selected range (set it to 30 days).',
          unit: 'percentunit',
          decimals: 1,
          thresholds: [
            [null, 'red'],
            [0.25, 'orange'],
            [0.5, 'green'],
          ],
          targets: [{ expr: budgetLeft(availability, SLO.availability) }],
        }),
      )
      .withPanel(
        stat({
          title: `Requests under ${SLO.latencyThresholdSeconds}s (range)`,
          description: `Share of requests faster than ${SLO.latencyThresholdSeconds}s. Objective: ${pct(SLO.latency)}.`,
          unit: 'percentunit',
          decimals: 2,
          thresholds: [
            [null, 'red'],
            [SLO.latency, 'green'],
          ],
          targets: [{ expr: latencySli }],
        }),
      )
      .withPanel(
        stat({
          title: 'Latency error budget left',
          description: 'Share of the latency error budget not yet spent in the selected range.',
          unit: 'percentunit',
          decimals: 1,
          thresholds: [
            [null, 'red'],
            [0.25, 'orange'],
            [0.5, 'green'],
          ],
          targets: [{ expr: budgetLeft(latencySli, SLO.latency) }],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Availability burn rate',
          description:
            'Error ratio divided by the error budget, per window (recording rules). Above 14.4 on 1h and 5m pages; 1 spends the budget exactly in 30 days.',
          unit: 'short',
          thresholds: [
            [null, 'green'],
            [1, 'orange'],
            [14.4, 'red'],
          ],
          targets: (['5m', '1h', '6h', '1d'] as const).map((w) => ({
            expr: `${rec(recordName.errorRatio(w))} / ${Number((1 - SLO.availability).toPrecision(6))}`,
            legend: `{{job}} ${w}`,
          })),
        }),
      )
      .withPanel(
        timeseries({
          title: 'Latency burn rate',
          description: `Share of requests slower than ${SLO.latencyThresholdSeconds}s divided by the latency error budget, per window.`,
          unit: 'short',
          thresholds: [
            [null, 'green'],
            [1, 'orange'],
            [14.4, 'red'],
          ],
          targets: (['5m', '1h', '6h', '1d'] as const).map((w) => ({
            expr: `${rec(recordName.slowRatio(w))} / ${Number((1 - SLO.latency).toPrecision(6))}`,
            legend: `{{job}} ${w}`,
          })),
        }),
      )
      .withRow(row('Requests'))
      .withPanel(
        timeseries({
          title: 'Latency by route (p95)',
          description: '95th percentile request duration per route; exemplars link to traces.',
          unit: 's',
          min: 0,
          thresholds: [
            [null, 'green'],
            [SLO.latencyThresholdSeconds, 'red'],
          ],
          targets: [{ expr: quantile(0.95, http, [route]), legend: '{{http_route}}', exemplar: true }],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Request rate by route',
          description: 'Requests per second per route.',
          unit: 'reqps',
          stack: true,
          targets: [{ expr: sumRate(http.count, [route]), legend: '{{http_route}}' }],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Error ratio by route',
          description: 'Share of 5xx responses per route.',
          unit: 'percentunit',
          min: 0,
          targets: [
            {
              expr: ratio(
                sumRate(http.count, [route], { match: [re(status, '5..')] }),
                sumRate(http.count, [route]),
              ),
              legend: '{{http_route}}',
            },
          ],
        }),
      )
      .withPanel(
        table({
          title: 'Slowest routes',
          description: 'Top 10 routes by p99 duration over the rate window.',
          unit: 's',
          targets: [
            { expr: `topk(10, ${quantile(0.99, http, [route])})`, legend: '{{http_route}}', instant: true },
          ],
        }),
      )
      .withRow(row('Resources'))
      .withPanel(
        timeseries({
          title: 'Event loop delay p99',
          description: 'How long callbacks wait for the event loop: above 100 ms every request is slow.',
          unit: 's',
          w: 8,
          thresholds: [
            [null, 'green'],
            [0.1, 'red'],
          ],
          targets: [{ expr: `max by (instance) (${sel(loopDelay.name)})`, legend: '{{instance}}' }],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Event loop utilization',
          description: 'Share of time the event loop is busy: near 1 the process is CPU-bound.',
          unit: 'percentunit',
          w: 8,
          min: 0,
          max: 1,
          targets: [{ expr: `max by (instance) (${sel(elu.name)})`, legend: '{{instance}}' }],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Heap used / allocated',
          description: 'V8 heap in use as a share of the heap pre-allocated by V8.',
          unit: 'percentunit',
          w: 8,
          min: 0,
          max: 1,
          targets: [
            {
              expr: ratio(
                `sum by (instance) (${sel(heapUsed.name)})`,
                `sum by (instance) (${sel(heapSize.name)})`,
              ),
              legend: '{{instance}}',
            },
          ],
        }),
      )
      .withPanel(
        timeseries({
          title: 'GC pause p99',
          description: 'Garbage-collection pause duration, 99th percentile, by GC type.',
          unit: 's',
          w: 24,
          targets: [
            {
              expr: quantile(0.99, gc, [gc.label('v8js.gc.type')]),
              legend: `{{${gc.label('v8js.gc.type')}}}`,
            },
          ],
        }),
      ),
  );
}
