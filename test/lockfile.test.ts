/**
 * One OpenTelemetry version line in what users install. Reads `pnpm-lock.yaml` and walks the
 * production tree (dependencies, not devDependencies) of `@authlens/sdk` and
 * `@authlens/status-api`: a stable SDK package (or the OTLP transformer/exporter base the
 * exporters share) resolved at two versions means two copies load at run time — two
 * `TraceState` classes, two globals registries, twice the start-up cost. It also checks that the
 * encoders' byte-for-byte parity tests import the same `otlp-transformer` the shipped exporters
 * use. `AUTHLENS_LOCKFILE` points the check at another lockfile (to show it failing on one).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Packages of which the production tree may hold one version only. */
const SINGLE_VERSION = [
  '@opentelemetry/api',
  '@opentelemetry/api-logs',
  '@opentelemetry/context-async-hooks',
  '@opentelemetry/core',
  '@opentelemetry/resources',
  '@opentelemetry/sdk-logs',
  '@opentelemetry/sdk-metrics',
  '@opentelemetry/sdk-trace',
  '@opentelemetry/otlp-exporter-base',
  '@opentelemetry/otlp-transformer',
];

interface Dep {
  version: string;
}
interface Importer {
  dependencies?: Record<string, Dep>;
  optionalDependencies?: Record<string, Dep>;
  devDependencies?: Record<string, Dep>;
}
interface Snapshot {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}
interface Lockfile {
  importers: Record<string, Importer>;
  snapshots: Record<string, Snapshot>;
}

/** `3.1.1(@opentelemetry/api@1.10.0)` → `3.1.1`. */
const bare = (version: string) => version.replace(/\(.*$/, '');

/** Every package (name → versions) in the production tree of one workspace importer. */
function productionTree(lock: Lockfile, importer: string): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  const seen = new Set<string>();
  const visitImporter = (dir: string) => {
    if (seen.has(`importer:${dir}`)) return;
    seen.add(`importer:${dir}`);
    const imp = lock.importers[dir];
    if (!imp) throw new Error(`no importer ${dir} in the lockfile`);
    for (const deps of [imp.dependencies, imp.optionalDependencies]) {
      for (const [name, dep] of Object.entries(deps ?? {})) visit(name, dep.version, dir);
    }
  };
  const visit = (name: string, version: string, from: string) => {
    if (version.startsWith('link:')) {
      visitImporter(path.posix.normalize(path.posix.join(from, version.slice('link:'.length))));
      return;
    }
    const key = `${name}@${version}`;
    if (seen.has(key)) return;
    seen.add(key);
    const versions = found.get(name) ?? new Set<string>();
    found.set(name, versions);
    versions.add(bare(version));
    const snap = lock.snapshots[key];
    if (!snap) throw new Error(`no snapshot ${key} in the lockfile`);
    for (const deps of [snap.dependencies, snap.optionalDependencies]) {
      for (const [n, v] of Object.entries(deps ?? {})) visit(n, v, from);
    }
  };
  visitImporter(importer);
  return found;
}

/** Names from {@link SINGLE_VERSION} present at more than one version, with their versions. */
function skew(tree: Map<string, Set<string>>): string[] {
  return SINGLE_VERSION.filter((n) => (tree.get(n)?.size ?? 0) > 1).map(
    (n) => `${n}: ${[...(tree.get(n) ?? [])].sort().join(', ')}`,
  );
}

function readLock(file: string): Lockfile {
  return parse(readFileSync(file, 'utf8'), { maxAliasCount: -1 }) as Lockfile;
}

const lockPath = process.env.AUTHLENS_LOCKFILE ?? path.join(root, 'pnpm-lock.yaml');

describe(`OpenTelemetry version line in ${path.relative(root, lockPath) || lockPath}`, () => {
  const lock = readLock(lockPath);

  for (const [pkg, dir] of [
    ['@authlens/sdk', 'packages/sdk'],
    ['@authlens/status-api', 'packages/status-api'],
  ] as const) {
    it(`${pkg}'s production tree holds one version of each stable SDK package`, () => {
      const tree = productionTree(lock, dir);
      // The walk reached the SDK (a broken walk would find nothing and pass).
      expect(tree.get('@opentelemetry/sdk-trace')?.size ?? 0).toBeGreaterThan(0);
      expect(skew(tree)).toEqual([]);
    });
  }

  it("the encoders' parity tests compare against the otlp-transformer the exporters ship with", () => {
    const sdk = lock.importers['packages/sdk'];
    const tested = sdk?.dependencies?.['@opentelemetry/otlp-transformer'] ??
      sdk?.devDependencies?.['@opentelemetry/otlp-transformer'] ?? { version: 'missing' };
    const shipped = productionTree(lock, 'packages/sdk').get('@opentelemetry/otlp-transformer');
    expect([...(shipped ?? [])]).toEqual([bare(tested.version)]);
  });
});

describe('the version-line check itself', () => {
  it('finds the skew of exporters 0.301.0 (pinning 3.1.0) beside 0.301.1 (pinning 3.1.1)', () => {
    const lock: Lockfile = {
      importers: {
        'packages/sdk': {
          dependencies: {
            '@opentelemetry/exporter-logs-otlp-proto': { version: '0.301.0' },
            '@opentelemetry/sdk-trace': { version: '3.1.1' },
          },
        },
      },
      snapshots: {
        '@opentelemetry/exporter-logs-otlp-proto@0.301.0': {
          dependencies: { '@opentelemetry/sdk-trace': '3.1.0', '@opentelemetry/core': '3.1.0' },
        },
        '@opentelemetry/sdk-trace@3.1.0': { dependencies: { '@opentelemetry/core': '3.1.0' } },
        '@opentelemetry/sdk-trace@3.1.1': { dependencies: { '@opentelemetry/core': '3.1.1' } },
        '@opentelemetry/core@3.1.0': {},
        '@opentelemetry/core@3.1.1': {},
      },
    };
    expect(skew(productionTree(lock, 'packages/sdk'))).toEqual([
      '@opentelemetry/core: 3.1.0, 3.1.1',
      '@opentelemetry/sdk-trace: 3.1.0, 3.1.1',
    ]);
  });
});
