/**
 * Runs the example auth service: `node --import @authlens/sdk/register src/server.ts`.
 * Listens on `PORT` (default 3000) and `HOST` (default 127.0.0.1); SIGTERM or SIGINT closes the
 * server (in-flight requests finish, stores close) and exits; a second signal exits at once.
 */
import { currentHandle, getLogger } from '@authlens/sdk';
import { errorCode } from '@authlens/sdk/internal';
import { buildApp } from './app.ts';
import { envReader } from './config.ts';
import { createMonitoring } from './monitoring.ts';

const log = getLogger('auth-service');

let app: Awaited<ReturnType<typeof buildApp>>;
let port: number;
try {
  port = envReader(process.env).integer('PORT', { default: 3000, min: 0, max: 65535 });
  const monitoring = await createMonitoring();
  app = await buildApp({ onBruteForce: monitoring.onBruteForce, configure: monitoring.configure });
} catch (err) {
  // Configuration errors (ours, the SDK's, the status API's) end start-up with one line naming the variable.
  if (err instanceof Error && errorCode(err) === 'invalid_config') {
    process.stderr.write(`auth-service: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}

const host = process.env.HOST ?? '127.0.0.1';
await app.listen({ port, host });
const address = app.server.address();
const url = `http://${host}:${typeof address === 'object' && address ? address.port : port}`;
log.info('auth-service listening', {
  'url.full': url,
  'oauth.provider.url': app.authService.oauthProviderUrl,
});
// The demo starts this file as a child process with an IPC channel and waits for this message.
process.send?.({
  type: 'listening',
  url,
  oauthProviderUrl: app.authService.oauthProviderUrl,
  prometheusPort: currentHandle()?.scrapePort,
});

let closing = false;
const shutdown = (reason: string) => {
  if (closing) return;
  closing = true;
  log.info('auth-service shutting down', { reason });
  // Bounded: a stuck connection must not keep the process alive past 4 s.
  const force = setTimeout(() => process.exit(1), 4000);
  force.unref();
  app.close().then(
    () => {
      if (process.connected) process.disconnect();
      process.exitCode = 0;
      // Give telemetry shutdown hooks a moment to flush, then leave even if a handle lingers.
      setTimeout(() => process.exit(0), 1000).unref();
    },
    () => process.exit(1),
  );
};
process.on('SIGTERM', () => shutdown('SIGTERM'));
// A second Ctrl-C means "now".
process.on('SIGINT', () => (closing ? process.exit(130) : shutdown('SIGINT')));
// Started by the demo with an IPC channel: if the demo goes away, stop too instead of lingering.
if (process.send) process.once('disconnect', () => shutdown('parent disconnected'));
