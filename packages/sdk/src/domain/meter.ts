/**
 * How recorders find their meter. A recorder given `meter` or `meterProvider` binds to it once;
 * otherwise it binds to the global provider lazily and rebinds when the global provider changes
 * (the OpenTelemetry metrics API has no proxy provider: instruments from the no-op meter obtained
 * before `start()` would stay no-ops forever).
 */
import {
  type Counter,
  createNoopMeter,
  type Gauge,
  type Histogram,
  type Meter,
  type MeterProvider,
  metrics,
  type ObservableGauge,
  type UpDownCounter,
} from '@opentelemetry/api';
import { parseBoolean } from '../config/env.ts';
import { AuthlensError } from '../errors.ts';
import { catalogueEntry } from './catalogue.ts';

/** Instrumentation scope of every auth-domain instrument. */
export const METER_NAME = '@authlens/sdk/domain';

export interface MeterOptions {
  /** Use this meter. */
  meter?: Meter;
  /** Use a meter from this provider (ignored when `meter` is given). */
  meterProvider?: MeterProvider;
  /**
   * `false` makes the recorder a no-op. Default: on, unless `METRICS_COLLECTION_ENABLED` or the
   * area's variable (`SECURITY_MONITORING_ENABLED`, `BUSINESS_METRICS_ENABLED`,
   * `COMPLIANCE_MONITORING_ENABLED`) is `false` when the recorder is first used.
   */
  enabled?: boolean;
}

const off = (value: string | undefined) => value !== undefined && parseBoolean(value) === false;

/** Whether a recorder is on: the explicit option, else the environment toggles. */
export function recorderEnabled(options: MeterOptions, areaVariable?: string): boolean {
  if (options.enabled !== undefined) return options.enabled;
  if (off(process.env.METRICS_COLLECTION_ENABLED)) return false;
  return !(areaVariable && off(process.env[areaVariable]));
}

/**
 * Returns a function that yields instruments built by `build` for the current meter: the explicit
 * meter or provider, else the global provider (rebinding when it changes), else no-ops when the
 * recorder is disabled. The global case costs one `metrics.getMeterProvider()` call and an
 * identity check per record. `areaVariable` names the area's environment toggle (read on first use).
 */
export function lazyInstruments<T>(
  options: MeterOptions,
  build: (meter: Meter) => T,
  areaVariable?: string,
): () => T {
  const explicit = options.meter ?? options.meterProvider?.getMeter(METER_NAME);
  let mode: 'unresolved' | 'fixed' | 'global' = 'unresolved';
  let boundTo: MeterProvider | undefined;
  let built: T | undefined;
  return () => {
    if (mode === 'global') {
      const provider = metrics.getMeterProvider();
      if (provider !== boundTo) {
        built = build(provider.getMeter(METER_NAME));
        boundTo = provider;
      }
      return built!;
    }
    if (mode === 'unresolved') {
      if (!recorderEnabled(options, areaVariable)) {
        mode = 'fixed';
        built = build(createNoopMeter());
      } else if (explicit) {
        mode = 'fixed';
        built = build(explicit);
      } else {
        mode = 'global';
        boundTo = metrics.getMeterProvider();
        built = build(boundTo.getMeter(METER_NAME));
      }
    }
    return built!;
  };
}

const advice = (name: string) => {
  const buckets = catalogueEntry(name).buckets;
  return buckets ? { explicitBucketBoundaries: [...buckets] } : undefined;
};

const meta = (name: string) => {
  const entry = catalogueEntry(name);
  return { unit: entry.unit, description: entry.description };
};

/** Instrument factories that take unit, description and buckets from the catalogue. */
export const instrument = {
  counter: (meter: Meter, name: string): Counter => {
    assertKind(name, 'counter');
    return meter.createCounter(name, meta(name));
  },
  histogram: (meter: Meter, name: string): Histogram => {
    assertKind(name, 'histogram');
    return meter.createHistogram(name, { ...meta(name), advice: advice(name) });
  },
  upDownCounter: (meter: Meter, name: string): UpDownCounter => {
    assertKind(name, 'updowncounter');
    return meter.createUpDownCounter(name, meta(name));
  },
  gauge: (meter: Meter, name: string): Gauge => {
    assertKind(name, 'gauge');
    return meter.createGauge(name, meta(name));
  },
  observableGauge: (meter: Meter, name: string): ObservableGauge => {
    assertKind(name, 'gauge');
    return meter.createObservableGauge(name, meta(name));
  },
};

function assertKind(name: string, kind: string): void {
  const entry = catalogueEntry(name);
  if (entry.kind !== kind)
    throw new AuthlensError(
      'unknown_instrument',
      `Instrument "${name}" is a ${entry.kind} in the catalogue, not a ${kind}`,
    );
}
