import { counter, external, gauge, histogram } from '../metrics.ts';
import { type DashboardMeta, finish, newDashboard, row, stat, table, timeseries } from '../panels.ts';
import { DASHBOARD_FILTER, quantile, ratio, re, sel, sumRate } from '../promql.ts';

export const meta: DashboardMeta = {
  name: 'system_overview',
  title: 'authlens / System Overview',
  description: 'Is the auth service up, fast and error-free right now, and is its telemetry getting through?',
  tags: ['overview'],
};

const http = histogram('http.server.request.duration');
const status = http.label('http.response.status_code');
const health = gauge('authlens.health.check.status');
const alertsOpen = gauge('authlens.alerts.open');
const sessions = gauge('auth.sessions.active');
const logins = counter('auth.login.attempts');
const dropped = counter('authlens.telemetry.dropped');
const loopDelay = gauge('nodejs.eventloop.delay.p99');
const heapUsed = gauge('v8js.memory.heap.used');

const errors5xx = sumRate(http.count, [], { match: [re(status, '5..')] });
const requests = sumRate(http.count);

/** Collector panels: its self-metrics carry `service_name="otelcol-authlens"`-style labels, not ours. */
const collectorRate = (name: string, by: string) =>
  `sum by (${by}) (rate(${external(name)}[$__rate_interval]))`;

