/**
 * The standalone monitoring server (`authlens serve`): a Fastify app with the plugin under
 * `/monitoring`, listening on `PORT` (default 8000).
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import { DEFAULTS } from './defaults.ts';
import { clientErrorHandler, frameworkErrors } from './errors.ts';
import { checksFromEnv } from './health/checks.ts';
import type { MonitoringOptions } from './options.ts';
import { monitoring } from './plugin-export.ts';
import { readSettings } from './settings.ts';

export interface ServerOptions extends MonitoringOptions {
  /** Env `PORT`, default 8000; 0 picks a free port. */
  port?: number;
  /** Env `HOST`, default `0.0.0.0`. */
  host?: string;
  /** Default `/monitoring`. */
  prefix?: string;
  /** Fastify logger option; default JSON logs at `info`. */
  logger?: FastifyServerOptions['logger'];
  /** Trust `X-Forwarded-For` from a proxy (rate limiting per client IP). Default false. */
  trustProxy?: boolean;
}

export interface StandaloneServer {
  app: FastifyInstance;
  port: number;
  host: string;
  /** Starts listening; resolves to the address (e.g. `http://127.0.0.1:8000`). */
  start(): Promise<string>;
  close(): Promise<void>;
}

const portFrom = (options: ServerOptions, env: Record<string, string | undefined>): number =>
  readSettings(env).integer('PORT', {
    default: DEFAULTS.server.port,
    min: 0,
    max: 65535,
    expected: 'a port number',
    option: { name: 'port', value: options.port },
  });

export async function buildServer(options: ServerOptions = {}): Promise<StandaloneServer> {
  const env = options.env ?? process.env;
  const port = portFrom(options, env);
  const host = options.host ?? env.HOST ?? DEFAULTS.server.host;
  const {
    port: _p,
    host: _h,
    prefix = DEFAULTS.server.prefix,
    logger,
    trustProxy,
    ...monitoringOptions
  } = options;
  const app = Fastify({
    logger: logger ?? { level: env.LOG_LEVEL ?? 'info', redact: ['req.headers.authorization'] },
    trustProxy: trustProxy ?? false,
    // Errors raised before any route sees the request are problems too (src/errors.ts).
    frameworkErrors,
    clientErrorHandler,
    // No info-level line per request: at alert-ingest rates the access log alone costs a large
    // share of the CPU. With LOG_LEVEL=debug each request gets one line (below).
    logController: new LogController({ disableRequestLogging: true }),
  });
  if (app.log.level === 'debug' || app.log.level === 'trace') {
    app.addHook('onResponse', (request, reply, done) => {
      request.log.debug(
        { method: request.method, url: request.url, statusCode: reply.statusCode, ms: reply.elapsedTime },
        'request completed',
      );
      done();
    });
  }
  await app.register(monitoring, {
    ...monitoringOptions,
    checks: monitoringOptions.checks ?? checksFromEnv(env),
    prefix,
  });
  app.get('/', { schema: { hide: true } }, (_request, reply) => reply.redirect(`${prefix}/status/`));
  await app.ready();
  return {
    app,
    port,
    host,
    start: () => app.listen({ port, host }),
    close: () => app.close(),
  };
}
