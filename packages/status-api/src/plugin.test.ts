import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import monitoring from './index.ts';

describe('monitoring plugin', () => {
  it('serves basic health under the prefix, with and without the trailing slash', async () => {
    const app = Fastify();
    await app.register(monitoring, {
      prefix: '/monitoring',
      env: {},
      alerts: { managerOptions: { storeUrl: 'sqlite::memory:', workers: false, env: {} } },
    });
    for (const url of ['/monitoring/health/', '/monitoring/health']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: 'healthy' });
    }
    await app.close();
  });
});
