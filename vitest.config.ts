import { defineConfig } from 'vitest/config';

// One config for the whole repo: each workspace package is a project, so `vitest run` at the
// root runs every test. Workspace packages resolve to their TypeScript sources through the
// `authlens-source` export condition (no build needed for tests).
const conditions = ['authlens-source', 'module', 'node', 'development|production'];

const project = (name: string, root: string, include = ['src/**/*.test.ts', 'test/**/*.test.ts']) => ({
  extends: true as const,
  test: { name, root, include },
});

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['authlens-source'] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    projects: [
      project('sdk', 'packages/sdk'),
      project('status-api', 'packages/status-api'),
      project('dashboards', 'dashboards'),
      project('collector', 'collector'),
      project('auth-service', 'examples/auth-service'),
      project('repo', 'test', ['*.test.ts']),
    ],
  },
});
