/** The documented-imports collector that `dist-consumer.test.ts` type-checks against `dist/`. */
import { describe, expect, it } from 'vitest';
import { extractBlocks } from './support/doc-blocks.ts';
import { documentedImports, importsModule } from './support/doc-imports.ts';

const markdown = [
  '# Sample',
  '```ts',
  "import monitoring, { type MonitoringOptions, buildServer as serve } from '@authlens/status-api';",
  "import * as sdk from '@authlens/sdk';",
  "import { trace } from '@opentelemetry/api';",
  'const text = "import { nope } from \'@authlens/sdk\'"; // a string, not an import',
  '```',
  '```sh',
  'node --import @authlens/sdk/register server.js',
  '```',
  '```json',
  '{ "import": "@authlens/sdk" }',
  '```',
].join('\n');

describe('documented imports', () => {
  const imports = documentedImports(extractBlocks('docs/x.md', markdown));

  it('finds default, named (type or value, aliased), namespace and --import imports of @authlens/* only', () => {
    expect(imports).toEqual([
      { origin: 'docs/x.md:3', specifier: '@authlens/status-api', kind: 'default', typeOnly: false },
      {
        origin: 'docs/x.md:3',
        specifier: '@authlens/status-api',
        kind: 'named',
        name: 'MonitoringOptions',
        typeOnly: true,
      },
      {
        origin: 'docs/x.md:3',
        specifier: '@authlens/status-api',
        kind: 'named',
        name: 'buildServer',
        typeOnly: false,
      },
      { origin: 'docs/x.md:4', specifier: '@authlens/sdk', kind: 'namespace', typeOnly: false },
      { origin: 'docs/x.md:9', specifier: '@authlens/sdk/register', kind: 'side-effect', typeOnly: false },
    ]);
  });

  it('makes each distinct import once under its own local name, and says where each line came from', () => {
    const { code, origins } = importsModule([...imports, ...imports]);
    expect(code.split('\n')).toEqual([
      'import documented0 from "@authlens/status-api";',
      'import { type MonitoringOptions as documented1 } from "@authlens/status-api";',
      'import { buildServer as documented2 } from "@authlens/status-api";',
      'import * as documented3 from "@authlens/sdk";',
      'import "@authlens/sdk/register";',
      'export {};',
      '',
    ]);
    expect([...origins]).toEqual([
      [1, 'docs/x.md:3'],
      [2, 'docs/x.md:3'],
      [3, 'docs/x.md:3'],
      [4, 'docs/x.md:4'],
      [5, 'docs/x.md:9'],
    ]);
  });
});
