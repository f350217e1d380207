/**
 * KPIs over one exact period from Prometheus, for the KPI snapshot jobs: every query is evaluated
 * at the period's end (the API's `time` parameter) over a range of exactly the period's length,
 * so a day or month snapshot counts that day or month and nothing else. The shared Prometheus
 * backend (`createPrometheusBackend`) answers "the last 1h … 30d from now" only.
 */
import { prometheusName } from '@authlens/sdk';
import { MetricsSourceError } from '../errors.ts';
import type { KpiBackend, Series } from '../metrics/source.ts';

/** A half-open period `[start, end)`. */
export interface KpiPeriod {
  start: Date;
  end: Date;
}

export interface PeriodBackendOptions {
  url: string;
  timeoutMs: number;
  /** Extra label matchers added to every selector (`PROMETHEUS_SELECTOR`). */
  selector?: string;
}

interface InstantResponse {
  status?: string;
  error?: string;
  data?: { result?: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

export function prometheusPeriodBackend(options: PeriodBackendOptions, period: KpiPeriod): KpiBackend {
  const seconds = Math.max(1, Math.round((period.end.getTime() - period.start.getTime()) / 1000));
  const range = `[${seconds}s]`;
  const time = String(period.end.getTime() / 1000);
  const matchers = options.selector ? `{${options.selector}}` : '';
  const selector = (metric: string, suffix = '') => `${prometheusName(metric)}${suffix}${matchers}`;
  const sumBy = (by: string[]) => (by.length > 0 ? `sum by (${by.join(',')})` : 'sum');

  async function instant(promql: string, by: string[]): Promise<Series[]> {
    const url = new URL(`/api/v1/query?${new URLSearchParams({ query: promql, time })}`, options.url);
    let answer: InstantResponse;
    try {
      answer = (await (
        await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs) })
      ).json()) as InstantResponse;
    } catch (err) {
      throw new MetricsSourceError('Prometheus query failed', { cause: err });
    }
    if (answer.status !== 'success')
      throw new MetricsSourceError(`Prometheus query rejected: ${answer.error ?? 'unknown error'}`);
    return (answer.data?.result ?? []).flatMap(({ metric, value }) => {
      const n = Number(value[1]);
      return Number.isFinite(n)
        ? [{ labels: Object.fromEntries(by.map((k) => [k, metric[k] ?? ''])), value: n }]
        : [];
    });
  }

  // Typed per member, not as a `KpiBackend` literal: it also carries `window`, which newer
  // versions of the interface declare.
  const backend = {
    kind: 'prometheus' as const,
    window: () => `${period.start.toISOString()}/${period.end.toISOString()}`,
    counter: (metric: string, by: string[]) =>
      instant(`${sumBy(by)} (increase(${selector(metric)}${range}))`, by),
    gauge: (metric: string, by: string[]) => instant(`${sumBy(by)} (${selector(metric)})`, by),
    histogramCount: (metric: string, by: string[]) =>
      instant(`${sumBy(by)} (increase(${selector(metric, '_count')}${range}))`, by),
    histogramQuantile: (metric: string, q: number, by: string[]) =>
      instant(
        `histogram_quantile(${q}, sum by (${['le', ...by].join(',')}) (rate(${selector(metric, '_bucket')}${range})))`,
        by,
      ),
  };
  return backend;
}
