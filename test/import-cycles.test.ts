/**
 * The import picture of the repository's TypeScript (`packages/`, `examples/`, `dashboards/`,
 * `collector/`, `test/`) has no circles: a module never needs, directly or through others, a
 * module that needs it back. A circle makes load order matter and hides which module
 * owns a type; break one by moving the shared part into its own file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph, typeScriptFiles } from './support/import-graph.ts';
import { repoRoot } from './support/services.ts';

describe('import cycles', () => {
  it.each(['packages', 'examples', 'dashboards', 'collector', 'test'])('finds none in %s/', (tree) => {
    const files = typeScriptFiles(path.join(repoRoot, tree));
    expect(files.length).toBeGreaterThan(5);
    const cycles = importCycles(importGraph(files)).map((c) => c.map((f) => path.relative(repoRoot, f)));
    expect(cycles).toEqual([]);
  });

  it('reports a circle, including type-only and re-export edges, and a self-import', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'authlens-cycles-'));
    try {
      const write = (name: string, text: string) => writeFileSync(path.join(dir, name), text);
      write('a.ts', "import type { B } from './b.ts';\nexport type A = B;\n");
      write('b.ts', "export { c } from './c.ts';\nexport type B = string;\n");
      write('c.ts', "// import { nothing } from './d.ts';\nexport const c = async () => import('./a.ts');\n");
      write('d.ts', "import { c } from './c.ts';\nexport const d = c;\n");
      write('e.ts', "import './e.ts';\n");
      const cycles = importCycles(importGraph(typeScriptFiles(dir)));
      expect(cycles.map((c) => c.map((f) => path.basename(f)))).toEqual([['a.ts', 'b.ts', 'c.ts'], ['e.ts']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
