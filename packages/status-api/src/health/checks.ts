/**
 * Custom checks (`defineHealthCheck`) and the checks the environment declares (`checksFromEnv`).
 * The built-in checks live one file per kind (`postgres-check.ts`, `redis-check.ts`, …): each
 * factory returns a `HealthCheck`; checks given a URL own their connection (closed by
 * `registry.close()`), checks given a client/pool only borrow it.
 */
import { postgresCheck } from './postgres-check.ts';
import { redisCheck } from './redis-check.ts';
import type { HealthCheck, HealthCheckOutcome } from './types.ts';

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
