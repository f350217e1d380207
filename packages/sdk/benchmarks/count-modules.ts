/**
 * Preloaded by `startup.ts` (`STARTUP_MODULES=1`): counts the modules the process loads (every
 * `require` and `import` that reaches a load, through `module.registerHooks`) and writes the
 * count to stderr as `MODULES <n>` when the service prints its port.
 */
import { registerHooks } from 'node:module';

let loaded = 0;
registerHooks({
  load(url, context, nextLoad) {
    loaded++;
    return nextLoad(url, context);
  },
});
const write = process.stderr.write.bind(process.stderr) as (chunk: string) => boolean;
process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  if (typeof chunk === 'string' && chunk.startsWith('LISTENING ')) write(`MODULES ${loaded}\n`);
  return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stderr.write;
