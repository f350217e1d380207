/**
 * Built-in health checks, one file per kind. Each factory returns a `HealthCheck`; checks given
 * a URL own their connection (closed by `registry.close()`), checks given a client/pool only
 * borrow it.
 */
import { postgresCheck } from './postgres-check.ts';
import { redisCheck } from './redis-check.ts';
import type { HealthCheck, HealthCheckOutcome } from './types.ts';

export { type BullmqCheckOptions, type BullmqQueueLike, bullmqCheck } from './bullmq-check.ts';
export {
  type CollectorCheckOptions,
  collectorCheck,
  type HttpCheckOptions,
  httpCheck,
} from './http-check.ts';
export { type PostgresCheckOptions, postgresCheck } from './postgres-check.ts';
export { type ProcessCheckOptions, processCheck } from './process-check.ts';
export { type RedisCheckOptions, redisCheck } from './redis-check.ts';
export { type SmtpCheckOptions, smtpCheck } from './smtp-check.ts';

/** A custom check from a plain function (the counterpart of a `HealthCheck` subclass in other kits). */
export function defineHealthCheck(
  name: string,
  run: (signal: AbortSignal) => Promise<HealthCheckOutcome>,
  options: Omit<HealthCheck, 'name' | 'check'> = {},
): HealthCheck {
  return { ...options, name, check: run };
}

/** Checks for `DATABASE_URL` and `REDIS_URL` when no checks are given explicitly. */
export function checksFromEnv(env: Record<string, string | undefined>): HealthCheck[] {
  const checks: HealthCheck[] = [];
  const databaseUrl = env.DATABASE_URL?.trim();
  const redisUrl = env.REDIS_URL?.trim();
  if (databaseUrl) checks.push(postgresCheck({ connectionString: databaseUrl }));
  if (redisUrl) checks.push(redisCheck({ url: redisUrl }));
  return checks;
}
