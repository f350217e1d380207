/**
 * In-process metric history, so the SDK backend can answer "over the last `period`" and not only
 * "since the process started": cumulative samples are taken on a timer and kept at a resolution
 * that coarsens with age, and a windowed value is the current cumulative value minus the one of
 * the newest sample at least `period` old.
 *
 * Kept: every sample of the last 65 minutes, then the first sample of each 10-minute slot up to
 * 6¼ hours, of each hour up to 25 hours and of each 6-hour slot up to 31 days — at most ~240
 * samples. With the default one-minute sampling a `1h` window is exact to a minute, `6h` to ten
 * minutes, `24h` to an hour, `7d` and `30d` to six hours (each tier reaches one slot past the
 * period it serves, so a baseline is never older than the period plus one slot).
 */
import type { ResourceMetricsLike } from './resource-metrics.ts';

export type PointValue = number | { count: number; boundaries: number[]; counts: number[] };

/** One sample: metric name → attribute set (canonical key) → cumulative value. */
export type Sample = Map<string, Map<string, PointValue>>;

export interface MetricsHistoryOptions {
  /** How often to sample (default 60 s). */
  sampleEveryMs?: number;
  now?: () => number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const tiers: Array<{ maxAge: number; slot: number }> = [
  { maxAge: 65 * MINUTE, slot: 0 },
  { maxAge: 6 * HOUR + 15 * MINUTE, slot: 10 * MINUTE },
  { maxAge: 25 * HOUR, slot: HOUR },
  { maxAge: 31 * DAY, slot: 6 * HOUR },
];

const periodMs: Record<string, number> = { h: HOUR, d: DAY };
/** `1h`, `24h`, `7d` … in milliseconds. */
export function periodToMs(period: string): number {
  const m = /^(\d+)([hd])$/.exec(period);
  if (!m) throw new RangeError(`unsupported period ${period}`);
  return Number(m[1]) * (periodMs[m[2] as string] ?? HOUR);
}

/** Canonical key of an attribute set (order-independent). */
export function attributesKey(attributes: Record<string, unknown>): string {
  const keys = Object.keys(attributes).sort();
  let out = '';
  for (const k of keys) out += `${k}\u0000${String(attributes[k])}\u0001`;
  return out;
}

type Point = ResourceMetricsLike['scopeMetrics'][number]['metrics'][number]['dataPoints'][number];

/** A number or a bucketed histogram; undefined for histograms without buckets (exponential). */
export function pointValue(p: Point): PointValue | undefined {
  const v = p.value;
  if (typeof v === 'number') return v;
  return v.buckets
    ? { count: v.count, boundaries: v.buckets.boundaries, counts: v.buckets.counts }
    : undefined;
}

export function toSample(rm: ResourceMetricsLike): Sample {
  const sample: Sample = new Map();
  for (const scope of rm.scopeMetrics) {
    for (const metric of scope.metrics) {
      const points = sample.get(metric.descriptor.name) ?? new Map<string, PointValue>();
      sample.set(metric.descriptor.name, points);
      for (const p of metric.dataPoints) {
        const v = pointValue(p);
        if (v === undefined) continue;
        // Copied: a cumulative histogram's arrays are the SDK's live state.
        points.set(
          attributesKey(p.attributes),
          typeof v === 'number'
            ? v
            : { count: v.count, boundaries: [...v.boundaries], counts: [...v.counts] },
        );
      }
    }
  }
  return sample;
}

/**
 * `current − base` for one cumulative point; when the base is missing, larger than the current
 * value (the counter was reset) or has other bucket bounds, the current value is the increase.
 */
export function increase(current: PointValue, base: PointValue | undefined): PointValue {
  if (base === undefined) return current;
  if (typeof current === 'number') {
    return typeof base === 'number' && base <= current ? current - base : current;
  }
  if (
    typeof base === 'number' ||
    base.count > current.count ||
    base.boundaries.length !== current.boundaries.length ||
    base.counts.length !== current.counts.length ||
    base.boundaries.some((b, i) => b !== current.boundaries[i])
  ) {
    return current;
  }
  const counts = current.counts.map((c, i) => c - (base.counts[i] ?? 0));
  if (counts.some((c) => c < 0)) return current;
  return { count: current.count - base.count, boundaries: current.boundaries, counts };
}

export class MetricsHistory {
  readonly #collect: () => Promise<ResourceMetricsLike | undefined>;
  readonly #every: number;
  readonly #now: () => number;
  #samples: Array<{ at: number; sample: Sample }> = [];
  #timer: NodeJS.Timeout | undefined;
  #pending: Promise<void> | undefined;

  constructor(collect: () => Promise<ResourceMetricsLike | undefined>, options: MetricsHistoryOptions = {}) {
    this.#collect = collect;
    this.#every = options.sampleEveryMs ?? MINUTE;
    this.#now = options.now ?? Date.now;
  }

  /** Takes a first sample now and one every `sampleEveryMs` (the timer does not hold the process). */
  start(): void {
    if (this.#timer) return;
    void this.sample();
    this.#timer = setInterval(() => void this.sample(), this.#every);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#pending;
  }

  /** Takes one sample (errors are ignored: a missing sample only makes a window coarser). */
  sample(): Promise<void> {
    this.#pending ??= (async () => {
      try {
        const rm = await this.#collect();
        if (rm) this.#add(this.#now(), toSample(rm));
      } catch {
        // metrics unavailable right now: no sample
      } finally {
        this.#pending = undefined;
      }
    })();
    return this.#pending;
  }

  get size(): number {
    return this.#samples.length;
  }

  /** The newest sample taken at least `ageMs` ago, or undefined when history is shorter. */
  baseline(ageMs: number): { at: number; sample: Sample } | undefined {
    const cutoff = this.#now() - ageMs;
    let found: { at: number; sample: Sample } | undefined;
    for (const s of this.#samples) {
      if (s.at > cutoff) break;
      found = s;
    }
    return found;
  }

  #add(at: number, sample: Sample): void {
    this.#samples.push({ at, sample });
    this.#samples.sort((a, b) => a.at - b.at);
    const now = this.#now();
    const seenSlots = new Set<string>();
    this.#samples = this.#samples.filter(({ at: t }) => {
      const age = now - t;
      const tierIndex = tiers.findIndex((x) => age <= x.maxAge);
      const tier = tiers[tierIndex];
      if (!tier) return false;
      if (tier.slot === 0) return true;
      const slot = `${tierIndex}:${Math.floor(t / tier.slot)}`;
      if (seenSlots.has(slot)) return false;
      seenSlots.add(slot);
      return true;
    });
  }
}
