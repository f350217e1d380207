/**
 * Every `import … from '@authlens/…'` in the documentation's TypeScript and JavaScript samples,
 * read with TypeScript's parser (and every `node --import @authlens/…` of its shell samples), and
 * a module that makes exactly those imports: type-checked
 * against the built packages by `test/dist-consumer.test.ts`, so a documented name the `dist/`
 * declarations do not export fails there, naming the Markdown file and line.
 */
import ts from 'typescript';
import type { Block } from './doc-blocks.ts';

export interface DocImport {
  /** Where the import is written: `docs/sdk.md:244`. */
  origin: string;
  /** `@authlens/sdk`, `@authlens/sdk/register`, … */
  specifier: string;
  kind: 'default' | 'named' | 'namespace' | 'side-effect';
  /** The exported name, for a named import. */
  name?: string;
  typeOnly: boolean;
}

const SAMPLE_LANGUAGES = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs']);
const SHELL_LANGUAGES = new Set(['sh', 'bash', 'shell']);

/** The `@authlens/*` imports of the samples in `blocks`, in order. */
export function documentedImports(blocks: readonly Block[]): DocImport[] {
  const found: DocImport[] = [];
  for (const block of blocks) {
    if (SHELL_LANGUAGES.has(block.lang))
      for (const [i, line] of block.code.split('\n').entries())
        for (const m of line.matchAll(/--import[= ](@authlens\/[\w./-]+)/g))
          found.push({
            origin: `${block.file}:${block.line + i}`,
            specifier: m[1]!,
            kind: 'side-effect',
            typeOnly: false,
          });
    if (!SAMPLE_LANGUAGES.has(block.lang)) continue;
    const source = ts.createSourceFile('sample.ts', block.code, ts.ScriptTarget.Latest, true);
    for (const statement of source.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
      const specifier = statement.moduleSpecifier.text;
      if (!specifier.startsWith('@authlens/')) continue;
      const line = source.getLineAndCharacterOfPosition(statement.getStart()).line;
      const at = { origin: `${block.file}:${block.line + line}`, specifier };
      const clause = statement.importClause;
      if (!clause) {
        found.push({ ...at, kind: 'side-effect', typeOnly: false });
        continue;
      }
      if (clause.name) found.push({ ...at, kind: 'default', typeOnly: clause.isTypeOnly });
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings))
        found.push({ ...at, kind: 'namespace', typeOnly: clause.isTypeOnly });
      if (bindings && ts.isNamedImports(bindings))
        for (const element of bindings.elements)
          found.push({
            ...at,
            kind: 'named',
            name: (element.propertyName ?? element.name).text,
            typeOnly: clause.isTypeOnly || element.isTypeOnly,
          });
    }
  }
  return found;
}

/**
 * A module making each distinct import once, under a local name of its own (samples may give one
 * local name to different things), and for each line of it the import's origin.
 */
export function importsModule(imports: readonly DocImport[]): { code: string; origins: Map<number, string> } {
  const lines: string[] = [];
  const origins = new Map<number, string>();
  const seen = new Set<string>();
  for (const imp of imports) {
    const key = `${imp.specifier} ${imp.kind} ${imp.name ?? ''} ${imp.typeOnly}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const local = `documented${lines.length}`;
    const type = imp.typeOnly ? 'type ' : '';
    const from = JSON.stringify(imp.specifier);
    const text = {
      default: `import ${type}${local} from ${from};`,
      named: `import { ${type}${imp.name} as ${local} } from ${from};`,
      namespace: `import ${type}* as ${local} from ${from};`,
      'side-effect': `import ${from};`,
    }[imp.kind];
    lines.push(text);
    origins.set(lines.length, imp.origin);
  }
  return { code: `${lines.join('\n')}\nexport {};\n`, origins };
}
