/**
 * KPIs from Prometheus's HTTP API (`PROMETHEUS_URL`), so many replicas report one truth.
 */
import { prometheusName } from '@authlens/sdk';
import { MetricsSourceError } from '../errors.ts';
import type { KpiBackend, KpiPeriod, Period, Series } from './backend.ts';

export interface PrometheusBackendOptions {
  url: string;
  timeoutMs?: number;
  /** Extra label matchers added to every selector, e.g. `job="authlens"`. */
  selector?: string;
  /**
   * Answer over exactly this range instead of "the last `period` from now": every query is
   * evaluated at its end (the API's `time` parameter) over its length, so a day or month
   * snapshot counts that day or month and nothing else.
   */
  over?: KpiPeriod;
}

export function createPrometheusBackend(options: PrometheusBackendOptions): KpiBackend {
  const base = new URL('/api/v1/query', options.url);
  const timeoutMs = options.timeoutMs ?? 5000;
  const { over } = options;
  const fixedRange = over
    ? `${Math.max(1, Math.round((over.end.getTime() - over.start.getTime()) / 1000))}s`
    : undefined;
  const range = (period: Period) => fixedRange ?? period;
  // Exact series names from the SDK's catalogue (the one place that knows the translation).
  const extra = options.selector ? `{${options.selector}}` : '';
  const series = (name: string, suffix = '') => `${prometheusName(name)}${suffix}${extra}`;
  const byClause = (by: string[]) => (by.length > 0 ? `by (${by.join(',')})` : '');

  async function query(promql: string, by: string[]): Promise<Series[]> {
    const url = new URL(base);
    url.searchParams.set('query', promql);
    if (over) url.searchParams.set('time', String(over.end.getTime() / 1000));
    let body: {
      status?: string;
      error?: string;
      data?: {
        resultType: string;
        result: Array<{ metric: Record<string, string>; value: [number, string] }>;
      };
    };
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      body = (await res.json()) as typeof body;
    } catch (err) {
      throw new MetricsSourceError('Prometheus query failed', { cause: err });
    }
    if (body.status !== 'success' || !body.data) {
      throw new MetricsSourceError(`Prometheus query rejected: ${body.error ?? 'unknown error'}`);
    }
    const out: Series[] = [];
    for (const r of body.data.result) {
      const value = Number(r.value[1]);
      if (!Number.isFinite(value)) continue;
      out.push({ labels: Object.fromEntries(by.map((k) => [k, r.metric[k] ?? ''])), value });
    }
    return out;
  }

  return {
    kind: 'prometheus',
    window: (period) => (over ? `${over.start.toISOString()}/${over.end.toISOString()}` : `last ${period}`),
    counter: (name, by, period) =>
      query(`sum ${byClause(by)} (increase(${series(name)}[${range(period)}]))`, by),
    gauge: (name, by, aggregate = 'sum') => query(`${aggregate} ${byClause(by)} (${series(name)})`, by),
    histogramCount: (name, by, period) =>
      query(`sum ${byClause(by)} (increase(${series(name, '_count')}[${range(period)}]))`, by),
    histogramQuantile: (name, q, by, period) =>
      query(
        `histogram_quantile(${q}, sum by (${['le', ...by].join(',')}) (rate(${series(name, '_bucket')}[${range(period)}])))`,
        by,
      ),
  };
}
