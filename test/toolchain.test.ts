import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/services.ts';

const bin = (name: string) => path.join(repoRoot, 'node_modules/.bin', name);

describe('toolchain', () => {
  it('runs tests on the pinned Node 24 runtime, not the system Node', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
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
