/** Redis health check. */
import type { Redis } from 'ioredis';
import { type CommonCheckOptions, common, elapsed, latencyStatus } from './check-options.ts';
import type { HealthCheck } from './types.ts';

export interface RedisCheckOptions extends CommonCheckOptions {
  /** An existing ioredis client (borrowed). */
  client?: Redis;
  /** Or a URL: the check opens a client of its own. */
  url?: string;
}

function infoField(info: string, field: string): number | undefined {
  const match = new RegExp(`^${field}:(\\d+)`, 'm').exec(info);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** PING latency, memory used and connected clients (`INFO`). */
export function redisCheck(options: RedisCheckOptions): HealthCheck {
  const degradedMs = options.degradedMs ?? 1000;
  const owned = options.client === undefined;
  if (owned && !options.url) throw new TypeError('redisCheck: client or url is required');
  // An own client (and ioredis) is made at the first check, not when the check is built.
  let opened: Promise<Redis> | undefined = options.client && Promise.resolve(options.client);
  const open = () =>
    (opened ??= import('ioredis').then(({ Redis: Client }) => {
      const client = new Client(options.url ?? '', {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: options.timeoutMs ?? 5000,
        retryStrategy: (times) => Math.min(times * 200, 2000),
        connectionName: 'authlens-health',
      });
      // Connection errors surface through the commands below; keep ioredis from logging them.
      client.on('error', () => {});
      return client;
    }));
  return {
    ...common(options, { name: 'redis', displayName: 'Cache', componentType: 'datastore', critical: true }),
    async check() {
      const client = await open();
      if (client.status === 'wait') await client.connect();
      const started = performance.now();
      await client.ping();
      const ms = elapsed(started);
      const info = await client.info();
      const usedMemory = infoField(info, 'used_memory') ?? 0;
      const clients = infoField(info, 'connected_clients') ?? 0;
      const status = latencyStatus(ms, degradedMs);
      return {
        status,
        message: status === 'pass' ? 'cache reachable' : 'cache slow',
        observations: [
          { measurement: 'responseTime', observedValue: ms, observedUnit: 'ms' },
          { measurement: 'memory', observedValue: usedMemory, observedUnit: 'bytes' },
          { measurement: 'clients', observedValue: clients, observedUnit: 'connections' },
        ],
        details: { usedMemoryBytes: usedMemory, connectedClients: clients },
      };
    },
    async close() {
      if (owned) (await opened)?.disconnect();
    },
  };
}
