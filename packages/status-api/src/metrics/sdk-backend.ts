/**
 * KPIs from the SDK's in-process metric reader (the default), with label names in Prometheus
 * form (attribute dots → underscores).
 */
import { currentHandle } from '@authlens/sdk';
import { MetricsSourceError } from '../errors.ts';
import type { KpiBackend, MetricsSource, Period, Series } from './backend.ts';
import {
  attributesKey,
  increase,
  MetricsHistory,
  type MetricsHistoryOptions,
  periodToMs,
  pointValue,
} from './history.ts';
import type { ResourceMetricsLike } from './resource-metrics.ts';

const labelName = (key: string) => key.replace(/[^a-zA-Z0-9_]/g, '_');

/** `MetricsSource` of the running SDK (`currentHandle().metrics`), or undefined when it is not running. */
export function sdkMetricsSource(): MetricsSource | undefined {
  const handle = currentHandle();
  return handle?.enabled ? handle.metrics : undefined;
}

const unavailable = () =>
  new MetricsSourceError('no metrics source: start @authlens/sdk or set PROMETHEUS_URL', {
    unavailable: true,
  });

type Point = ResourceMetricsLike['scopeMetrics'][number]['metrics'][number]['dataPoints'][number];

function groupKey(labels: Record<string, string>, by: string[]) {
  return JSON.stringify(by.map((k) => labels[k] ?? ''));
}

function pick(point: Point, by: string[]): Record<string, string> {
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries(point.attributes)) all[labelName(k)] = String(v);
  return Object.fromEntries(by.map((k) => [k, all[k] ?? '']));
}

/**
 * Prometheus' `histogram_quantile` on merged cumulative buckets: linear interpolation inside
 * the bucket holding the rank; the lowest bucket starts at 0; ranks in +Inf give the top bound.
 */
export function bucketQuantile(q: number, boundaries: number[], counts: number[]): number | undefined {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i] ?? 0;
    if (cumulative + count >= rank && count > 0) {
      if (i >= boundaries.length) return boundaries.at(-1);
      const lower = i === 0 ? 0 : (boundaries[i - 1] ?? 0);
      const upper = boundaries[i] ?? lower;
      return lower + ((upper - lower) * (rank - cumulative)) / count;
    }
    cumulative += count;
  }
  return boundaries.at(-1);
}

async function collectFrom(source: MetricsSource | undefined): Promise<ResourceMetricsLike | undefined> {
  const collected = await source?.collect();
  if (!collected) return undefined;
  return 'resourceMetrics' in collected ? collected.resourceMetrics : collected;
}

/** In-process metric history for {@link createSdkBackend}: samples `resolve()`'s metrics on a timer. */
export function createMetricsHistory(
  resolve: () => MetricsSource | undefined,
  options?: MetricsHistoryOptions,
): MetricsHistory {
  return new MetricsHistory(() => collectFrom(resolve()), options);
}

/**
 * KPIs from the in-process metrics. Counters and histograms are cumulative since the process
 * started; with a `history` (sampled by its own timer) they are answered over `period` as soon
 * as the history reaches back that far.
 */
export function createSdkBackend(
  resolve: () => MetricsSource | undefined,
  options: { history?: MetricsHistory } = {},
): KpiBackend {
  const { history } = options;
  const baseline = (period: Period | undefined) =>
    history && period ? history.baseline(periodToMs(period)) : undefined;
  const points = async (name: string, period?: Period): Promise<Point[]> => {
    const rm = await collectFrom(resolve());
    if (!rm) throw unavailable();
    const base = baseline(period)?.sample.get(name);
    const out: Point[] = [];
    for (const scope of rm.scopeMetrics) {
      for (const metric of scope.metrics) {
        if (metric.descriptor.name !== name) continue;
        if (!base) {
          out.push(...metric.dataPoints);
          continue;
        }
        for (const p of metric.dataPoints) {
          const current = pointValue(p);
          if (current === undefined) continue;
          const v = increase(current, base.get(attributesKey(p.attributes)));
          out.push({
            attributes: p.attributes,
            value:
              typeof v === 'number'
                ? v
                : { count: v.count, buckets: { boundaries: v.boundaries, counts: v.counts } },
          });
        }
      }
    }
    return out;
  };
  const sum = async (
    name: string,
    by: string[],
    read: (p: Point) => number | undefined,
    period?: Period,
    aggregate: 'sum' | 'max' = 'sum',
  ): Promise<Series[]> => {
    const groups = new Map<string, Series>();
    for (const point of await points(name, period)) {
      const value = read(point);
      if (value === undefined) continue;
      const labels = pick(point, by);
      const key = groupKey(labels, by);
      const series = groups.get(key);
      if (series) series.value = aggregate === 'max' ? Math.max(series.value, value) : series.value + value;
      else groups.set(key, { labels, value });
    }
    return [...groups.values()];
  };
  const scalar = (p: Point) => (typeof p.value === 'number' ? p.value : undefined);
  return {
    kind: 'sdk',
    ...(history && { history }),
    window: (period) => (baseline(period) ? `last ${period}` : 'since process start'),
    counter: (name, by, period) => sum(name, by, scalar, period),
    gauge: (name, by, aggregate) => sum(name, by, scalar, undefined, aggregate),
    histogramCount: (name, by, period) =>
      sum(name, by, (p) => (typeof p.value === 'number' ? undefined : p.value.count), period),
    async histogramQuantile(name, q, by, period) {
      const groups = new Map<
        string,
        { labels: Record<string, string>; boundaries: number[]; counts: number[] }
      >();
      for (const point of await points(name, period)) {
        if (typeof point.value === 'number' || !point.value.buckets) continue;
        const { boundaries, counts } = point.value.buckets;
        const labels = pick(point, by);
        const key = groupKey(labels, by);
        const group = groups.get(key);
        if (!group) groups.set(key, { labels, boundaries: [...boundaries], counts: [...counts] });
        else {
          for (const [i, c] of counts.entries()) group.counts[i] = (group.counts[i] ?? 0) + c;
        }
      }
      const out: Series[] = [];
      for (const g of groups.values()) {
        const value = bucketQuantile(q, g.boundaries, g.counts);
        if (value !== undefined) out.push({ labels: g.labels, value });
      }
      return out;
    },
  };
}
