/**
 * The one-line start for a CommonJS app: `node --import @authlens/sdk/register server.cjs`,
 * where Fastify, pg and ioredis are loaded with `require()`. One request's HTTP server,
 * Fastify, pg and Redis spans share one trace (the Fastify span asked for with
 * `AUTHLENS_FASTIFY_SPANS=true`; by default the server span is the request's only span).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type FixtureProcess, waitFor } from './support/fixture-process.ts';
import { fixtureSuite } from './support/fixture-suite.ts';

const suite = fixtureSuite();
let app: FixtureProcess;

beforeAll(async () => {
  app = await suite.launch(
    {
      OTEL_SERVICE_NAME: 'fixture-cjs',
      OTEL_EXPORTER_OTLP_ENDPOINT: suite.otlp.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      AUTHLENS_FASTIFY_SPANS: 'true',
    },
    'test/fixtures/server.cjs',
  );
});

describe('one-line start, CommonJS app', () => {
  it('traces a required Fastify, pg and ioredis in one trace', async () => {
    const res = await fetch(`${app.base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'carol' }),
    });
    expect(res.status).toBe(200);
    // The app really is CommonJS.
    expect(await res.json()).toEqual({ ok: true, module: 'object' });
    const traceId = res.headers.get('x-correlation-id') as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    const spans = await waitFor(
      () => {
        const mine = suite.otlp.spans.filter((s) => s.traceId === traceId);
        const ok =
          mine.some((s) => s.scope === '@authlens/sdk/http-server') &&
          mine.some((s) => s.scope === '@authlens/sdk/fastify') &&
          mine.some((s) => s.scope.includes('pg') && s.name.includes('SELECT')) &&
          mine.some((s) => s.scope.includes('ioredis'));
        return ok ? mine : undefined;
      },
      10_000,
      'HTTP, Fastify, pg and Redis spans of one trace from the CommonJS app',
    );
    const server = spans.find((s) => s.scope === '@authlens/sdk/http-server');
    expect(server).toMatchObject({ name: 'POST /login', parentSpanId: '' });
    expect(server?.resource['service.name']).toBe('fixture-cjs');
    const fastify = spans.find((s) => s.scope === '@authlens/sdk/fastify');
    expect(fastify?.parentSpanId).toBe(server?.spanId);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    for (const s of spans.filter((x) => /pg|ioredis/.test(x.scope))) {
      // pg and Redis spans descend from the Fastify span (directly or through a pg pool span).
      let parent = byId.get(s.parentSpanId);
      while (parent && parent !== fastify) parent = byId.get(parent.parentSpanId);
      expect(parent, `${s.scope} ${s.name}`).toBe(fastify);
    }
    expect(app.stderr()).not.toMatch(/"level":"(error|warn)"/);
  });
});
