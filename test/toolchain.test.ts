import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
