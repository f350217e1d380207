/** PostgreSQL health check. */
import type pg from 'pg';
import { type CommonCheckOptions, common, elapsed, latencyStatus } from './check-options.ts';
import type { HealthCheck, HealthObservation } from './types.ts';

export interface PostgresCheckOptions extends CommonCheckOptions {
  /** An existing pool (borrowed). */
  pool?: pg.Pool;
  /** Or a connection string: the check opens a small pool of its own. */
  connectionString?: string;
}

/** `SELECT 1` round trip; pool total/idle/waiting clients. */
export function postgresCheck(options: PostgresCheckOptions): HealthCheck {
  const degradedMs = options.degradedMs ?? 1000;
  const owned = options.pool === undefined;
  if (owned && !options.connectionString)
    throw new TypeError('postgresCheck: pool or connectionString is required');
  const timeout = options.timeoutMs ?? 5000;
  // An own pool (and the driver) is opened at the first check, not when the check is built.
  let opened: Promise<pg.Pool> | undefined = options.pool && Promise.resolve(options.pool);
  const open = () =>
    (opened ??= import('pg').then(({ default: driver }) => {
      const pool = new driver.Pool({
        connectionString: options.connectionString,
        max: 2,
        idleTimeoutMillis: 30_000,
        connectionTimeoutMillis: timeout,
        query_timeout: timeout,
        application_name: 'authlens-health',
      });
      // A pool emits 'error' when an idle client loses its server; the next check reports it.
      pool.on('error', () => {});
      return pool;
    }));
  return {
    ...common(options, {
      name: 'postgres',
      displayName: 'Database',
      componentType: 'datastore',
      critical: true,
    }),
    async check() {
      const pool = await open();
      const started = performance.now();
      await pool.query('SELECT 1');
      const ms = elapsed(started);
      const status = latencyStatus(ms, degradedMs);
      const observations: HealthObservation[] = [
        { measurement: 'responseTime', observedValue: ms, observedUnit: 'ms' },
        { measurement: 'connections', observedValue: pool.totalCount, observedUnit: 'connections' },
      ];
      return {
        status,
        message: status === 'pass' ? 'database reachable' : 'database slow',
        observations,
        details: { poolTotal: pool.totalCount, poolIdle: pool.idleCount, poolWaiting: pool.waitingCount },
      };
    },
    async close() {
      if (owned) await (await opened)?.end();
    },
  };
}
