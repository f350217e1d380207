import { DashboardLinkBuilder, DashboardLinkType } from '@grafana/grafana-foundation-sdk/dashboard';
import { type DashboardMeta, finish, logs, logVariables, lokiTimeseries, newDashboard } from '../panels.ts';
import { ENVIRONMENT_LABEL } from '../promql.ts';

export const meta: DashboardMeta = {
  name: 'logs',
  title: 'authlens / Logs',
  description:
    'What did the service log: JSON log lines filtered by environment, service, level and trace ID, with each trace ID linking to its trace in Sentry.',
  tags: ['logs'],
};

/**
 * Loki stream and structured-metadata names as Loki's OTLP ingestion stores them:
 * `service_name` and `deployment_environment_name` are index labels; `trace_id` and
 * `detected_level` are structured metadata.
 */
const stream = `{service_name=~"$service", ${ENVIRONMENT_LABEL}=~"$environment"}`;
const filters = '| detected_level=~"$level" | trace_id=~"$trace_id"';

export const logQueries = {
  volume: `sum by (detected_level) (count_over_time(${stream} ${filters} [$__auto]))`,
  lines: `${stream} ${filters}`,
  errors: `${stream} | detected_level=~"error|fatal|critical" | trace_id=~"$trace_id"`,
} as const;

export function build() {
  return finish(
    logVariables(newDashboard(meta, 'logs'))
      .link(
        new DashboardLinkBuilder('authlens dashboards')
          .type(DashboardLinkType.Dashboards)
          .tags(['authlens'])
          .asDropdown(true)
          .includeVars(false)
          .keepTime(true),
      )
      .withPanel(
        lokiTimeseries({
          title: 'Log volume by level',
          description:
            'Log lines per interval by level: a jump in error lines is the first thing to look at.',
          expr: logQueries.volume,
          legend: '{{detected_level}}',
        }),
      )
      .withPanel(
        logs({
          title: 'Errors',
          description: 'Error lines only. Expand a line and follow the trace_id link to the trace in Sentry.',
          expr: logQueries.errors,
          h: 10,
        }),
      )
      .withPanel(
        logs({
          title: 'Log lines',
          description:
            'Every line matching the environment, service, level and trace ID filters. Paste a trace ID (from an exemplar, a Sentry event or the X-Correlation-ID header) to follow one request.',
          expr: logQueries.lines,
          h: 16,
        }),
      ),
  );
}
