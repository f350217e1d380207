/**
 * Panel and variable helpers on top of `@grafana/grafana-foundation-sdk`, so every dashboard
 * gets the same datasources, template variables, legends and reductions.
 */

import { PanelBuilder as BarGaugePanel } from '@grafana/grafana-foundation-sdk/bargauge';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  BarGaugeDisplayMode,
  BigValueColorMode,
  BigValueGraphMode,
  LegendDisplayMode,
  LegendPlacement,
  LogsSortOrder,
  ReduceDataOptionsBuilder,
  SortOrder,
  StackingConfigBuilder,
  StackingMode,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizOrientation,
  VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  CustomVariableBuilder,
  type Dashboard,
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  type Panel,
  QueryVariableBuilder,
  RowBuilder,
  TextBoxVariableBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as GaugePanel } from '@grafana/grafana-foundation-sdk/gauge';
import { PanelBuilder as LogsPanel } from '@grafana/grafana-foundation-sdk/logs';
import { DataqueryBuilder as LokiQuery } from '@grafana/grafana-foundation-sdk/loki';
import { DataqueryBuilder as PromQuery } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeSeriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { ENVIRONMENT_LABEL, INSTANCE_LABEL, SERVICE_LABEL } from './promql.ts';

/** UIDs of the provisioned datasources (`provisioning/datasources/authlens.yml`). */
export const PROMETHEUS_UID = 'authlens-prometheus';
export const LOKI_UID = 'authlens-loki';

/** Grafana template variable reference (written out so the `$` is not a JS placeholder). */
const variable = (name: string) => `$${'{'}${name}}`;
const PROM_DS = { type: 'prometheus', uid: variable('datasource') };
const LOKI_DS = { type: 'loki', uid: variable('loki_datasource') };

export interface PromTarget {
  readonly expr: string;
  readonly legend?: string;
  /** Instant query (stat, gauge, table panels). */
  readonly instant?: boolean;
  /** Show exemplars (latency panels): links a dot on the graph to its trace. */
  readonly exemplar?: boolean;
}

type Steps = readonly (readonly [number | null, string])[];

export interface PanelSpec {
  readonly title: string;
  /** What the panel answers; shown as the panel's info tooltip. */
  readonly description: string;
  readonly unit: string;
  readonly targets: readonly PromTarget[];
  /** Width in grid columns (of 24) and height in rows. */
  readonly w?: number;
  readonly h?: number;
  /** Threshold steps: `[[null, 'green'], [0.9, 'red']]`. */
  readonly thresholds?: Steps;
  readonly min?: number;
  readonly max?: number;
  readonly decimals?: number;
}

const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function promTargets(targets: readonly PromTarget[]): cog.Builder<cog.Dataquery>[] {
  return targets.map((t, index) => {
    const q = new PromQuery().datasource(PROM_DS).refId(letters[index]!).expr(t.expr);
    if (t.legend) q.legendFormat(t.legend);
    if (t.instant) q.instant();
    else q.range();
    if (t.exemplar) q.exemplar(true);
    return q;
  });
}

function thresholds(steps: Steps = [[null, 'green']]) {
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps(steps.map(([value, color]) => ({ value, color })));
}

const lastValue = () => new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false);

function common<
  T extends {
    title(t: string): T;
    description(d: string): T;
    unit(u: string): T;
    span(w: number): T;
    height(h: number): T;
    datasource(d: { type: string; uid: string }): T;
    min(n: number): T;
    max(n: number): T;
    decimals(n: number): T;
    thresholds(b: ThresholdsConfigBuilder): T;
    targets(t: cog.Builder<cog.Dataquery>[]): T;
  },
>(builder: T, spec: PanelSpec, defaults: { w: number; h: number }): T {
  builder
    .title(spec.title)
    .description(spec.description)
    .unit(spec.unit)
    .span(spec.w ?? defaults.w)
    .height(spec.h ?? defaults.h)
    .datasource(PROM_DS)
    .thresholds(thresholds(spec.thresholds))
    .targets(promTargets(spec.targets));
  if (spec.min !== undefined) builder.min(spec.min);
  if (spec.max !== undefined) builder.max(spec.max);
  if (spec.decimals !== undefined) builder.decimals(spec.decimals);
  return builder;
}

export function timeseries(spec: PanelSpec & { stack?: boolean }): TimeSeriesPanel {
  const p = common(new TimeSeriesPanel(), spec, { w: 12, h: 8 })
    .fillOpacity(10)
    .legend(
      new VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(LegendDisplayMode.List)
        .placement(LegendPlacement.Bottom)
        .calcs([]),
    )
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending));
  if (spec.stack) p.stacking(new StackingConfigBuilder().mode(StackingMode.Normal));
  return p;
}

export function stat(spec: PanelSpec): StatPanel {
  return common(new StatPanel(), spec, { w: 6, h: 4 })
    .reduceOptions(lastValue())
    .colorMode(BigValueColorMode.Value)
    .graphMode(BigValueGraphMode.Area);
}

export function gauge(spec: PanelSpec): GaugePanel {
  return common(new GaugePanel(), spec, { w: 6, h: 6 }).reduceOptions(lastValue()).showThresholdMarkers(true);
}

export function barGauge(spec: PanelSpec): BarGaugePanel {
  return common(new BarGaugePanel(), spec, { w: 12, h: 8 })
    .reduceOptions(lastValue())
    .displayMode(BarGaugeDisplayMode.Gradient)
    .orientation(VizOrientation.Horizontal);
}

export function table(spec: PanelSpec): TablePanel {
  return common(new TablePanel(), spec, { w: 12, h: 8 }).withTransformation({
    id: 'merge',
    options: {},
  });
}

