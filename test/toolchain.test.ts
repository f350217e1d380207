import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/services.ts';

const bin = (name: string) => path.join(repoRoot, 'node_modules/.bin', name);

describe('toolchain', () => {
  it('runs tests on the pinned Node 24 runtime, not the system Node', () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(pkg.devDependencies.node).toBe('24.21.0');
    expect(process.versions.node).toBe(pkg.devDependencies.node);
  });

  it('git ignores the probe files the checks below write', () => {
    const probes = [
      'test/.lint-probe.ts',
      'test/.tmp-abc123/bad.ts',
      'test/.tmp-docs-samples-x/sample-000.ts',
    ];
    const r = spawnSync('git', ['check-ignore', '--no-index', ...probes], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(r.stdout.trim().split('\n')).toEqual(probes);
  });

  it('scripts/otelcol refuses a Go older than 1.26 with one clear line', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'authlens-old-go-'));
    try {
      const go = path.join(dir, 'go');
      writeFileSync(go, '#!/bin/sh\n[ "$1 $2" = "env GOVERSION" ] && echo go1.22.12 && exit 0\nexit 1\n');
      chmodSync(go, 0o755);
      const r = spawnSync('bash', [path.join(repoRoot, 'scripts/otelcol')], {
        encoding: 'utf8',
        env: {
          ...process.env,
          PATH: `${dir}:${process.env.PATH}`,
          AUTHLENS_CACHE_DIR: path.join(dir, 'cache'),
        },
      });
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim()).toBe(`otelcol: Go go1.22.12 at ${go} is too old: need Go >= 1.26`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the install stamp hashes the workspace's package.json files, never one in node_modules", () => {
    const r = spawnSync('bash', ['-c', 'source scripts/lib.sh && install_inputs'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const inputs = r.stdout.trim().split('\n');
    expect(inputs.filter((f) => f.includes('node_modules'))).toEqual([]);
    for (const f of [
      'pnpm-lock.yaml',
      'pnpm-workspace.yaml',
      'package.json',
      'packages/sdk/package.json',
      'collector/package.json',
    ])
      expect(inputs).toContain(path.join(repoRoot, f));
    // node_modules exists here, full of package.json files: none of them counts.
    expect(readFileSync(path.join(repoRoot, 'node_modules/node/package.json'), 'utf8')).toContain('"name"');
  });

  it('the entry scripts run the real Node 24 binary (exec, no shim) and refuse bad usage with status 2', () => {
    const node = spawnSync(
      path.join(repoRoot, 'scripts/node'),
      ['-p', 'process.execPath + " " + process.version'],
      {
        encoding: 'utf8',
      },
    );
    expect(node.status).toBe(0);
    // The real binary (node_modules/node is a link into pnpm's store), not the .bin shim.
    expect(node.stdout.trim()).toBe(
      `${realpathSync(path.join(repoRoot, 'node_modules/node/bin/node'))} v24.21.0`,
    );
    const demo = spawnSync('bash', [path.join(repoRoot, 'scripts/demo'), '--nope'], { encoding: 'utf8' });
    expect(demo.status).toBe(2);
    expect(demo.stderr.trim()).toBe('demo: unknown argument: --nope (usage: bash scripts/demo [--stack])');
    const cli = spawnSync(path.join(repoRoot, 'scripts/authlens'), ['export-dashboards'], {
      encoding: 'utf8',
    });
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain('authentication');
  });

  it('pnpm checks `engines` against the Node the code runs on (no "Unsupported engine" noise)', () => {
    const workspace = readFileSync(path.join(repoRoot, 'pnpm-workspace.yaml'), 'utf8');
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(workspace).toMatch(new RegExp(`^nodeVersion: ${pkg.devDependencies.node}$`, 'm'));
    expect(workspace).toMatch(/^engineStrict: true$/m);
  });

  describe('the checks in the test command fail on bad code', () => {
    it('tsc rejects a type error', () => {
      const dir = mkdtempSync(path.join(repoRoot, 'test', '.tmp-'));
      try {
        writeFileSync(path.join(dir, 'bad.ts'), 'export const n: number = "not a number";\n');
        writeFileSync(
          path.join(dir, 'tsconfig.json'),
          JSON.stringify({
            extends: '../../tsconfig.base.json',
            compilerOptions: { noEmit: true },
            include: ['*.ts'],
          }),
        );
        const r = spawnSync(bin('tsc'), ['-p', dir], { encoding: 'utf8' });
        expect(r.status).not.toBe(0);
        expect(r.stdout).toContain("error TS2322: Type 'string' is not assignable to type 'number'");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('biome rejects a lint error', () => {
      const file = path.join(repoRoot, 'test', '.lint-probe.ts');
      try {
        writeFileSync(file, 'export function f(x: any) {\n  return x;\n}\n');
        const r = spawnSync(bin('biome'), ['lint', '--vcs-use-ignore-file=false', file], {
          encoding: 'utf8',
          cwd: repoRoot,
        });
        expect(r.status).not.toBe(0);
        expect(r.stdout + r.stderr).toContain('noExplicitAny');
      } finally {
        rmSync(file, { force: true });
      }
    });
  });
});
