/**
 * Every PromQL and LogQL expression the package ships (panel targets and rules), with helpers
 * to substitute Grafana template variables, find parse errors and list the metrics named.
 */
import { parser as logqlParser } from '@grafana/lezer-logql';
import type { Tree } from '@lezer/common';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { dashboardModules } from './dashboards/index.ts';
import { knownSeriesNames } from './metrics.ts';
import { type AlertingRule, type RecordingRule, recordingRuleNames, ruleGroups } from './rules.ts';

export interface Expression {
  readonly language: 'promql' | 'logql';
  readonly expr: string;
  /** Human-readable location: `dashboard authentication / "Login success rate" / A` or `rule X`. */
  readonly where: string;
  readonly dashboard?: string;
  readonly panel?: string;
  readonly instant?: boolean;
}

interface TargetJson {
  readonly expr?: string;
  readonly refId?: string;
  readonly instant?: boolean;
  readonly datasource?: { readonly type?: string };
}
interface PanelJson {
  readonly title?: string;
  readonly targets?: readonly TargetJson[];
  readonly panels?: readonly PanelJson[];
}

export function dashboardExpressions(name: string, dashboard: { panels?: readonly unknown[] }): Expression[] {
  const out: Expression[] = [];
  const visit = (panels: readonly PanelJson[] | undefined) => {
    for (const panel of panels ?? []) {
      for (const t of panel.targets ?? []) {
        if (!t.expr) continue;
        out.push({
          language: t.datasource?.type === 'loki' ? 'logql' : 'promql',
          expr: t.expr,
          where: `dashboard ${name} / "${panel.title}" / ${t.refId}`,
          dashboard: name,
          panel: panel.title ?? '',
          instant: t.instant === true,
        });
      }
      visit(panel.panels);
    }
  };
  visit(dashboard.panels as readonly PanelJson[] | undefined);
  return out;
}

export function ruleExpressions(): Expression[] {
  return ruleGroups.flatMap((g) =>
    g.rules.map((r) => ({
      language: 'promql' as const,
      expr: r.expr,
      where: 'alert' in r ? `alert ${(r as AlertingRule).alert}` : `record ${(r as RecordingRule).record}`,
    })),
  );
}

export function collectExpressions(): Expression[] {
  return [
    ...dashboardModules.flatMap((m) => dashboardExpressions(m.meta.name, m.build())),
    ...ruleExpressions(),
  ];
}

/** Values that make a dashboard expression a plain PromQL/LogQL query (every variable at "All"). */
export const ALL_VALUES: Readonly<Record<string, string>> = {
  __rate_interval: '1m',
  __interval: '30s',
  __auto: '1m',
  __range: '5m',
  environment: '.*',
  service: '.*',
  instance: '.*',
  level: '.*',
  trace_id: '.*',
};

/** Substitutes `$name` and `${name}`; throws on a variable without a value. */
export function interpolate(expr: string, values: Readonly<Record<string, string>> = ALL_VALUES): string {
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    const value = values[name];
    if (value === undefined) throw new Error(`no value for template variable $${name} in: ${expr}`);
    return value;
  });
}

const parse = (language: Expression['language'], expr: string): Tree =>
  (language === 'promql' ? promqlParser : logqlParser).parse(expr);

/** Parse errors as `offset: text`; empty when the expression parses. */
export function parseErrors(language: Expression['language'], expr: string): string[] {
  const errors: string[] = [];
  parse(language, expr).iterate({
    enter: (node) => {
      if (node.type.isError)
        errors.push(`${node.from}: ${JSON.stringify(expr.slice(node.from, node.from + 20))}`);
    },
  });
  return errors;
}

/** Metric names a PromQL expression selects. */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  parse('promql', expr).iterate({
    enter: (node) => {
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') {
        names.add(expr.slice(node.from, node.to));
      }
    },
  });
  return [...names];
}

/** Series names expressions may use: the catalogue, the allow-list and our recording rules. */
export function allowedSeriesNames(): Set<string> {
  const names = knownSeriesNames();
  for (const r of recordingRuleNames()) names.add(r);
  return names;
}