export function build() {
  return finish(
    newDashboard(meta)
      .withRow(row('Service health'))
      .withPanel(
        stat({
          title: 'Request rate',
          description: 'HTTP requests per second served by the selected services.',
          unit: 'reqps',
          targets: [{ expr: requests }],
        }),
      )
      .withPanel(
        stat({
          title: 'Error ratio (5xx)',
          description: 'Share of HTTP responses with a 5xx status over the rate window.',
          unit: 'percentunit',
          decimals: 2,
          thresholds: [
            [null, 'green'],
            [0.001, 'orange'],
            [0.01, 'red'],
          ],
          targets: [{ expr: ratio(errors5xx, requests) }],
        }),
      )
      .withPanel(
        stat({
          title: 'p95 latency',
          description: '95th percentile HTTP request duration.',
          unit: 's',
          thresholds: [
            [null, 'green'],
            [0.3, 'orange'],
            [0.5, 'red'],
          ],
          targets: [{ expr: quantile(0.95, http) }],
        }),
      )
      .withPanel(
        stat({
          title: 'Active sessions',
          description: 'Sessions currently open, summed over instances.',
          unit: 'short',
          targets: [{ expr: `sum (${sel(sessions.name)})` }],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Requests by status class',
          description: 'Request rate split by HTTP status code.',
          unit: 'reqps',
          stack: true,
          targets: [{ expr: sumRate(http.count, [status]), legend: `{{${status}}}` }],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Latency percentiles',
          description: 'p50, p95 and p99 HTTP request duration; exemplars link to traces.',
          unit: 's',
          min: 0,
          targets: [
            { expr: quantile(0.5, http), legend: 'p50', exemplar: true },
            { expr: quantile(0.95, http), legend: 'p95', exemplar: true },
            { expr: quantile(0.99, http), legend: 'p99', exemplar: true },
          ],
        }),
      )
      .withPanel(
        table({
          title: 'Health checks',
          description: 'Latest result of each health check: 1 pass, 0.5 warn, 0 fail.',
          unit: 'short',
          thresholds: [
            [null, 'red'],
            [0.5, 'orange'],
            [1, 'green'],
          ],
          targets: [
            {
              expr: `min by (${health.label('health.check')}) (${sel(health.name)})`,
              legend: `{{${health.label('health.check')}}}`,
              instant: true,
            },
          ],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Open alerts by severity',
          description: 'Alerts open in the status API alert store, by severity.',
          unit: 'short',
          stack: true,
          targets: [
            {
              expr: `max by (${alertsOpen.label('alert.severity')}) (${sel(alertsOpen.name)})`,
              legend: `{{${alertsOpen.label('alert.severity')}}}`,
            },
          ],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Login attempts by outcome',
          description: 'Login attempts per second, successful and failed.',
          unit: 'ops',
          stack: true,
          targets: [
            {
              expr: sumRate(logins.name, [logins.label('auth.outcome')]),
              legend: `{{${logins.label('auth.outcome')}}}`,
            },
          ],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Scrape targets up',
          description: 'Prometheus scrape health of the selected instances (1 up, 0 down).',
          unit: 'short',
          min: 0,
          max: 1,
          targets: [{ expr: `${external('up')}{${DASHBOARD_FILTER}}`, legend: '{{instance}}' }],
        }),
      )
      .withRow(row('Runtime'))
      .withPanel(
        timeseries({
          title: 'Event loop delay p99',
          description: 'Node.js event loop delay, 99th percentile, per instance.',
          unit: 's',
          thresholds: [
            [null, 'green'],
            [0.1, 'red'],
          ],
          targets: [{ expr: `max by (instance) (${sel(loopDelay.name)})`, legend: '{{instance}}' }],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Heap used',
          description: 'V8 heap in use, per instance.',
          unit: 'bytes',
          targets: [{ expr: `sum by (instance) (${sel(heapUsed.name)})`, legend: '{{instance}}' }],
        }),
      )
      .withRow(row('Telemetry pipeline'))
      .withPanel(
        timeseries({
          title: 'SDK telemetry dropped',
          description: 'Spans, metric points and log records the SDK had to drop before export.',
          unit: 'ops',
          targets: [
            {
              expr: sumRate(dropped.name, [dropped.label('authlens.signal')]),
              legend: `{{${dropped.label('authlens.signal')}}}`,
            },
          ],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Collector: refused by receivers',
          description: 'Items the collector receivers refused (memory limiter, back-pressure), per receiver.',
          unit: 'ops',
          targets: [
            {
              expr: collectorRate('otelcol_receiver_refused_spans_total', 'receiver'),
              legend: 'spans {{receiver}}',
            },
            {
              expr: collectorRate('otelcol_receiver_refused_metric_points_total', 'receiver'),
              legend: 'metric points {{receiver}}',
            },
            {
              expr: collectorRate('otelcol_receiver_refused_log_records_total', 'receiver'),
              legend: 'log records {{receiver}}',
            },
          ],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Collector: export failures',
          description: 'Items the collector failed to send (after retries) or to enqueue, per exporter.',
          unit: 'ops',
          targets: [
            {
              expr: collectorRate('otelcol_exporter_send_failed_spans_total', 'exporter'),
              legend: 'send failed spans {{exporter}}',
            },
            {
              expr: collectorRate('otelcol_exporter_send_failed_metric_points_total', 'exporter'),
              legend: 'send failed metric points {{exporter}}',
            },
            {
              expr: collectorRate('otelcol_exporter_send_failed_log_records_total', 'exporter'),
              legend: 'send failed log records {{exporter}}',
            },
            {
              expr: collectorRate('otelcol_exporter_enqueue_failed_log_records_total', 'exporter'),
              legend: 'dropped (queue full) log records {{exporter}}',
            },
          ],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Collector: sending queue fill',
          description: 'Exporter sending queue size as a share of its capacity.',
          unit: 'percentunit',
          min: 0,
          max: 1,
          thresholds: [
            [null, 'green'],
            [0.8, 'red'],
          ],
          targets: [
            {
              expr: `max by (exporter) (${external('otelcol_exporter_queue_size')}) / max by (exporter) (${external('otelcol_exporter_queue_capacity')} > 0)`,
              legend: '{{exporter}}',
            },
          ],
        }),
      )
      .withPanel(
        timeseries({
          title: 'Collector: processor throughput',
          description: 'Items in and out of each processor; a gap means filtering, sampling or loss.',
          unit: 'ops',
          targets: [
            {
              expr: collectorRate('otelcol_processor_incoming_items_total', 'processor'),
              legend: 'in {{processor}}',
            },
            {
              expr: collectorRate('otelcol_processor_outgoing_items_total', 'processor'),
              legend: 'out {{processor}}',
            },
          ],
        }),
      ),
  );
}
