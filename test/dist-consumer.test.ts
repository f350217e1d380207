/**
 * What a user installs: the packed packages (`pnpm pack`: `dist/` with declarations, workspace
 * versions rewritten), installed with pnpm into a fresh project outside the workspace together
 * with the status API's peers (`fastify`, `@opentelemetry/api`, `ioredis`; `bullmq` is an
 * optional peer and left out), as a user would. Then imports them from plain Node and
 * type-checks against their `.d.ts` files a consumer and every `@authlens/*` import written in
 * the documentation's samples.
 */
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentationFiles, extractBlocks } from './support/doc-blocks.ts';
import { documentedImports, importsModule } from './support/doc-imports.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
const pnpmVersion = (
  JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { packageManager: string }
).packageManager;
const pnpm = (args: string[], cwd: string) =>
  execFileSync('npx', ['--yes', pnpmVersion, ...args], { cwd, stdio: 'pipe', encoding: 'utf8' });
/** The peers a user installs beside `@authlens/status-api` (its `peerDependencies`, minus optional ones). */
const PEERS = ['fastify', '@opentelemetry/api', 'ioredis'];
/** A consumer project (outside the workspace) with the three packages and the peers installed. */
let dir: string;

beforeAll(() => {
  execFileSync(
    process.execPath,
    [
      tsc,
      '-b',
      'packages/sdk/tsconfig.build.json',
      'dashboards/tsconfig.build.json',
      'packages/status-api/tsconfig.build.json',
    ],
    { cwd: root, stdio: 'pipe' },
  );
  dir = mkdtempSync(path.join(os.tmpdir(), 'authlens-consumer-'));
  const packs = path.join(dir, 'packs');
  mkdirSync(packs);
  const tarballs: Record<string, string> = {};
  for (const [name, pkgDir] of [
    ['@authlens/sdk', 'packages/sdk'],
    ['@authlens/status-api', 'packages/status-api'],
    ['@authlens/dashboards', 'dashboards'],
  ] as const) {
    const out = pnpm(['pack', '--pack-destination', packs], path.join(root, pkgDir)).trim().split('\n');
    tarballs[name] = `file:packs/${path.basename(out[out.length - 1] as string)}`;
  }
  const manifest = (pkg: string) =>
    JSON.parse(readFileSync(path.join(root, pkg, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
    };
  const peers = manifest('packages/status-api').peerDependencies;
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({
      name: 'authlens-consumer',
      private: true,
      type: 'module',
      dependencies: {
        ...tarballs,
        ...Object.fromEntries(PEERS.map((p) => [p, peers[p]])),
      },
      // The packed status API names the SDK and dashboards by version: take the local packs.
      pnpm: {
        overrides: {
          '@authlens/sdk': tarballs['@authlens/sdk'],
          '@authlens/dashboards': tarballs['@authlens/dashboards'],
        },
      },
    }),
  );
  pnpm(['install', '--prefer-offline', '--config.strict-peer-dependencies=true'], dir);
  mkdirSync(path.join(dir, 'node_modules/@types'), { recursive: true });
  symlinkSync(
    realpathSync(path.join(root, 'node_modules/@types/node')),
    path.join(dir, 'node_modules/@types/node'),
    'dir',
  );
}, 300_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the status API', () => {
  it('declares its host libraries as peers, not dependencies (bullmq optional)', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'packages/status-api/package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
    };
    for (const peer of [...PEERS, 'bullmq']) {
      expect(pkg.dependencies[peer], peer).toBeUndefined();
      expect(pkg.peerDependencies[peer], peer).toBeDefined();
    }
    expect(pkg.peerDependenciesMeta.bullmq?.optional).toBe(true);
  });

  it("uses the host's fastify, @opentelemetry/api and ioredis (one copy of each)", () => {
    const script = `
      import { createRequire } from 'node:module';
      import { realpathSync } from 'node:fs';
      const app = createRequire(import.meta.url);
      const api = createRequire(realpathSync('node_modules/@authlens/status-api/package.json'));
      const sdk = createRequire(realpathSync('node_modules/@authlens/sdk/package.json'));
      const same = (req, name) => realpathSync(req.resolve(name)) === realpathSync(app.resolve(name));
      console.log(JSON.stringify({
        fastify: same(api, 'fastify'),
        otelApi: same(api, '@opentelemetry/api') && same(sdk, '@opentelemetry/api'),
        ioredis: same(api, 'ioredis'),
      }));`;
    const out = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' }),
    ) as Record<string, boolean>;
    expect(out).toEqual({ fastify: true, otelApi: true, ioredis: true });
  });
});

