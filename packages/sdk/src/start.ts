/**
 * `start(options)`: resolves and validates the configuration, then starts the SDK (loaded
 * lazily). Never throws: a bad value prints one line naming the variable and its accepted
 * values, and a no-op handle is returned — telemetry never takes the service down.
 */

import { parseBoolean } from './config/env.ts';
import { normalizeOptions, type StartOptions } from './config.ts';
import { diagLine } from './diag.ts';
import { type AuthlensError, errorCode } from './errors.ts';
import { createRedactor } from './redaction.ts';
import { type AuthlensHandle, noopHandle, sdkState } from './state.ts';

export type { StartOptions } from './config.ts';
export type { AuthlensHandle, AuthlensMetricsAccess } from './state.ts';
export { currentHandle } from './state.ts';

const disabledByEnv = (env: Record<string, string | undefined>): boolean =>
  parseBoolean(env.MONITORING_ENABLED ?? '') === false;

/** Starts authlens telemetry. Never throws: a configuration error yields a no-op handle. */
export async function start(options: StartOptions = {}): Promise<AuthlensHandle> {
  const state = sdkState();
  if (state.handle?.enabled) return state.handle;
  const env = options.env ?? process.env;
  // The cheap path: nothing else is read, loaded or patched.
  if (disabledByEnv(env)) return noopHandle();
  try {
    const config = normalizeOptions(options);
    if (!config.enabled) return noopHandle();
    const redactor = createRedactor(config.redaction);
    const { startSdk } = await import('./sdk.ts');
    const handle = await startSdk(config, redactor);
    state.handle = handle;
    return handle;
  } catch (err) {
    if (errorCode(err) === 'invalid_config') {
      const { message, setting } = err as AuthlensError;
      diagLine('error', `${message} — telemetry is off, the service keeps running`, {
        variable: setting ?? '',
      });
    } else {
      diagLine(
        'error',
        `failed to start (${(err as Error).message}) — telemetry is off, the service keeps running`,
      );
    }
    return noopHandle();
  }
}
