/**
 * Small PromQL builders. Dashboards filter every selector by the template variables; rules
 * aggregate by service (`job`) and do not filter.
 */
import type { ResolvedHistogram } from './metrics.ts';

/** Prometheus label that carries `deployment.environment.name` (resource attribute). */
export const ENVIRONMENT_LABEL = 'deployment_environment_name';
/** Prometheus label that carries `service.name` (the scrape job, per the OTel compatibility spec). */
export const SERVICE_LABEL = 'job';
export const INSTANCE_LABEL = 'instance';

/** The matchers every dashboard selector carries. */
export const DASHBOARD_FILTER = `${ENVIRONMENT_LABEL}=~"$environment", ${SERVICE_LABEL}=~"$service", ${INSTANCE_LABEL}=~"$instance"`;

export interface SelectorOptions {
  /** Extra matchers, already formatted (`eq('a', 'b')`). */
  readonly match?: readonly string[];
  /** Add the dashboard template-variable filter (default true). */
  readonly filter?: boolean;
}

const quote = (value: string) => JSON.stringify(value);
export const eq = (label: string, value: string) => `${label}=${quote(value)}`;
export const ne = (label: string, value: string) => `${label}!=${quote(value)}`;
export const re = (label: string, value: string) => `${label}=~${quote(value)}`;

export function sel(name: string, options: SelectorOptions = {}): string {
  const parts = [...(options.filter === false ? [] : [DASHBOARD_FILTER]), ...(options.match ?? [])];
  return parts.length ? `${name}{${parts.join(', ')}}` : name;
}

/** Range used by dashboard rates: Grafana's `$__rate_interval`. */
export const RATE = '$__rate_interval';

const by = (labels: readonly string[]) => (labels.length ? ` by (${labels.join(', ')})` : '');

export function sumRate(
  name: string,
  labels: readonly string[] = [],
  options: SelectorOptions & { range?: string } = {},
): string {
  return `sum${by(labels)} (rate(${sel(name, options)}[${options.range ?? RATE}]))`;
}

export function sumIncrease(
  name: string,
  labels: readonly string[] = [],
  options: SelectorOptions & { range?: string } = {},
): string {
  return `sum${by(labels)} (increase(${sel(name, options)}[${options.range ?? '$__range'}]))`;
}

export function quantile(
  q: number,
  h: ResolvedHistogram,
  labels: readonly string[] = [],
  options: SelectorOptions & { range?: string } = {},
): string {
  return `histogram_quantile(${q}, ${sumRate(h.bucket, ['le', ...labels], options)})`;
}

/** `num / den`, where a zero denominator gives no value instead of NaN. */
export const ratio = (num: string, den: string) => `(${num}) / (${den} > 0)`;
