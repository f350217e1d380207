/**
 * Typed access to metric and label names for PromQL. Every name goes through the catalogue:
 * asking for an instrument that does not exist, with the wrong kind, or for an attribute the
 * instrument does not carry throws while the dashboards are being built.
 */
import {
  type CatalogueInstrument,
  catalogue,
  externalMetrics,
  type InstrumentKind,
  toLabelName,
  toPrometheusName,
} from './catalogue.ts';

export interface ResolvedMetric {
  readonly otelName: string;
  readonly kind: InstrumentKind;
  /** Prometheus series name (for histograms, the base name without `_bucket`/`_sum`/`_count`). */
  readonly name: string;
  /** Prometheus label name of one of the instrument's attributes. */
  label(attribute: string): string;
}

export interface ResolvedHistogram extends ResolvedMetric {
  readonly bucket: string;
  readonly sum: string;
  readonly count: string;
}

function find(otelName: string): CatalogueInstrument {
  const entry = catalogue.find((x) => x.name === otelName);
  if (!entry) throw new Error(`metric ${otelName} is not in the SDK's instrument catalogue`);
  return entry;
}

function resolve(otelName: string, kinds: readonly InstrumentKind[]): ResolvedMetric {
  const entry = find(otelName);
  if (!kinds.includes(entry.kind)) {
    throw new Error(`metric ${otelName} is a ${entry.kind}, expected ${kinds.join(' or ')}`);
  }
  return {
    otelName,
    kind: entry.kind,
    name: toPrometheusName(otelName),
    label(attribute: string) {
      if (!entry.attributes.includes(attribute)) {
        throw new Error(
          `metric ${otelName} has no attribute ${attribute} (catalogue allows: ${entry.attributes.join(', ') || 'none'})`,
        );
      }
      return toLabelName(attribute);
    },
  };
}

/** A monotonic counter; `name` ends in `_total`. */
export const counter = (otelName: string): ResolvedMetric => resolve(otelName, ['counter']);

/** A gauge or up-down counter (both are Prometheus gauges). */
export const gauge = (otelName: string): ResolvedMetric => resolve(otelName, ['gauge', 'updowncounter']);

export function histogram(otelName: string): ResolvedHistogram {
  const m = resolve(otelName, ['histogram']);
  return { ...m, bucket: `${m.name}_bucket`, sum: `${m.name}_sum`, count: `${m.name}_count` };
}

/** A metric from the allow-list of names that are not ours (collector, Prometheus built-ins). */
export function external(name: string): string {
  if (!externalMetrics.includes(name)) throw new Error(`metric ${name} is not on the external allow-list`);
  return name;
}

/** Every series name an expression may select: catalogue names, histogram series, allow-list. */
export function knownSeriesNames(): Set<string> {
  const names = new Set<string>(externalMetrics);
  for (const entry of catalogue) {
    const name = toPrometheusName(entry.name);
    if (entry.kind === 'histogram') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    } else {
      names.add(name);
    }
  }
  return names;
}
