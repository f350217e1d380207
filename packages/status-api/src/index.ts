/**
 * @authlens/status-api — the monitoring HTTP surface as a Fastify plugin:
 * `app.register(monitoring, { prefix: '/monitoring' })`.
 */
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

export interface MonitoringOptions {
  /** Reported by the health endpoints. */
  serviceName?: string;
}

const monitoringPlugin: FastifyPluginAsync<MonitoringOptions> = async (app) => {
  app.get('/health/', async () => ({ status: 'healthy', timestamp: new Date().toISOString() }));
};

const monitoring = fp(monitoringPlugin, { name: '@authlens/status-api', fastify: '5.x', encapsulate: true });
export default monitoring;
