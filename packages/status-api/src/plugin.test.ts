import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import monitoring from './index.ts';

describe('monitoring plugin', () => {
  it('serves basic health under the prefix', async () => {
    const app = Fastify();
    await app.register(monitoring, { prefix: '/monitoring' });
    const res = await app.inject({ method: 'GET', url: '/monitoring/health/' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'healthy' });
    await app.close();
  });
});
