/**
 * What every KPI backend answers, and the types they share: the periods, a labelled series, the
 * in-process `MetricsSource` and the `KpiBackend` contract itself.
 */
import type { MetricsHistory } from './history.ts';
import type { ResourceMetricsLike } from './resource-metrics.ts';

export const periods = ['1h', '6h', '24h', '7d', '30d'] as const;
export type Period = (typeof periods)[number];

export interface Series {
  labels: Record<string, string>;
  value: number;
}

/** In-process metrics: what `currentHandle().metrics` of `@authlens/sdk` provides. */
export interface MetricsSource {
  /**
   * Collects the current cumulative metrics (OTel `ResourceMetrics`, or a reader's
   * `{ resourceMetrics }`); undefined when telemetry is off.
   */
  collect(): Promise<ResourceMetricsLike | { resourceMetrics: ResourceMetricsLike } | undefined>;
  /** The same metrics in the Prometheus text format. */
  prometheusText?(): Promise<string>;
  /** The same metrics as OpenMetrics 1.0 with exemplars (served when the scraper asks for it). */
  openMetricsText?(): Promise<string>;
}

export interface KpiBackend {
  readonly kind: 'sdk' | 'prometheus';
  /** The in-process history behind the windows of an `sdk` backend (sampled by its own timer). */
  readonly history?: MetricsHistory;
  /** What a `period` covers right now, e.g. `last 1h` or `since process start`. */
  window(period: Period): string;
  /**
   * Counter increase over the period (in-process: over the period when the backend keeps a
   * history that reaches back that far, else since process start), summed by labels.
   */
  counter(name: string, by: string[], period: Period): Promise<Series[]>;
  /**
   * Current gauge / up-down counter value, summed by labels (`max`: the largest, for a value every
   * replica reports about shared data, such as the age of the oldest record kept).
   */
  gauge(name: string, by: string[], aggregate?: 'sum' | 'max'): Promise<Series[]>;
  /** Histogram observation count over the period, summed by labels. */
  histogramCount(name: string, by: string[], period: Period): Promise<Series[]>;
  /** Histogram quantile (0–1) over the period by labels (NaN-free; groups without data are left out). */
  histogramQuantile(name: string, q: number, by: string[], period: Period): Promise<Series[]>;
}

/** A half-open time range `[start, end)`. */
export interface KpiPeriod {
  start: Date;
  end: Date;
}
