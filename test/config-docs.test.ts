/**
 * docs/configuration.md names every environment variable the shipped code reads: each
 * upper-case, underscore-separated string or `env.NAME` property in the sources of the SDK, the
 * status API, the dashboards and the example service must appear in the page (brace groups such
 * as `OTEL_EXPORTER_OTLP_{TRACES,METRICS,LOGS}_TIMEOUT` and `PREFIX_*` wildcards are expanded).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sourceDirs = [
  'packages/sdk/src',
  'packages/status-api/src',
  'dashboards/src',
  'examples/auth-service/src',
];
/** Upper-case strings in the sources that are not environment variables. */
const notVariables = [
  /^FST_ERR_/,
  /^ERR_/,
  /^HPE_/, // Node's HTTP parser error codes
  /^OTEL_(BSP|BLRP)$/, // prefixes of documented variables
  /^PATH$/, // passed through to child processes
];

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

/** Variable names the code reads: `env.NAME`, `env['NAME']` and quoted `NAME_WITH_UNDERSCORES`. */
function variablesIn(code: string): Set<string> {
  const names = new Set<string>();
  for (const m of code.matchAll(/\benv(?:\.|\[['"`])([A-Z][A-Z0-9_]*)/g)) names.add(m[1] as string);
  for (const m of code.matchAll(/['"`]([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)['"`]/g)) names.add(m[1] as string);
  return names;
}

/** Names the page documents, with `{A,B}` groups expanded; `PREFIX_*` becomes a prefix pattern. */
function documentedIn(markdown: string): { names: Set<string>; prefixes: string[] } {
  const names = new Set<string>();
  const prefixes: string[] = [];
  for (const [, code] of markdown.matchAll(/`([^`]+)`/g)) {
    for (const [token] of (code as string).matchAll(/[A-Z][A-Z0-9_]*(?:\{[^}]*\}[A-Z0-9_]*)*\*?/g)) {
      const expanded = [token];
      for (;;) {
        const i = expanded.findIndex((t) => /\{[^}]*\}/.test(t));
        if (i === -1) break;
        const t = expanded[i] as string;
        const [group, inner] = /\{([^}]*)\}/.exec(t) as unknown as [string, string];
        expanded.splice(i, 1, ...inner.split(',').map((alt) => t.replace(group, alt)));
      }
      for (const t of expanded) {
        if (/^[A-Z][A-Z0-9_]*_\*$/.test(t)) prefixes.push(t.slice(0, -1));
        else if (/^[A-Z][A-Z0-9_]+$/.test(t)) names.add(t);
      }
    }
  }
  return { names, prefixes };
}

describe('docs/configuration.md', () => {
  it('expands brace groups and wildcards', () => {
    const docs = documentedIn(
      '`OTEL_EXPORTER_OTLP_{TRACES,METRICS}_TIMEOUT`, `AUTHLENS_FIXTURE_*`, `PORT=3000`',
    );
    expect([...docs.names].sort()).toEqual([
      'OTEL_EXPORTER_OTLP_METRICS_TIMEOUT',
      'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT',
      'PORT',
    ]);
    expect(docs.prefixes).toEqual(['AUTHLENS_FIXTURE_']);
    expect([...variablesIn(`env.PORT; env['SQLITE_PATH']; read('LOKI_URL'); 'lower_case'`)].sort()).toEqual([
      'LOKI_URL',
      'PORT',
      'SQLITE_PATH',
    ]);
  });

  it('documents every environment variable the code reads', () => {
    const docs = documentedIn(readFileSync(path.join(root, 'docs/configuration.md'), 'utf8'));
    const missing: string[] = [];
    for (const dir of sourceDirs) {
      for (const file of sourceFiles(dir)) {
        for (const name of variablesIn(readFileSync(file, 'utf8'))) {
          if (notVariables.some((re) => re.test(name))) continue;
          if (docs.names.has(name) || docs.prefixes.some((p) => name.startsWith(p))) continue;
          missing.push(`${name} (${path.relative(root, file)})`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
