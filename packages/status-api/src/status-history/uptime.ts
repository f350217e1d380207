/**
 * Uptime maths, the way Statuspage counts it: each sample's state stands from its slot until the
 * next sample (at most 15 minutes); a day adds up the seconds spent in each state.
 * Uptime = (observed − major − 0.3 × partial) / observed; degraded performance costs nothing.
 * Time with no sample at all is "no data": neither up nor down.
 */
import { type ComponentState, STATE_RANK } from '../health/status-page.ts';

export const DAY_MS = 86_400_000;
/** Samples are kept one per component per minute: the first replica to write a minute wins. */
export const SAMPLE_SLOT_MS = 60_000;
/** A sample stands for at most this long (the health job runs every 5 minutes by default). */
export const MAX_SAMPLE_SPAN_MS = 15 * 60_000;
/** Statuspage's weight of a partial outage minute against a major outage minute. */
export const PARTIAL_OUTAGE_WEIGHT = 0.3;

export interface Sample {
  /** Epoch ms, minute-aligned. */
  slot: number;
  state: ComponentState;
}

/** Seconds per state over a period, and its worst state (null: no data). */
export interface StateSeconds {
  observed: number;
  degraded: number;
  partial: number;
  major: number;
  worst: ComponentState | null;
}

export const emptySeconds = (): StateSeconds => ({
  observed: 0,
  degraded: 0,
  partial: 0,
  major: 0,
  worst: null,
});

export const dayStartOf = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;
export const slotOf = (ms: number) => Math.floor(ms / SAMPLE_SLOT_MS) * SAMPLE_SLOT_MS;

/**
 * Seconds per state inside [from, to) from samples sorted by slot (one sample before `from`
 * may carry into it). The last sample stands until `min(slot + span, until)`.
 */
export function secondsBetween(
  samples: readonly Sample[],
  from: number,
  to: number,
  until = to,
): StateSeconds {
  const out = emptySeconds();
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as Sample;
    const next = samples[i + 1]?.slot ?? Number.POSITIVE_INFINITY;
    const start = Math.max(s.slot, from);
    const end = Math.min(next, s.slot + MAX_SAMPLE_SPAN_MS, to, until);
    const seconds = end > start ? Math.round((end - start) / 1000) : 0;
    // A sample taken inside the period counts for its worst state even before it has lasted.
    if (seconds === 0 && !(s.slot >= from && s.slot < to)) continue;
    out.observed += seconds;
    if (s.state === 'degraded_performance') out.degraded += seconds;
    else if (s.state === 'partial_outage') out.partial += seconds;
    else if (s.state === 'major_outage') out.major += seconds;
    if (out.worst === null || STATE_RANK[s.state] > STATE_RANK[out.worst]) out.worst = s.state;
  }
  return out;
}

/** Adds period totals (e.g. days into 7/30/90-day figures). */
export function addSeconds(a: StateSeconds, b: StateSeconds): StateSeconds {
  const worst =
    a.worst === null
      ? b.worst
      : b.worst === null || STATE_RANK[a.worst] >= STATE_RANK[b.worst]
        ? a.worst
        : b.worst;
  return {
    observed: a.observed + b.observed,
    degraded: a.degraded + b.degraded,
    partial: a.partial + b.partial,
    major: a.major + b.major,
    worst,
  };
}

/** Uptime 0–1 (null when nothing was observed). */
export function uptime(s: Pick<StateSeconds, 'observed' | 'partial' | 'major'>): number | null {
  if (s.observed <= 0) return null;
  const down = s.major + PARTIAL_OUTAGE_WEIGHT * s.partial;
  return Math.max(0, (s.observed - down) / s.observed);
}

/** `99.95%`, `100%`, or `no data`; never rounds a lost minute up to 100%. */
export function formatUptime(value: number | null): string {
  if (value === null) return 'no data';
  if (value >= 1) return '100%';
  const floored = Math.floor(value * 10_000) / 100;
  return `${floored.toFixed(2)}%`;
}
