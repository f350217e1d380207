/**
 * `authlens serve` on SQLite, without channels, loads none of the modules only other
 * configurations use (docs/benchmarks.md, "Alert ingest", pass 3): the PostgreSQL driver, ioredis,
 * nodemailer and the dashboard builders (Grafana's SDK) load at their first use. The list of
 * loaded modules comes from the real process: a `module.registerHooks` load hook, preloaded with
 * `--import`, writes every URL it saw when the process exits.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerUnderTest, startAuthlens } from '../benchmarks/servers.ts';

const key = 'serve-lazy-modules-key-0123';

/** Packages `serve` must not load on SQLite without channels, REDIS_URL or DATABASE_URL. */
const NOT_AT_START = ['pg', 'pg-pool', 'ioredis', 'nodemailer', '@grafana/grafana-foundation-sdk'];

const HOOK = `
import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';
const seen = [];
registerHooks({ load(url, context, next) { seen.push(url); return next(url, context); } });
process.on('exit', () => writeFileSync(process.env.LOADED_MODULES_FILE, seen.join('\\n')));
`;

/** The package a module URL belongs to (pnpm's store layout), or undefined for our own files. */
function packageOf(url: string): string | undefined {
  const m = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(url);
  return m?.[1];
}

describe('authlens serve loads only what its configuration uses (e2e)', () => {
  let dir: string;
  let serve: ServerUnderTest | undefined;
  let loaded: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'authlens-serve-lazy-'));
    const hook = path.join(dir, 'record-loads.mjs');
    writeFileSync(hook, HOOK);
    const list = path.join(dir, 'loaded.txt');
    serve = await startAuthlens({
      name: 'serve-lazy-modules',
      storeUrl: `sqlite:${path.join(dir, 'alerts.db')}`,
      apiKey: key,
      nodeFlags: [`--import=${hook}`],
      env: { LOADED_MODULES_FILE: list, AUTHLENS_JOBS_ENABLED: 'false', LOG_LEVEL: 'warn' },
    });
    // One alert through the whole ingest path before the list is taken.
    const res = await fetch(`http://127.0.0.1:${serve.port}/monitoring/alerts/create/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'lazy_modules', severity: 'low', message: 'm' }),
    });
    expect(res.status).toBe(201);
    await serve.stop();
    serve = undefined;
    loaded = readFileSync(list, 'utf8').split('\n');
  });
  afterAll(async () => {
    await serve?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('recorded the modules it did load (the hook works)', () => {
    const packages = new Set(loaded.map(packageOf));
    for (const p of ['fastify', '@opentelemetry/api', 're2js']) expect(packages).toContain(p);
  });

  it('did not load the PostgreSQL driver, ioredis, nodemailer or the dashboard builders', () => {
    const unexpected = loaded.filter((u) => NOT_AT_START.includes(packageOf(u) ?? ''));
    expect(unexpected).toEqual([]);
  });
});
