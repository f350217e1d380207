/**
 * The service's shared state — user store, key-value store, sessions, lockout, telemetry and the
 * OAuth provider's address — opened once by `openServices` and hung on the Fastify instance as
 * `app.authService`, where every route plugin (`routes/*.ts`) reads it.
 */
import type { ResolvedOptions } from './config.ts';
import { newId } from './crypto.ts';
import { type FakeOAuthProvider, startFakeOAuthProvider } from './oauth-provider.ts';
import {
  type AccessContext,
  createLockout,
  createSessions,
  type Lockout,
  type Sessions,
} from './sessions.ts';
import { createMemoryStore, createRedisStore, type KeyValueStore } from './store/kv.ts';
import type { UserStore } from './store/users.ts';
import { createPostgresUserStore } from './store/users-postgres.ts';
import { createSqliteUserStore } from './store/users-sqlite.ts';
import { type AuthTelemetry, createTelemetry, type Detection } from './telemetry.ts';

export interface AppServices {
  options: ResolvedOptions;
  users: UserStore;
  kv: KeyValueStore;
  oauthProviderUrl: string;
  telemetry: AuthTelemetry;
  sessions: Sessions;
  lockout: Lockout;
}

declare module 'fastify' {
  interface FastifyInstance {
    authService: AppServices;
  }
  interface FastifyRequest {
    auth: AccessContext | null;
  }
}

export interface OpenedServices {
  services: AppServices;
  /** The secret the OAuth callback presents to the provider (generated for the local fake one). */
  oauthClientSecret: string;
  /** Closes everything `openServices` opened, in reverse order; errors are swallowed. */
  close(): Promise<void>;
}

export interface OpenServicesOptions {
  /** Use this telemetry instead of creating one. */
  telemetry?: AuthTelemetry;
  /** Called for every brute-force or credential-stuffing detection. */
  onBruteForce?: (detection: Detection) => void | Promise<void>;
}

export async function openServices(
  resolved: ResolvedOptions,
  options: OpenServicesOptions = {},
): Promise<OpenedServices> {
  // Open resources one by one; if one fails, close the ones already open before rethrowing.
  const opened: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closeOne of opened.splice(0).reverse()) await closeOne().catch(() => {});
  };
  let users: UserStore;
  let kv: KeyValueStore;
  let provider: FakeOAuthProvider | undefined;
  let telemetry: AuthTelemetry;
  const oauthClientSecret = resolved.oauthClientSecret ?? newId();
  try {
    users = resolved.databaseUrl
      ? await createPostgresUserStore(resolved.databaseUrl)
      : createSqliteUserStore(resolved.sqlitePath);
    opened.push(() => users.close());
    kv = resolved.redisUrl
      ? await createRedisStore(resolved.redisUrl, resolved.redisKeyPrefix)
      : createMemoryStore();
    opened.push(() => kv.close());
    if (!resolved.oauthProviderUrl) {
      const started = await startFakeOAuthProvider({
        clientId: resolved.oauthClientId,
        clientSecret: oauthClientSecret,
        port: resolved.oauthProviderPort,
      });
      provider = started;
      opened.push(() => started.close());
    }
    telemetry =
      options.telemetry ??
      createTelemetry({
        redisUrl: resolved.redisUrl,
        redisKeyPrefix: resolved.redisKeyPrefix,
        bruteForce: {
          ipFailures: resolved.bruteForce.threshold,
          accountFailures: resolved.lockout.maxFailures,
          windowSeconds: resolved.bruteForce.windowSeconds,
        },
        onDetect: options.onBruteForce,
      });
    const created = telemetry;
    opened.push(() => created.close());
  } catch (err) {
    await close();
    throw err;
  }
  const services: AppServices = {
    options: resolved,
    users,
    kv,
    oauthProviderUrl: resolved.oauthProviderUrl ?? provider!.url,
    telemetry,
    sessions: createSessions(kv, resolved, telemetry),
    lockout: createLockout(kv, resolved.lockout),
  };
  return { services, oauthClientSecret, close };
}
