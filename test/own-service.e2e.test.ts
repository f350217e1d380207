/**
 * docs/getting-started.md, "5. Your own service", as written: from an empty folder, the setup
 * block (tarballs packed from this clone by `scripts/pack`, npm on the host's own Node, packages
 * from the npm registry), the page's `server.js`, then the run block on a Node >= 22.15 (the page
 * says so; here the repository's Node 24 first on PATH). The service must answer the status
 * plugin's routes and serve the SDK's scrape port, from the packages installed in the folder.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sectionBlocks, systemPath, userEnv } from './support/doc-blocks.ts';
import { freePort } from './support/ports.ts';
import { repoRoot } from './support/services.ts';

const doc = 'docs/getting-started.md';
const blocks = sectionBlocks(doc, readFileSync(path.join(repoRoot, doc), 'utf8'), /Your own service/);
const [setup, run] = blocks.filter((b) => b.lang === 'sh');
const serverJs = blocks.find((b) => b.lang === 'js');

const root = mkdtempSync(path.join(tmpdir(), 'authlens-own-service-'));
const service = path.join(root, 'my-auth-service');
let child: ChildProcess | undefined;
let output = '';
const ports = { http: 0, scrape: 0 };

beforeAll(async () => {
  expect(setup?.code).toContain('scripts/pack');
  expect(run?.code).toContain('node --import @authlens/sdk/register server.js');
  // The setup as a user runs it: the host's PATH (its own Node and npm), AUTHLENS = this clone.
  const r = spawnSync('bash', ['-euo', 'pipefail', '-c', setup!.code], {
    cwd: root,
    env: userEnv({ AUTHLENS: repoRoot, npm_config_fund: 'false', npm_config_audit: 'false' }),
    encoding: 'utf8',
    timeout: 240_000,
  });
  if (r.status !== 0)
    throw new Error(`${doc}:${setup!.line}: the setup block failed (${r.status}):\n${r.stderr.slice(-4000)}`);
  writeFileSync(path.join(service, 'server.js'), serverJs!.code);
  ports.http = await freePort();
  ports.scrape = await freePort();
  child = spawn('bash', ['-c', run!.code], {
    cwd: service,
    env: userEnv({
      PATH: `${path.join(repoRoot, 'node_modules/node/bin')}:${systemPath()}`,
      PORT: String(ports.http),
      OTEL_EXPORTER_PROMETHEUS_PORT: String(ports.scrape),
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout!.on('data', (c: Buffer) => (output += c));
  child.stderr!.on('data', (c: Buffer) => (output += c));
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${ports.http}/monitoring/health/`)).ok) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`the service did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}, 300_000);

afterAll(async () => {
  if (child?.pid && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
  rmSync(root, { recursive: true, force: true });
});

describe('docs/getting-started.md step 5, from an empty folder', () => {
  it('installed the packed packages into the folder', () => {
    const pkg = JSON.parse(readFileSync(path.join(service, 'package.json'), 'utf8')) as {
      type: string;
      dependencies: Record<string, string>;
    };
    expect(pkg.type).toBe('module');
    expect(pkg.dependencies['@authlens/sdk']).toMatch(/^file:vendor\/authlens-sdk-.*\.tgz$/);
    expect(pkg.dependencies['@authlens/status-api']).toMatch(/^file:vendor\/authlens-status-api-.*\.tgz$/);
  });

  it('serves the status plugin', async () => {
    const health = await fetch(`http://127.0.0.1:${ports.http}/monitoring/health/`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'healthy' });
    // Protected routes want a key of MONITORING_API_KEYS (the run line makes one).
    expect((await fetch(`http://127.0.0.1:${ports.http}/monitoring/metrics/`)).status).toBe(401);
  });

  it('started the SDK with the one-line import (scrape port, service name)', async () => {
    const res = await fetch(`http://127.0.0.1:${ports.scrape}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^target_info\{[^}]*service_name="auth-service"/m);
  });
});