export interface LogsSpec {
  readonly title: string;
  readonly description: string;
  readonly expr: string;
  readonly w?: number;
  readonly h?: number;
}

export function logs(spec: LogsSpec): LogsPanel {
  return new LogsPanel()
    .title(spec.title)
    .description(spec.description)
    .span(spec.w ?? 24)
    .height(spec.h ?? 14)
    .datasource(LOKI_DS)
    .targets([new LokiQuery().datasource(LOKI_DS).refId('A').expr(spec.expr)])
    .showTime(true)
    .wrapLogMessage(true)
    .enableLogDetails(true)
    .prettifyLogMessage(false)
    .sortOrder(LogsSortOrder.Descending);
}

export interface LokiSeriesSpec {
  readonly title: string;
  readonly description: string;
  readonly expr: string;
  readonly legend?: string;
  readonly w?: number;
  readonly h?: number;
}

export function lokiTimeseries(spec: LokiSeriesSpec): TimeSeriesPanel {
  const q = new LokiQuery().datasource(LOKI_DS).refId('A').expr(spec.expr);
  if (spec.legend) q.legendFormat(spec.legend);
  return new TimeSeriesPanel()
    .title(spec.title)
    .description(spec.description)
    .span(spec.w ?? 24)
    .height(spec.h ?? 6)
    .datasource(LOKI_DS)
    .unit('short')
    .targets([q])
    .fillOpacity(60)
    .stacking(new StackingConfigBuilder().mode(StackingMode.Normal));
}

export const row = (title: string) => new RowBuilder(title);

/** A multi-select query variable over label values, "All" by default. */
const labelVariable = (
  datasource: typeof PROM_DS | typeof LOKI_DS,
  name: string,
  label: string,
  query: string,
  allValue = '.*',
) =>
  new QueryVariableBuilder(name)
    .label(label)
    .datasource(datasource)
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .includeAll(true)
    .multi(true)
    .allValue(allValue)
    .current({ text: 'All', value: '$__all' });

/** Template variables shared by the metric dashboards. */
function metricVariables(b: DashboardBuilder): DashboardBuilder {
  const q = (name: string, label: string, query: string) => labelVariable(PROM_DS, name, label, query);
  return b
    .withVariable(
      new DatasourceVariableBuilder('datasource')
        .label('Prometheus')
        .type('prometheus')
        .current({ text: 'Prometheus', value: PROMETHEUS_UID }),
    )
    .withVariable(q('environment', 'Environment', `label_values(target_info, ${ENVIRONMENT_LABEL})`))
    .withVariable(
      q(
        'service',
        'Service',
        `label_values(target_info{${ENVIRONMENT_LABEL}=~"$environment"}, ${SERVICE_LABEL})`,
      ),
    )
    .withVariable(
      q('instance', 'Instance', `label_values(target_info{${SERVICE_LABEL}=~"$service"}, ${INSTANCE_LABEL})`),
    );
}

export interface DashboardMeta {
  /** snake_case name used by the CLI and `GET /monitoring/dashboards/?dashboard=name`. */
  readonly name: string;
  readonly title: string;
  /** What the dashboard answers (one sentence). */
  readonly description: string;
  readonly tags: readonly string[];
}

export function newDashboard(meta: DashboardMeta, kind: 'metrics' | 'logs' = 'metrics'): DashboardBuilder {
  const b = new DashboardBuilder(meta.title)
    .uid(`authlens-${meta.name.replaceAll('_', '-')}`)
    .description(meta.description)
    .tags(['authlens', ...meta.tags])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser');
  if (kind === 'metrics') return metricVariables(b);
  return b;
}

const lokiLabelVariable = (name: string, label: string, query: string, allValue: string) =>
  labelVariable(LOKI_DS, name, label, query, allValue);

export function logVariables(b: DashboardBuilder): DashboardBuilder {
  return (
    b
      .withVariable(
        new DatasourceVariableBuilder('loki_datasource')
          .label('Loki')
          .type('loki')
          .current({ text: 'Loki', value: LOKI_UID }),
      )
      // Loki's OTLP ingestion indexes deployment.environment.name as this label, like Prometheus.
      // "All" is `.*`, so streams without the label still show (as on the metric dashboards).
      .withVariable(
        lokiLabelVariable('environment', 'Environment', `label_values(${ENVIRONMENT_LABEL})`, '.*'),
      )
      .withVariable(
        lokiLabelVariable(
          'service',
          'Service',
          `label_values({${ENVIRONMENT_LABEL}=~"$environment"}, service_name)`,
          '.+',
        ),
      )
      .withVariable(
        new CustomVariableBuilder('level')
          .label('Level')
          .values('error,warn,info,debug')
          .includeAll(true)
          .multi(true)
          .allValue('.*')
          .current({ text: 'All', value: '$__all' }),
      )
      .withVariable(
        new TextBoxVariableBuilder('trace_id')
          .label('Trace ID')
          .description('32 hex digits; a regular expression, `.*` for every line')
          .defaultValue('.*')
          .current({ text: '.*', value: '.*' }),
      )
  );
}

/** Builds the dashboard JSON model and numbers the panels (Grafana needs unique ids; the SDK leaves them unset). */
export function finish(b: DashboardBuilder): Dashboard {
  const dashboard = b.build();
  let id = 1;
  const number = (panels: readonly { id?: number; panels?: Panel[] }[] | undefined) => {
    for (const p of panels ?? []) {
      p.id = id++;
      number(p.panels);
    }
  };
  number(dashboard.panels as { id?: number; panels?: Panel[] }[]);
  // A plain JSON object: the SDK's query objects carry marker methods.
  return JSON.parse(JSON.stringify(dashboard)) as Dashboard;
}
