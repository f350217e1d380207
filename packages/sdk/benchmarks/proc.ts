/**
 * Per-process figures from `/proc` for the benchmarks: CPU time of all threads (nanosecond
 * `schedstat` run times, so a short slice at a fixed rate is not rounded to 10 ms ticks) and RSS.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds (user + system) the live threads of `pid` have run so far. */
export function cpuSeconds(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ns / 1e9;
}

/** Resident set size of `pid` in MB. */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}
