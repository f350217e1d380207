/**
 * `GET /monitoring/dashboards/` with no `dashboardsDir`: the route finds the installed
 * `@authlens/dashboards` package and serves its committed `generated/` files, the same
 * definitions `authlens export-dashboards` and the package's `listDashboards()` give.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { listDashboards } from '@authlens/dashboards';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildApp, readKey } from './support/monitoring-support.ts';

const generatedDir = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@authlens/dashboards/package.json')),
  'generated',
);
const NAMES = [
  'system_overview',
  'authentication',
  'security_monitoring',
  'business_intelligence',
  'performance',
  'compliance',
  'logs',
];
let app: FastifyInstance;

beforeAll(async () => {
  app = await buildApp();
});

afterAll(async () => {
  await app?.close();
});

describe('GET /monitoring/dashboards/ from the installed @authlens/dashboards', () => {
  it('lists the 7 generated dashboards with their titles', async () => {
    const res = await app.inject({ url: '/monitoring/dashboards/', headers: bearer(readKey) });
    expect(res.statusCode).toBe(200);
    const { dashboards } = res.json() as { dashboards: Array<{ name: string; title: string }> };
    expect(dashboards.map((d) => d.name)).toEqual(NAMES);
    expect(dashboards).toEqual(listDashboards().map(({ name, title }) => ({ name, title })));
    expect(dashboards.find((d) => d.name === 'logs')?.title).toBe('authlens / Logs');
  });

  it('serves each one as the committed JSON file', async () => {
    for (const name of NAMES) {
      const res = await app.inject({
        url: `/monitoring/dashboards/?dashboard=${name}`,
        headers: bearer(readKey),
      });
      expect(res.statusCode, name).toBe(200);
      const committed: unknown = JSON.parse(await readFile(path.join(generatedDir, `${name}.json`), 'utf8'));
      expect(res.json().dashboard, name).toEqual(committed);
    }
  });

  it('an unknown name is a 404 naming the field and the 7 valid names', async () => {
    const res = await app.inject({ url: '/monitoring/dashboards/?dashboard=nope', headers: bearer(readKey) });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ field: 'dashboard', validNames: NAMES });
  });
});
