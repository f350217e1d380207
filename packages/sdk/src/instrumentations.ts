/**
 * The curated instrumentation set (not `getNodeAutoInstrumentations()`): HTTP client, undici
 * (fetch), pg, ioredis, winston correlation and Node runtime metrics. The HTTP server side
 * (`http-server.ts`) and Fastify (`fastify.ts`) are our own lean instrumentations. ESM imports of instrumented
 * libraries are patched through import-in-the-middle's synchronous module hooks. pg and ioredis
 * are loaded on the app's first import of those modules (`lazy-instrumentations.ts`).
 */
import { type Instrumentation, registerInstrumentations } from '@opentelemetry/instrumentation';
import type { InstrumentationName } from './config.ts';
import { diagLine } from './diag.ts';
import { enableOnFirstResolve, type LazyInstrumentation, loadPackage } from './lazy-instrumentations.ts';
import { sdkState } from './state.ts';

/** Modules whose ESM imports need hooking (everything else is left alone: faster start-up). */
const HOOKED_MODULES: Record<InstrumentationName, string[]> = {
  http: ['http', 'https', 'node:http', 'node:https'],
  undici: [],
  fastify: [],
  pg: ['pg', 'pg-pool'],
  ioredis: ['ioredis'],
  winston: ['winston'],
  'runtime-node': [],
};

let hooksRegistered = false;

/** Registers the ESM hook once per process, limited to the modules we instrument. */
async function registerEsmHooks(names: ReadonlySet<InstrumentationName>): Promise<void> {
  if (hooksRegistered) return;
  const include = [...names].flatMap((n) => HOOKED_MODULES[n]);
  if (include.length === 0) return;
  try {
    const { register, supportsSyncHooks } = await import('import-in-the-middle/register-hooks.mjs');
    if (supportsSyncHooks()) {
      register({ include });
    } else {
      const { register: registerAsync } = await import('node:module');
      const { registerOptions } = (await import('import-in-the-middle')).createAddHookMessageChannel();
      registerAsync('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
    }
    hooksRegistered = true;
  } catch (err) {
    diagLine(
      'warn',
      `ESM module hooks unavailable (${(err as Error).message}); ESM imports of pg/ioredis/winston are not patched`,
    );
  }
}

/** Loads, enables and returns the selected instrumentations; returns the undo function. */
export async function enableInstrumentations(
  names: ReadonlySet<InstrumentationName>,
  providers: Pick<
    Parameters<typeof registerInstrumentations>[0],
    'tracerProvider' | 'meterProvider' | 'loggerProvider'
  > = {},
): Promise<() => void> {
  await registerEsmHooks(names);
  const list: Instrumentation[] = [];
  if (names.has('http')) {
    const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
    // Client side only: the server side is `http-server.ts`.
    list.push(new HttpInstrumentation({ disableIncomingRequestInstrumentation: true }));
  }
  if (names.has('undici')) {
    const { UndiciInstrumentation } = await import('@opentelemetry/instrumentation-undici');
    list.push(new UndiciInstrumentation());
  }
  // pg and ioredis load with the app's first import of the module they patch (start-up cost only when used).
  const lazies: LazyInstrumentation[] = [];
  if (names.has('pg')) {
    lazies.push({
      modules: HOOKED_MODULES.pg,
      create: () =>
        new (loadPackage<typeof import('@opentelemetry/instrumentation-pg')>(
          '@opentelemetry/instrumentation-pg',
        ).PgInstrumentation)({ requireParentSpan: true }),
    });
  }
  if (names.has('ioredis')) {
    // Auth services key Redis by session IDs, token hashes and e-mails: record the command name
    // only (`GET`, `EVALSHA`), never keys or arguments.
    lazies.push({
      modules: HOOKED_MODULES.ioredis,
      create: () =>
        new (loadPackage<typeof import('@opentelemetry/instrumentation-ioredis')>(
          '@opentelemetry/instrumentation-ioredis',
        ).IORedisInstrumentation)({ requireParentSpan: true, dbStatementSerializer: (cmdName) => cmdName }),
    });
  }
  let winston: { getConfig(): object; setConfig(config: object): void } | undefined;
  if (names.has('winston')) {
    const { WinstonInstrumentation } = await import('@opentelemetry/instrumentation-winston');
    const instrumentation = new WinstonInstrumentation();
    winston = instrumentation;
    list.push(instrumentation);
  }
  if (names.has('runtime-node')) {
    const { RuntimeNodeInstrumentation } = await import('@opentelemetry/instrumentation-runtime-node');
    // The event-loop delay collector reports only when it holds >= 5 samples since the last
    // collection: a 10 ms resolution (a native libuv timer) reports at any scrape interval >= 50 ms.
    list.push(new RuntimeNodeInstrumentation({ monitoringPrecision: 10 }));
  }
  const undo = registerInstrumentations({ instrumentations: list, ...providers });
  const lazyUndo: Array<() => void> = [];
  const stopWatching = enableOnFirstResolve(lazies, (instrumentation) => {
    lazyUndo.push(registerInstrumentations({ instrumentations: [instrumentation], ...providers }));
  });
  const state = sdkState();
  if (winston !== undefined) {
    const w = winston;
    state.withoutWinstonLogSending = (build) => {
      const config = w.getConfig();
      w.setConfig({ ...config, disableLogSending: true });
      try {
        return build();
      } finally {
        w.setConfig(config);
      }
    };
  }
  return () => {
    state.withoutWinstonLogSending = undefined;
    stopWatching();
    for (const u of lazyUndo) u();
    undo();
  };
}