describe('built packages', () => {
  it('load from dist/ in plain Node, without the source condition', () => {
    const script = `
      const sdk = await import('@authlens/sdk');
      const api = await import('@authlens/status-api');
      const dashboards = await import('@authlens/dashboards');
      const resolved = ['@authlens/sdk', '@authlens/status-api', '@authlens/dashboards'].map((s) => import.meta.resolve(s));
      console.log(JSON.stringify({
        resolved,
        sdk: [typeof sdk.start, typeof sdk.getLogger, typeof sdk.authMetrics],
        api: [typeof api.default, typeof api.buildServer],
        dashboards: dashboards.listDashboards().map((d) => d.name),
      }));`;
    const out = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: dir,
        encoding: 'utf8',
      }),
    ) as { resolved: string[]; sdk: string[]; api: string[]; dashboards: string[] };
    for (const url of out.resolved) expect(url).toMatch(/\/dist\/index\.js$/);
    expect(out.sdk).toEqual(['function', 'function', 'object']);
    expect(out.api).toEqual(['function', 'function']);
    expect(out.dashboards).toHaveLength(7);
  });

  it('type-check a consumer against their declarations', () => {
    writeFileSync(
      path.join(dir, 'consumer.ts'),
      `import { start, getLogger, authMetrics } from '@authlens/sdk';
import monitoring, { postgresCheck } from '@authlens/status-api';
import { listDashboards } from '@authlens/dashboards';
const handle = await start({ serviceName: 'consumer' });
getLogger('consumer').info('ready', { userId: 'u1' });
authMetrics.recordLoginAttempt({ method: 'password', success: true });
const names: string[] = listDashboards().map((d) => d.name);
export { handle, monitoring, postgresCheck, names };
// @ts-expect-error: a typo in an option is a type error for users too
await start({ serviceNmae: 'x' });
`,
    );
    expect(typeCheck(['consumer.ts'])).toEqual([]);
  });

  it('type-check every @authlens/* import the documentation writes', () => {
    const blocks = documentationFiles(root).flatMap((f) =>
      extractBlocks(f, readFileSync(path.join(root, f), 'utf8')),
    );
    const imports = documentedImports(blocks);
    // The docs import all three packages and the register entry point.
    expect(new Set(imports.map((i) => i.specifier))).toEqual(
      new Set(['@authlens/sdk', '@authlens/sdk/register', '@authlens/status-api', '@authlens/dashboards']),
    );
    const { code, origins } = importsModule(imports);
    writeFileSync(path.join(dir, 'documented-imports.ts'), code);
    // An error on line N of the generated module is reported at the Markdown line it came from.
    const errors = typeCheck(['documented-imports.ts']).map((e) =>
      e.replace(
        /^documented-imports\.ts\((\d+),\d+\)/,
        (all, line: string) => origins.get(Number(line)) ?? all,
      ),
    );
    expect(errors).toEqual([]);
  });
});

/**
 * Type-checks `files` of the consumer project strictly against the installed declarations; the
 * errors, one per entry. Errors inside a third-party package's own declarations (ioredis 6.1
 * references untyped `redis-errors`) are not ours and are left out.
 */
function typeCheck(files: string[]): string[] {
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2023',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        types: ['node'],
        skipLibCheck: false,
      },
      files,
    }),
  );
  let output = '';
  try {
    execFileSync(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8' });
  } catch (err) {
    output = String((err as { stdout?: string }).stdout);
  }
  return output
    .split(/\n(?=\S)/)
    .filter((e) => e.trim() !== '' && !/^node_modules\/\.pnpm\/(?!@authlens)/.test(e));
}
