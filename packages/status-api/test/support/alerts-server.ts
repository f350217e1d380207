/**
 * Entry file for subprocess servers in the alert e2e tests:
 * `node --conditions=authlens-source packages/status-api/test/support/alerts-server.ts`.
 * Reads the documented variables (ALERT_STORE_URL, ALERT_WEBHOOK_URLS, ALERT_ROUTING_FILE, …) and
 * test-only manager options as JSON in AUTHLENS_TEST_ALERTS_OPTIONS; prints `listening <port>`.
 */
import Fastify from 'fastify';
import { type AlertManagerOptions, alertRoutes, createAlertManager } from '../../src/alerts/index.ts';
import { headerAuthorize } from './alerts-support.ts';

const options = JSON.parse(process.env.AUTHLENS_TEST_ALERTS_OPTIONS ?? '{}') as AlertManagerOptions;
const manager = await createAlertManager(options);
const app = Fastify();
await app.register(alertRoutes, { prefix: '/monitoring/alerts', authorize: headerAuthorize, manager });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);

const stop = async () => {
  await app.close();
  await manager.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
