/**
 * `buildApp(options)`: the example auth service as a Fastify instance (tests drive it with
 * `app.inject`; `server.ts` makes it listen). Register, login with lockout, TOTP MFA, an OAuth
 * authorization-code login against a local fake provider, token refresh, logout, and GDPR
 * export and erasure — every step reported through `telemetry.ts`.
 *
 * Each group of routes is a Fastify plugin under `routes/`; they read the shared state
 * (`services.ts`) from `app.authService`. This file only puts the pieces together.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { type AppOptions, normalizeOptions } from './config.ts';
import { problemErrorHandler } from './error-handler.ts';
import { ERRORS, sendProblem } from './errors.ts';
import { requestLog } from './request-log.ts';
import authRoutes from './routes/auth.ts';
import gdprRoutes from './routes/gdpr.ts';
import mfaRoutes from './routes/mfa.ts';
import oauthRoutes from './routes/oauth.ts';
import sessionRoutes from './routes/sessions.ts';
import { type AppServices, openServices } from './services.ts';
import type { AuthTelemetry, Detection } from './telemetry.ts';

export type { AppOptions } from './config.ts';
export type { AppServices } from './services.ts';
export type { Detection } from './telemetry.ts';

export interface BuildAppOptions extends AppOptions {
  /**
   * Called for every brute-force or credential-stuffing detection (per address and per account),
   * e.g. to raise an alert. Errors are logged, never propagated to the login request.
   */
  onBruteForce?: (detection: Detection) => void | Promise<void>;
  /** Extra Fastify setup (e.g. mounting the monitoring plugin) run before the routes are added. */
  configure?: (app: FastifyInstance, services: AppServices) => Promise<void> | void;
  telemetry?: AuthTelemetry;
}

export async function buildApp(options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const opened = await openServices(normalizeOptions(options), options);
  const { services } = opened;

  const app = Fastify({
    logger: false,
    trustProxy: 'loopback',
    ajv: { customOptions: { allErrors: false, removeAdditional: false } },
  });
  app.decorate('authService', services);
  app.decorateRequest('auth', null);
  app.addHook('onClose', opened.close);
  app.setErrorHandler(problemErrorHandler(services.telemetry));

  if (options.configure) await options.configure(app, services);

  app.addHook('onResponse', requestLog(services.telemetry));
  // The demo prints this URL first: say what the service is and where to go from here.
  app.get('/', async () => ({
    service: 'authlens example auth service',
    endpoints: {
      register: 'POST /auth/register',
      login: 'POST /auth/login',
      mfa: 'POST /auth/mfa/verify',
      oauth: 'GET /auth/oauth/local/start',
      status: 'GET /monitoring/status/',
      health: 'GET /monitoring/health/',
    },
  }));
  app.register(authRoutes);
  app.register(mfaRoutes);
  app.register(sessionRoutes);
  app.register(oauthRoutes, { clientSecret: opened.oauthClientSecret });
  app.register(gdprRoutes);

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, 'not_found', {
      detail: `${request.method} ${request.url.split('?')[0]} does not exist`,
    }),
  );

  return app;
}

export { ERRORS };
