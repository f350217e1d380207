/**
 * Where KPI numbers come from: the SDK's in-process metric reader (default, `sdk-backend.ts`) or
 * Prometheus's HTTP API (`PROMETHEUS_URL`, so many replicas report one truth;
 * `prometheus-backend.ts`). Both answer the same small set of questions (`backend.ts`), with
 * label names in Prometheus form (attribute dots → underscores).
 */

export {
  type KpiBackend,
  type KpiPeriod,
  type MetricsSource,
  type Period,
  periods,
  type Series,
} from './backend.ts';
export { createPrometheusBackend, type PrometheusBackendOptions } from './prometheus-backend.ts';
export type { ResourceMetricsLike } from './resource-metrics.ts';
export { bucketQuantile, createMetricsHistory, createSdkBackend, sdkMetricsSource } from './sdk-backend.ts';
