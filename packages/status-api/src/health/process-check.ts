/** Health check of the process itself: event-loop delay and heap use. */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import v8 from 'node:v8';
import { type CommonCheckOptions, common } from './check-options.ts';
import type { HealthCheck, HealthObservation, HealthStatus } from './types.ts';

export interface ProcessCheckOptions extends Omit<CommonCheckOptions, 'degradedMs'> {
  /** `warn` above this p99 event-loop delay since the last check. Default 200 ms. */
  maxEventLoopDelayMs?: number;
  /** `warn` above this share of the heap limit. Default 0.9. */
  maxHeapRatio?: number;
}

/**
 * Event-loop delay (p99 between two runs) and heap use against the heap limit. Delay sampling
 * starts at the first run, so start-up work (module loading, warm-up) is not counted; the first
 * run reports heap only.
 */
export function processCheck(options: ProcessCheckOptions = {}): HealthCheck {
  const maxDelay = options.maxEventLoopDelayMs ?? 200;
  const maxHeap = options.maxHeapRatio ?? 0.9;
  const histogram = monitorEventLoopDelay({ resolution: 20 });
  let sampling = false;
  return {
    ...common(options, {
      name: 'process',
      displayName: 'Application',
      componentType: 'system',
      critical: false,
    }),
    async check() {
      const p99 = histogram.count > 0 ? Math.round((histogram.percentile(99) / 1e6) * 100) / 100 : undefined;
      histogram.reset();
      if (!sampling) {
        histogram.enable();
        sampling = true;
      }
      const heapUsed = process.memoryUsage().heapUsed;
      const limit = v8.getHeapStatistics().heap_size_limit;
      const ratio = Math.round((heapUsed / limit) * 1000) / 1000;
      const delayStatus: HealthStatus = p99 !== undefined && p99 > maxDelay ? 'warn' : 'pass';
      const heapStatus: HealthStatus = ratio > maxHeap ? 'warn' : 'pass';
      const observations: HealthObservation[] = [];
      if (p99 !== undefined) {
        observations.push({
          measurement: 'eventLoopDelayP99',
          observedValue: p99,
          observedUnit: 'ms',
          status: delayStatus,
        });
      }
      return {
        status: delayStatus === 'pass' && heapStatus === 'pass' ? 'pass' : 'warn',
        message: 'process running',
        observations: [
          ...observations,
          { measurement: 'heapUsed', observedValue: heapUsed, observedUnit: 'bytes', status: heapStatus },
          { measurement: 'heapUsedRatio', observedValue: ratio, observedUnit: 'ratio', status: heapStatus },
        ],
        details: { uptimeSeconds: Math.round(process.uptime()) },
      };
    },
    close() {
      histogram.disable();
    },
  };
}
