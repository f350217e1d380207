/**
 * Alert management routes (seam: the alert-manager work replaces this placeholder).
 * Registered by the monitoring plugin under `/alerts` with role checks supplied by it.
 */
import type { FastifyPluginAsync, preHandlerHookHandler } from 'fastify';

export interface AlertRoutesOptions {
  /** Role checks supplied by the monitoring plugin (API keys). */
  authorize: { read: preHandlerHookHandler; write: preHandlerHookHandler };
}

export const alertRoutes: FastifyPluginAsync<AlertRoutesOptions> = async () => {};
