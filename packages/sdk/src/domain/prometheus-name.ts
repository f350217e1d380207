/**
 * The name Prometheus gives an OpenTelemetry instrument, the way the SDK's scrape endpoint and the
 * Collector's Prometheus exporters translate it (see `catalogue.ts`).
 */
/** The kinds of instrument authlens records; the kind decides the `_total` and `_ratio` suffixes. */
export type InstrumentKind = 'counter' | 'histogram' | 'updowncounter' | 'gauge';

const UNIT_SUFFIXES: Readonly<Record<string, string>> = {
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  By: 'bytes',
};

/**
 * The Prometheus name of an instrument: every character outside `[a-zA-Z0-9_:]` becomes `_`,
 * the unit suffix is appended unless the name already ends with it (`_ratio` for unit `1`
 * gauges), and monotonic counters get `_total`.
 */
export function translateToPrometheus(name: string, kind: InstrumentKind, unit: string): string {
  let base = name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/_{2,}/g, '_');
  const suffix = unit === '1' && kind === 'gauge' ? 'ratio' : UNIT_SUFFIXES[unit];
  if (suffix && !name.endsWith(suffix)) base = `${base}_${suffix}`;
  return kind === 'counter' && !base.endsWith('_total') ? `${base}_total` : base;
}
