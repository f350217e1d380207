/**
 * A package's public surface, pinned (as fastify/under-pressure's `test/exports.test.js` does):
 * every entry point in its `package.json` `exports` and the sorted runtime names each gives.
 * A name added or dropped fails the package's `exports.test.ts` until its list (and the
 * package's CHANGELOG) says so; a new entry point fails until it is pinned too.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './services.ts';

export interface PinnedEntry {
  /** The runtime names the entry gives today (imported by the package's own test, so it resolves). */
  actual: () => Promise<string[]> | string[];
  /** The names it must give, sorted. */
  pinned: readonly string[];
}

/** Declares the exports suite for the package in `packageDir`; keys of `entries` are `exports` subpaths. */
export function pinExports(packageDir: string, entries: Record<string, PinnedEntry>): void {
  const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, unknown>;
  };
  describe(`${manifest.name} exports`, () => {
    it('pins every entry point in package.json `exports`', () => {
      const subpaths = Object.keys(manifest.exports).filter((s) => s !== './package.json');
      expect(subpaths.sort()).toEqual(Object.keys(entries).sort());
    });
    for (const [subpath, entry] of Object.entries(entries)) {
      const specifier = path.posix.join(manifest.name, subpath);
      it(`${specifier} exports exactly the pinned names`, async () => {
        expect((await entry.actual()).sort()).toEqual(entry.pinned);
      });
    }
  });
}

/**
 * The runtime names of an entry point with side effects (it starts something when imported),
 * loaded in a child Node from `packageDir` with `env` added, so the test process stays clean.
 */
export function namesInChildProcess(
  packageDir: string,
  specifier: string,
  env: Record<string, string>,
): string[] {
  const node = path.join(repoRoot, 'node_modules/node/bin/node');
  const script = `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m)));`;
  const out = execFileSync(node, ['--conditions=authlens-source', '--input-type=module', '-e', script], {
    cwd: packageDir,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').at(-1) as string) as string[];
}
