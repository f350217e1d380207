/**
 * What a user installs: the built packages (`dist/` with declarations), resolved without the
 * repo's `authlens-source` condition. Builds them (incremental), then imports them from plain
 * Node and type-checks a consumer against their `.d.ts` files.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
/** A consumer project with the three packages (and Node's types) in its `node_modules`. */
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
  dir = mkdtempSync(path.join(root, 'test/.tmp-consumer-'));
  const link = (name: string, target: string) => {
    mkdirSync(path.dirname(path.join(dir, 'node_modules', name)), { recursive: true });
    symlinkSync(realpathSync(target), path.join(dir, 'node_modules', name), 'dir');
  };
  link('@authlens/sdk', path.join(root, 'packages/sdk'));
  link('@authlens/status-api', path.join(root, 'packages/status-api'));
  link('@authlens/dashboards', path.join(root, 'dashboards'));
  link('@types/node', path.join(root, 'node_modules/@types/node'));
  writeFileSync(path.join(dir, 'package.json'), '{"type":"module","private":true}');
}, 180_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
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
        files: ['consumer.ts'],
      }),
    );
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8' });
    } catch (err) {
      output = String((err as { stdout?: string }).stdout);
    }
    expect(output).toBe('');
  });
});
