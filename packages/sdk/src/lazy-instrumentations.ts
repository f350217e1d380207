/**
 * Instrumentations loaded on first use: the pg and ioredis instrumentations (~10 ms of start-up
 * each) are created only when the app first resolves the module they patch. A synchronous
 * module resolve hook (`module.registerHooks`, Node ≥ 22.15, in-thread, for `require` and
 * `import` alike) sees the specifier before the module loads, creates and enables the
 * instrumentation right there — so its require/import hooks are in place when the module's
 * code has run and its exports are handed out, exactly as if it had been enabled at start.
 * An app that never loads pg or Redis never loads their instrumentations.
 */
import { createRequire, registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { diagLine } from './diag.ts';

export interface LazyInstrumentation {
  /** Module names whose first resolution (the name itself or a path under it) triggers `create`. */
  modules: readonly string[];
  /** Creates the instrumentation, loading its package synchronously (`loadPackage`). */
  create(): Instrumentation;
}

const requireHere = createRequire(import.meta.url);

/**
 * Loads a package synchronously through its ESM entry (the copy the rest of the SDK shares,
 * `require(esm)`), or its CommonJS entry where the ESM one cannot be resolved or required.
 */
export function loadPackage<T>(name: string): T {
  try {
    return requireHere(fileURLToPath(import.meta.resolve(name))) as T;
  } catch {
    return requireHere(name) as T;
  }
}

/** `name`, a path under it (`pg/lib/client`), or a file inside it by path (`…/node_modules/pg/…`). */
const matches = (specifier: string, name: string) =>
  specifier === name || specifier.startsWith(`${name}/`) || specifier.includes(`/node_modules/${name}/`);

/**
 * Watches module resolution until every lazy instrumentation has been created; each is passed to
 * `enable` (synchronously, before the module it patches loads). Returns the function that stops
 * watching (instrumentations already created are the caller's to disable).
 */
export function enableOnFirstResolve(
  lazies: readonly LazyInstrumentation[],
  enable: (instrumentation: Instrumentation) => void,
): () => void {
  const pending = new Set(lazies);
  if (pending.size === 0) return () => {};
  let creating = false;
  const hooks = registerHooks({
    resolve(specifier, context, nextResolve) {
      if (!creating && pending.size > 0) {
        for (const lazy of pending) {
          if (!lazy.modules.some((m) => matches(specifier, m))) continue;
          pending.delete(lazy);
          creating = true;
          try {
            enable(lazy.create());
          } catch (err) {
            diagLine(
              'warn',
              `instrumentation for ${lazy.modules[0]} failed to load (${(err as Error).message})`,
            );
          } finally {
            creating = false;
          }
        }
        if (pending.size === 0) queueMicrotask(stop);
      }
      return nextResolve(specifier, context);
    },
  });
  let stopped = false;
  function stop() {
    if (stopped) return;
    stopped = true;
    pending.clear();
    hooks.deregister();
  }
  return stop;
}
