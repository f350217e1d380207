/**
 * The OpenMetrics 1.0 text format (https://openmetrics.io, `application/openmetrics-text`), served
 * by the scrape port when the scraper asks for it. Same series as the Prometheus text format the
 * stock serializer writes (names, `otel_scope_*` labels, `target_info`), plus what only
 * OpenMetrics can carry: exemplars on histogram buckets (the request-duration histogram's, see
 * `request-duration.ts`), `# UNIT` lines, and the `# EOF` terminator.
 */
import type { Attributes } from '@opentelemetry/api';
import {
  DataPointType,
  type HistogramMetricData,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { Exemplar, ExemplarDataPoint } from './request-duration.ts';

export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** True when an `Accept` header lists `application/openmetrics-text` with a non-zero quality. */
export function acceptsOpenMetrics(accept: string | undefined): boolean {
  if (accept === undefined || !accept.includes('application/openmetrics-text')) return false;
  for (const range of accept.split(',')) {
    const [type, ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    if (type !== 'application/openmetrics-text') continue;
    const q = params.find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) return true;
  }
  return false;
}

/** Units OpenMetrics names carry as a suffix (`withUnitSuffixes` appends them). */
const UNITS = ['seconds', 'milliseconds', 'microseconds', 'bytes', 'ratio'];

function sanitizeName(name: string): string {
  const s = name.replace(/[^a-zA-Z0-9_]/g, '_').replace(/_{2,}/g, '_');
  return s[0] !== undefined && s[0] >= '0' && s[0] <= '9' ? `_${s}` : s;
}

/** OpenMetrics escaping, the same for label values and HELP text: `\\`, newline, `"`. */
function escapeText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeLabelValue(value: unknown): string {
  return escapeText(typeof value === 'string' ? value : JSON.stringify(value));
}

function num(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return Number.isNaN(v) ? 'NaN' : String(v);
}

/** `a="1",b="2"` for the attributes (sanitized names, escaped values). */
function labelPairs(attributes: Attributes): string {
  let out = '';
  for (const key of Object.keys(attributes)) {
    const v = attributes[key];
    if (v === undefined) continue;
    out += `${out ? ',' : ''}${sanitizeName(key)}="${escapeLabelValue(v)}"`;
  }
  return out;
}

function braces(...parts: string[]): string {
  const inner = parts.filter((p) => p !== '').join(',');
  return inner ? `{${inner}}` : '';
}

function exemplarSuffix(e: Exemplar | undefined): string {
  if (e === undefined) return '';
  // The label set is 84 characters (the spec allows 128); the timestamp is in seconds.
  return ` # {trace_id="${e.traceId}",span_id="${e.spanId}"} ${num(e.value)} ${(e.timeMs / 1000).toFixed(3)}`;
}

type Kind = 'counter' | 'gauge' | 'histogram';

function kindOf(metric: MetricData): Kind | undefined {
  switch (metric.dataPointType) {
    case DataPointType.SUM:
      return metric.isMonotonic ? 'counter' : 'gauge';
    case DataPointType.GAUGE:
      return 'gauge';
    case DataPointType.HISTOGRAM:
      return 'histogram';
    default:
      // Exponential histograms have no OpenMetrics 1.0 form; the SDK's own instruments use none.
      return undefined;
  }
}

interface Family {
  kind: Kind;
  help: string;
  samples: string;
}

function histogramSamples(name: string, metric: HistogramMetricData, scopeLabels: string): string {
  let out = '';
  for (const point of metric.dataPoints as ExemplarDataPoint[]) {
    const labels = labelPairs(point.attributes);
    const { buckets, count, sum } = point.value;
    const exemplars = point.exemplars;
    let cumulative = 0;
    for (let i = 0; i < buckets.counts.length; i++) {
      cumulative += buckets.counts[i] as number;
      const bound = buckets.boundaries[i];
      const le = bound === undefined || bound === Number.POSITIVE_INFINITY ? '+Inf' : num(bound);
      out += `${name}_bucket${braces(labels, scopeLabels, `le="${le}"`)} ${cumulative}${exemplarSuffix(exemplars?.[i])}\n`;
      if (bound === Number.POSITIVE_INFINITY) break;
    }
    out += `${name}_count${braces(labels, scopeLabels)} ${count}\n`;
    if (sum !== undefined) out += `${name}_sum${braces(labels, scopeLabels)} ${num(sum)}\n`;
  }
  return out;
}

/**
 * Serializes collected metrics (after `withUnitSuffixes`) as OpenMetrics text, ending with
 * `# EOF`. Metric families of the same name from several scopes are merged; a name used with two
 * different types is dropped (as the stock Prometheus serializer does).
 */
export function serializeOpenMetrics(rm: ResourceMetrics): string {
  const families = new Map<string, Family | null>();
  for (const { scope, metrics } of rm.scopeMetrics) {
    const scopeAttrs: Attributes = { 'otel.scope.name': scope.name };
    if (scope.version) scopeAttrs['otel.scope.version'] = scope.version;
    if (scope.schemaUrl) scopeAttrs['otel.scope.schema_url'] = scope.schemaUrl;
    const scopeLabels = labelPairs(scopeAttrs);
    for (const metric of metrics) {
      const kind = kindOf(metric);
      if (kind === undefined) continue;
      let name = sanitizeName(metric.descriptor.name);
      // A counter family is named without `_total`; its samples carry it.
      if (kind === 'counter' && name.endsWith('_total')) name = name.slice(0, -'_total'.length);
      if (name === '' || name === '_') continue;
      let samples = '';
      if (metric.dataPointType === DataPointType.HISTOGRAM) {
        samples = histogramSamples(name, metric, scopeLabels);
      } else {
        const sampleName = kind === 'counter' ? `${name}_total` : name;
        for (const point of metric.dataPoints) {
          samples += `${sampleName}${braces(labelPairs(point.attributes), scopeLabels)} ${num(point.value as number)}\n`;
        }
      }
      const family = families.get(name);
      if (family === null) continue;
      if (family === undefined) {
        families.set(name, { kind, help: metric.descriptor.description, samples });
      } else if (family.kind !== kind) {
        families.set(name, null);
      } else {
        family.samples += samples;
        family.help ||= metric.descriptor.description;
      }
    }
  }
  let out = `# TYPE target info\n# HELP target Target metadata\ntarget_info${braces(labelPairs(rm.resource.attributes))} 1\n`;
  for (const [name, family] of families) {
    if (family === null || family.samples === '') continue;
    out += `# TYPE ${name} ${family.kind}\n`;
    const unit = UNITS.find((u) => name.endsWith(`_${u}`));
    if (unit !== undefined) out += `# UNIT ${name} ${unit}\n`;
    if (family.help) out += `# HELP ${name} ${escapeText(family.help)}\n`;
    out += family.samples;
  }
  return `${out}# EOF\n`;
}
