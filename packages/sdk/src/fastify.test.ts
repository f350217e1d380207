import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { currentHandle, start } from './index.ts';

describe('Fastify instrumentation', () => {
  afterEach(async () => {
    await currentHandle()?.shutdown();
  });

  it('names the route of requests rejected by an app hook or by schema validation', async () => {
    const handle = await start({
      serviceName: 'fastify-test',
      prometheusPort: false,
      handleSignals: false,
      env: {},
    });
    const app = Fastify();
    app.addHook('onRequest', async (request, reply) => {
      if (request.headers.authorization === undefined) await reply.code(401).send({ error: 'unauthorized' });
    });
    app.post(
      '/users/:id',
      { schema: { body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } },
      async () => ({ ok: true }),
    );
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const post = (headers: Record<string, string>, body: unknown) =>
        fetch(`${base}/users/42`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });
      expect((await post({}, { name: 'a' })).status).toBe(401);
      expect((await post({ authorization: 'x' }, {})).status).toBe(400);
      expect((await post({ authorization: 'x' }, { name: 'a' })).status).toBe(200);
      expect((await fetch(`${base}/nowhere`, { headers: { authorization: 'x' } })).status).toBe(404);
    } finally {
      await app.close();
    }
    const text = await handle.metrics.prometheusText();
    for (const status of [401, 400, 200]) {
      expect(text).toMatch(
        new RegExp(
          `http_server_request_duration_seconds_count\\{[^}]*http_route="/users/:id"[^}]*http_response_status_code="${status}"[^}]*\\} 1`,
        ),
      );
    }
    expect(text).toMatch(
      /http_server_request_duration_seconds_count\{[^}]*http_route="other"[^}]*"404"[^}]*\} 1/,
    );
  });
});
