/**
 * Every metric a dashboard or rule names is resolved here, against the SDK's instrument
 * catalogue (`instrumentCatalogue` / `prometheusName` from `@authlens/sdk`), so a renamed or
 * misspelt instrument fails generation instead of drawing an empty panel. Names that are not
 * ours (collector self-metrics, Prometheus built-ins) come from an explicit allow-list; our own
 * recording rules are added by `expressions.ts`.
 */
import { instrumentCatalogue, prometheusName } from '@authlens/sdk';

export type InstrumentKind = 'counter' | 'updowncounter' | 'histogram' | 'gauge';

export interface CatalogueInstrument {
  readonly name: string;
  readonly kind: InstrumentKind;
  readonly unit: string;
  readonly attributes: readonly string[];
}

/** The instruments the dashboards and rules may name. */
export const catalogue: readonly CatalogueInstrument[] = instrumentCatalogue.map((entry) => ({
  name: entry.name,
  kind: entry.kind,
  unit: entry.unit,
  attributes: Object.keys(entry.attributes),
}));

/**
 * OTel instrument name → the name Prometheus sees (base name for histograms). The SDK's scrape
 * endpoint does not append units (`auth_login_duration_bucket`, not `..._seconds_bucket`).
 */
export const toPrometheusName = (otelName: string): string => prometheusName(otelName);

/** OTel attribute key → Prometheus label name. */
export const toLabelName = (attribute: string): string => attribute.replace(/[^a-zA-Z0-9_]/g, '_');

/**
 * Metrics that are not in the catalogue but may appear in expressions: Prometheus built-ins
 * and the collector's own telemetry (names checked against collector v0.161
 * `receiverhelper`/`exporterhelper`/`processorhelper` documentation.md; counters get `_total`).
 */
export const externalMetrics: readonly string[] = [
  'up',
  'ALERTS',
  'target_info',
  'otelcol_receiver_accepted_spans_total',
  'otelcol_receiver_accepted_metric_points_total',
  'otelcol_receiver_accepted_log_records_total',
  'otelcol_receiver_refused_spans_total',
  'otelcol_receiver_refused_metric_points_total',
  'otelcol_receiver_refused_log_records_total',
  'otelcol_exporter_sent_spans_total',
  'otelcol_exporter_sent_metric_points_total',
  'otelcol_exporter_sent_log_records_total',
  'otelcol_exporter_send_failed_spans_total',
  'otelcol_exporter_send_failed_metric_points_total',
  'otelcol_exporter_send_failed_log_records_total',
  'otelcol_exporter_enqueue_failed_spans_total',
  'otelcol_exporter_enqueue_failed_metric_points_total',
  'otelcol_exporter_enqueue_failed_log_records_total',
  'otelcol_exporter_queue_size',
  'otelcol_exporter_queue_capacity',
  'otelcol_processor_incoming_items_total',
  'otelcol_processor_outgoing_items_total',
];
