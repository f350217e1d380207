/** Every flow on the production stores: users in the real PostgreSQL, sessions and counters in the real Redis. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { requirePostgres, requireRedis, services } from '../../../test/support/services.ts';
import { defineFlowSuite } from './flows.ts';
import { createTestDatabase } from './support.ts';

const prefix = `authsvc-test:${randomBytes(4).toString('hex')}:`;
let db: Awaited<ReturnType<typeof createTestDatabase>> | undefined;

defineFlowSuite('auth service on PostgreSQL + Redis', {
  options: async () => {
    await requirePostgres();
    await requireRedis();
    db = await createTestDatabase();
    return { databaseUrl: db.url, redisUrl: services.redisUrl, redisKeyPrefix: prefix };
  },
  cleanup: async () => {
    await db?.drop();
    const redis = new Redis(services.redisUrl);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  },
  expectKinds: { users: 'postgres', kv: 'redis' },
});
