/**
 * One test layout for every package: unit tests may sit beside their module in `src/`
 * (`x.test.ts` next to `x.ts`); end-to-end tests and test helpers (modules that only tests
 * import) live in the package's `test/`. `src/` then holds only what ships. In `test/`, tests
 * sit at the top (`x.test.ts`, end-to-end ones `x.e2e.test.ts`) and helpers in `test/support/`
 * or `test/fixtures/` (processes the tests start).
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

/** Files in `<pkg>/test` that break the naming and folder rule, relative to `pkg`, with the reason. */
function misnamed(pkg: string): string[] {
  const test = path.join(pkg, 'test');
  if (!existsSync(test)) return [];
  const found: string[] = [];
  for (const file of typeScriptFiles(test)) {
    const name = path.relative(pkg, file);
    const base = path.basename(file);
    const folder = path.relative(test, path.dirname(file)).split(path.sep)[0];
    if (/e2e/.test(base) && !base.endsWith('.e2e.test.ts'))
      found.push(`${name}: end-to-end tests end in .e2e.test.ts`);
    else if (isTest(file) && folder !== '') found.push(`${name}: tests sit at the top of test/`);
    else if (!isTest(file) && folder !== 'support' && folder !== 'fixtures')
      found.push(`${name}: helpers live in test/support/ (or test/fixtures/)`);
  }
  return found;
}

const workspacePackages = () =>
  readdirSync(path.join(repoRoot, 'packages')).map((p) => path.join(repoRoot, 'packages', p));

describe('test layout', () => {
  it('keeps end-to-end tests and test helpers out of src/ in every package', () => {
    const packages = workspacePackages();
    expect(packages.map((p) => path.basename(p))).toEqual(expect.arrayContaining(['sdk', 'status-api']));
    expect(packages.flatMap(misplaced)).toEqual([]);
  });

  it('names tests and keeps helpers in test/support/ the same way in every package', () => {
    expect(workspacePackages().flatMap(misnamed)).toEqual([]);
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

  it('names a misnamed e2e test, a nested test and a stray helper in test/', () => {
    const pkg = mkdtempSync(path.join(tmpdir(), 'authlens-layout-'));
    try {
      for (const dir of ['test/support', 'test/fixtures', 'test/deep'])
        mkdirSync(path.join(pkg, dir), { recursive: true });
      const write = (name: string) => writeFileSync(path.join(pkg, 'test', name), 'export {};\n');
      for (const ok of ['a.test.ts', 'b.e2e.test.ts', 'support/harness.ts', 'fixtures/server.ts']) write(ok);
      for (const bad of ['c-e2e.test.ts', 'deep/d.test.ts', 'harness-support.ts', 'support/e2e-server.ts'])
        write(bad);
      expect(misnamed(pkg)).toEqual([
        'test/c-e2e.test.ts: end-to-end tests end in .e2e.test.ts',
        'test/deep/d.test.ts: tests sit at the top of test/',
        'test/harness-support.ts: helpers live in test/support/ (or test/fixtures/)',
        'test/support/e2e-server.ts: end-to-end tests end in .e2e.test.ts',
      ]);
    } finally {
      rmSync(pkg, { recursive: true, force: true });
    }
  });
});
