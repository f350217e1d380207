import { createRequire } from 'node:module';
import path from 'node:path';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { afterEach, describe, expect, it } from 'vitest';
import { enableOnFirstResolve, type LazyInstrumentation, loadPackage } from './lazy-instrumentations.ts';

const requireHere = createRequire(import.meta.url);
const stops: Array<() => void> = [];
afterEach(() => {
  for (const s of stops.splice(0)) s();
});

/** A lazy entry that records when it is created; the instrumentation is a real (disabled) one. */
function lazyFor(modules: string[], created: string[]): LazyInstrumentation {
  return {
    modules,
    create: () => {
      created.push(modules[0] as string);
      const { PgInstrumentation } = loadPackage<typeof import('@opentelemetry/instrumentation-pg')>(
        '@opentelemetry/instrumentation-pg',
      );
      return new PgInstrumentation({ enabled: false });
    },
  };
}

// Each test watches modules no earlier test has loaded: a module already loaded (and cached by
// require-in-the-middle) is handed out again without being resolved.
describe('enableOnFirstResolve', () => {
  it('matches a file of the module required by its path', () => {
    // Resolved before watching: resolving the bare name would itself match.
    const file = requireHere.resolve('pg-protocol', { paths: [path.dirname(requireHere.resolve('pg'))] });
    expect(file).toContain('/node_modules/pg-protocol/');
    const created: string[] = [];
    stops.push(enableOnFirstResolve([lazyFor(['pg-protocol'], created)], () => {}));
    requireHere(file);
    expect(created).toEqual(['pg-protocol']);
  });

  it('matches the module and paths under it, not other names that start the same', () => {
    const created: string[] = [];
    stops.push(enableOnFirstResolve([lazyFor(['pg'], created)], () => {}));
    expect(() => requireHere('pgx-not-installed')).toThrow(/Cannot find module/);
    expect(created).toEqual([]);
    requireHere('pg/lib/client');
    expect(created).toEqual(['pg']);
  });

  it('creates an instrumentation only when its module is first resolved, once, before the module loads', () => {
    const created: string[] = [];
    const enabled: Instrumentation[] = [];
    stops.push(
      enableOnFirstResolve([lazyFor(['ioredis'], created), lazyFor(['winston'], created)], (i) =>
        enabled.push(i),
      ),
    );
    expect(created).toEqual([]);
    requireHere('node:path');
    expect(created).toEqual([]);
    requireHere('ioredis');
    expect(created).toEqual(['ioredis']);
    expect(enabled.map((i) => i.instrumentationName)).toEqual(['@opentelemetry/instrumentation-pg']);
    requireHere('ioredis');
    expect(created).toEqual(['ioredis']);
    requireHere('winston');
    expect(created).toEqual(['ioredis', 'winston']);
  });

  it('stops watching when stopped', () => {
    const created: string[] = [];
    const stop = enableOnFirstResolve([lazyFor(['fastify'], created)], () => {});
    stop();
    requireHere('fastify');
    expect(created).toEqual([]);
  });

  it('lets the module load when creating its instrumentation fails', () => {
    let attempts = 0;
    const lazy: LazyInstrumentation = {
      modules: ['pg'],
      create: () => {
        attempts++;
        throw new Error('broken instrumentation package');
      },
    };
    let enabled = 0;
    stops.push(enableOnFirstResolve([lazy], () => enabled++));
    expect(typeof (requireHere('pg') as { Client: unknown }).Client).toBe('function');
    expect(attempts).toBe(1);
    expect(enabled).toBe(0);
  });
});
