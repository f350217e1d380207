/**
 * One `normalizeOptions()`: explicit option, then environment variable, then default.
 * A malformed environment value fails at start with one line naming the variable.
 */

export interface LockoutOptions {
  /** Failed logins (password or MFA) on one account before it is locked. Default 5. */
  maxFailures: number;
  /** Window in which failures are counted, seconds. Default 900. */
  windowSeconds: number;
  /** How long a locked account stays locked, seconds. Default 900. */
  durationSeconds: number;
}

export interface BruteForceOptions {
  /** Failed logins from one client address within the window that count as a brute-force attack. Default 10. */
  threshold: number;
  windowSeconds: number;
}

export interface AppOptions {
  /** `postgres://…` stores users in PostgreSQL; unset uses SQLite. Env `DATABASE_URL`. */
  databaseUrl?: string;
  /** SQLite file (or `:memory:`). Env `SQLITE_PATH`. Default `:memory:`. */
  sqlitePath?: string;
  /** `redis://…` keeps sessions and rate counters in Redis; unset keeps them in memory. Env `REDIS_URL`. */
  redisUrl?: string;
  /** Prefix of every Redis key. Env `REDIS_KEY_PREFIX`. Default `auth-service:`. */
  redisKeyPrefix?: string;
  lockout?: Partial<LockoutOptions>;
  bruteForce?: Partial<BruteForceOptions>;
  /** Access-token lifetime, seconds. Env `ACCESS_TOKEN_TTL_SECONDS`. Default 900. */
  accessTokenTtlSeconds?: number;
  /** Refresh-token lifetime, seconds. Env `REFRESH_TOKEN_TTL_SECONDS`. Default 1209600 (14 days). */
  refreshTokenTtlSeconds?: number;
  /**
   * Base URL of the OAuth provider. Env `OAUTH_PROVIDER_URL`. Unset: the service starts its own
   * local fake provider on 127.0.0.1 (port `OAUTH_PROVIDER_PORT`, default 0 = any free port).
   */
  oauthProviderUrl?: string;
  oauthProviderPort?: number;
  oauthClientId?: string;
  oauthClientSecret?: string;
  /** Issuer name shown in authenticator apps. Default `authlens demo`. */
  totpIssuer?: string;
  /** Service name reported by the monitoring endpoints. Env `OTEL_SERVICE_NAME`. */
  serviceName?: string;
  /** Where to read environment variables from (tests pass `{}`). Default `process.env`. */
  env?: Record<string, string | undefined>;
}

export interface ResolvedOptions {
  databaseUrl: string | undefined;
  sqlitePath: string;
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  lockout: LockoutOptions;
  bruteForce: BruteForceOptions;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  oauthProviderUrl: string | undefined;
  oauthProviderPort: number;
  oauthClientId: string;
  oauthClientSecret: string | undefined;
  totpIssuer: string;
  serviceName: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function intFrom(
  env: Record<string, string | undefined>,
  name: string,
  explicit: number | undefined,
  fallback: number,
  min: number,
): number {
  if (explicit !== undefined) {
    if (!Number.isInteger(explicit) || explicit < min) {
      throw new ConfigError(`option for ${name} must be an integer >= ${min}, got ${explicit}`);
    }
    return explicit;
  }
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(value) || value < min) {
    throw new ConfigError(`${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function urlFrom(
  env: Record<string, string | undefined>,
  name: string,
  explicit: string | undefined,
  protocols: string[],
): string | undefined {
  const raw = explicit ?? (env[name] === '' ? undefined : env[name]);
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${name} must use ${protocols.join(' or ')} (got ${url.protocol})`);
  }
  return raw;
}

export function normalizeOptions(options: AppOptions = {}): ResolvedOptions {
  const env = options.env ?? process.env;
  return {
    databaseUrl: urlFrom(env, 'DATABASE_URL', options.databaseUrl, ['postgres:', 'postgresql:']),
    sqlitePath: options.sqlitePath ?? env.SQLITE_PATH ?? ':memory:',
    redisUrl: urlFrom(env, 'REDIS_URL', options.redisUrl, ['redis:', 'rediss:']),
    redisKeyPrefix: options.redisKeyPrefix ?? env.REDIS_KEY_PREFIX ?? 'auth-service:',
    lockout: {
      maxFailures: intFrom(env, 'LOCKOUT_MAX_FAILURES', options.lockout?.maxFailures, 5, 1),
      windowSeconds: intFrom(env, 'LOCKOUT_WINDOW_SECONDS', options.lockout?.windowSeconds, 900, 1),
      durationSeconds: intFrom(env, 'LOCKOUT_DURATION_SECONDS', options.lockout?.durationSeconds, 900, 1),
    },
    bruteForce: {
      threshold: intFrom(env, 'BRUTE_FORCE_THRESHOLD', options.bruteForce?.threshold, 10, 2),
      windowSeconds: intFrom(env, 'BRUTE_FORCE_WINDOW_SECONDS', options.bruteForce?.windowSeconds, 300, 1),
    },
    accessTokenTtlSeconds: intFrom(env, 'ACCESS_TOKEN_TTL_SECONDS', options.accessTokenTtlSeconds, 900, 1),
    refreshTokenTtlSeconds: intFrom(
      env,
      'REFRESH_TOKEN_TTL_SECONDS',
      options.refreshTokenTtlSeconds,
      14 * 24 * 3600,
      1,
    ),
    oauthProviderUrl: urlFrom(env, 'OAUTH_PROVIDER_URL', options.oauthProviderUrl, ['http:', 'https:']),
    oauthProviderPort: intFrom(env, 'OAUTH_PROVIDER_PORT', options.oauthProviderPort, 0, 0),
    oauthClientId: options.oauthClientId ?? env.OAUTH_CLIENT_ID ?? 'authlens-demo',
    oauthClientSecret: options.oauthClientSecret ?? env.OAUTH_CLIENT_SECRET,
    totpIssuer: options.totpIssuer ?? 'authlens demo',
    serviceName: options.serviceName ?? env.OTEL_SERVICE_NAME ?? 'auth-service',
  };
}
