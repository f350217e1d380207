/** What every route plugin shares, decorated on the encapsulated instance as `app.monitoring`. */
import type { Authorize } from './auth.ts';
import type { HealthRegistry } from './health/registry.ts';
import type { KpiBackend, MetricsSource } from './metrics/source.ts';
import type { ResolvedOptions } from './options.ts';
import type { StatusPageContext } from './status-page/service.ts';

export interface MonitoringContext {
  options: ResolvedOptions;
  health: HealthRegistry;
  kpis: KpiBackend;
  authorize: Authorize;
  /** History and incidents on the alert store; absent when the plugin has no store (page shows the present only). */
  statusPage: StatusPageContext | undefined;
  /** The in-process metrics source (injected or the SDK's), resolved per request. */
  metricsSource(): MetricsSource | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    monitoring: MonitoringContext;
  }
}
