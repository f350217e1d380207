/** BullMQ job-queue health check. */
import { type CommonCheckOptions, common } from './check-options.ts';
import type { HealthCheck, HealthObservation } from './types.ts';

/**
 * The part of a BullMQ `Queue` the check reads (a structural type: `bullmq` is an optional
 * peer, so neither the code nor its declarations import it).
 */
export interface BullmqQueueLike {
  readonly name: string;
  getJobCounts(...types: Array<'waiting' | 'active' | 'delayed' | 'failed'>): Promise<Record<string, number>>;
  getWorkersCount(): Promise<number>;
}

export interface BullmqCheckOptions extends CommonCheckOptions {
  /** The queues to watch (borrowed BullMQ `Queue`s). */
  queues: BullmqQueueLike[];
  /** `warn` when a queue has no worker connected. Default true. */
  requireWorkers?: boolean;
  /** `warn` when waiting jobs exceed this. Default 1000. */
  maxWaiting?: number;
  /** `warn` when failed jobs exceed this. Default 100. */
  maxFailed?: number;
}

/** Workers connected and waiting/active/delayed/failed job counts for each queue. */
export function bullmqCheck(options: BullmqCheckOptions): HealthCheck {
  const requireWorkers = options.requireWorkers ?? true;
  const maxWaiting = options.maxWaiting ?? 1000;
  const maxFailed = options.maxFailed ?? 100;
  if (options.queues.length === 0) throw new TypeError('bullmqCheck: queues must not be empty');
  return {
    ...common(options, {
      name: 'queues',
      displayName: 'Background jobs',
      componentType: 'component',
      critical: false,
    }),
    async check() {
      const per = await Promise.all(
        options.queues.map(async (queue) => {
          const [counts, workers] = await Promise.all([
            queue.getJobCounts('waiting', 'active', 'delayed', 'failed'),
            queue.getWorkersCount(),
          ]);
          return { name: queue.name, workers, counts };
        }),
      );
      const observations: HealthObservation[] = [];
      const details: Record<string, number> = {};
      const problems: string[] = [];
      for (const q of per) {
        const waiting = q.counts.waiting ?? 0;
        const failed = q.counts.failed ?? 0;
        const noWorkers = requireWorkers && q.workers === 0;
        if (noWorkers) problems.push(`${q.name}: no workers`);
        if (waiting > maxWaiting) problems.push(`${q.name}: ${waiting} waiting`);
        if (failed > maxFailed) problems.push(`${q.name}: ${failed} failed`);
        observations.push({
          measurement: `${q.name}.workers`,
          observedValue: q.workers,
          observedUnit: 'workers',
          status: noWorkers ? 'warn' : 'pass',
        });
        for (const state of ['waiting', 'active', 'delayed', 'failed'] as const) {
          const value = q.counts[state] ?? 0;
          details[`${q.name}.${state}`] = value;
          observations.push({
            measurement: `${q.name}.${state}`,
            observedValue: value,
            observedUnit: 'jobs',
          });
        }
        details[`${q.name}.workers`] = q.workers;
      }
      return {
        status: problems.length > 0 ? 'warn' : 'pass',
        message: problems.length > 0 ? problems.join('; ') : 'queues processing',
        observations,
        details,
      };
    },
  };
}
