/**
 * Demo history for `pnpm demo` and the browser tests: a few days of samples every 15 minutes,
 * mostly operational with a handful of short, deterministic disturbances. Stored with source
 * `demo`, so the page labels those days as demo data.
 */
import type { ComponentState } from '../health/status-page.ts';
import type { StatusHistory } from './history.ts';
import { DAY_MS, dayStartOf, MAX_SAMPLE_SPAN_MS } from './uptime.ts';

/** Disturbances by component index: [days ago, start minute of the day, minutes, state]. */
const SCRIPT: Array<[number, number, number, number, ComponentState]> = [
  [1, 2, 9 * 60, 45, 'partial_outage'],
  [1, 5, 14 * 60, 120, 'degraded_performance'],
  [2, 3, 20 * 60, 30, 'major_outage'],
  [0, 6, 3 * 60, 15, 'degraded_performance'],
];

/** Seeds `days` days before today (today itself is left to real samples); returns samples written. */
export async function seedDemoHistory(
  history: StatusHistory,
  components: readonly string[],
  days: number,
  now = new Date(),
): Promise<number> {
  const today = dayStartOf(now.getTime());
  const states: Array<{ component: string; state: ComponentState; at: number }> = [];
  components.forEach((component, index) => {
    for (let d = days; d >= 1; d--) {
      const day = today - d * DAY_MS;
      for (let t = day; t < day + DAY_MS; t += MAX_SAMPLE_SPAN_MS) {
        const minute = (t - day) / 60_000;
        const hit = SCRIPT.find(
          ([i, ago, start, length]) =>
            i === index % 3 && ago === d && minute >= start && minute < start + length,
        );
        states.push({ component, state: hit ? hit[4] : 'operational', at: t });
      }
    }
  });
  return history.recordStates(states, 'demo', now.getTime());
}
