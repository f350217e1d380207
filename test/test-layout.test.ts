/**
 * One test layout for every package: unit tests may sit beside their module in `src/`
 * (`x.test.ts` next to `x.ts`); end-to-end tests (`e2e` in the name) and test helpers (modules
 * that only tests import) live in the package's `test/`. `src/` then holds only what ships.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importers, importGraph, typeScriptFiles } from './support/import-graph.ts';
import { repoRoot } from './support/services.ts';

const isTest = (file: string) => file.endsWith('.test.ts');

/** Modules something other than an import starts: named in `package.json`, or run as a script. */
function isEntryPoint(pkg: string, file: string): boolean {
  const manifest = path.join(pkg, 'package.json');
  const named =
    existsSync(manifest) && readFileSync(manifest, 'utf8').includes(`./${path.relative(pkg, file)}`);
  return named || /process\.argv\[1\]/.test(readFileSync(file, 'utf8'));
}

/** Files in `<pkg>/src` that belong in `<pkg>/test`, relative to `pkg`, with the reason. */
function misplaced(pkg: string): string[] {
  const src = path.join(pkg, 'src');
  const files = typeScriptFiles(src);
  const importedBy = importers(importGraph(files));
  const found: string[] = [];
  for (const file of files) {
    const name = path.relative(pkg, file);
    if (isTest(file) && /e2e/.test(path.basename(file))) found.push(`${name}: end-to-end test`);
    const users = importedBy.get(file) ?? [];
    const onlyTests = users.length > 0 && users.every(isTest);
    if (!isTest(file) && onlyTests && !isEntryPoint(pkg, file)) found.push(`${name}: only tests import it`);
  }
  return found;
}

describe('test layout', () => {
  it('keeps end-to-end tests and test helpers out of src/ in every package', () => {
    const packages = readdirSync(path.join(repoRoot, 'packages')).map((p) =>
      path.join(repoRoot, 'packages', p),
    );
    expect(packages.map((p) => path.basename(p))).toEqual(expect.arrayContaining(['sdk', 'status-api']));
    expect(packages.flatMap(misplaced)).toEqual([]);
  });

  it('names an e2e test and a helper only tests import, and leaves shipped modules alone', () => {
    const pkg = mkdtempSync(path.join(tmpdir(), 'authlens-layout-'));
    try {
      mkdirSync(path.join(pkg, 'src'));
      const write = (name: string, text: string) => writeFileSync(path.join(pkg, 'src', name), text);
      writeFileSync(path.join(pkg, 'package.json'), '{ "exports": { ".": "./src/index.ts" } }');
      write('index.ts', "export { run } from './run.ts';\n");
      write('tool.ts', "import { run } from './run.ts';\nif (process.argv[1]) run();\n");
      write('tool.test.ts', "import './tool.ts';\n");
      write('run.ts', 'export const run = () => 1;\n');
      write(
        'run.test.ts',
        "import { run } from './run.ts';\nimport { fixture } from './harness.ts';\nrun(fixture);\n",
      );
      write('harness.ts', 'export const fixture = 1;\n');
      write('flow.e2e.test.ts', "import { run } from './index.ts';\nrun();\n");
      expect(misplaced(pkg)).toEqual([
        'src/flow.e2e.test.ts: end-to-end test',
        'src/harness.ts: only tests import it',
      ]);
    } finally {
      rmSync(pkg, { recursive: true, force: true });
    }
  });
});
