/**
 * One `normalizeOptions()`: explicit option, then environment variable, then default.
 * A malformed environment value fails at start with one line naming the variable. The values are
 * read with authlens's own environment readers (`@authlens/sdk/internal`: shared by the authlens
 * packages and this in-repo example, not a public API), so no parser is written twice.
 */
import { AuthlensError } from '@authlens/sdk';
import { createEnvReader, type Env, type EnvReader } from '@authlens/sdk/internal';

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

/** A refused setting of the example (`invalid_config`, like every authlens configuration error). */
export class ConfigError extends AuthlensError {
  constructor(setting: string, message: string) {
    super('invalid_config', message, { setting });
    this.name = 'ConfigError';
  }
}

/** authlens's environment readers with the example's wording: `NAME must be …, got "value"`. */
export function envReader(env: Env): EnvReader {
  return createEnvReader(env, ({ setting, value, expected }) => {
    const got = value === '<hidden>' ? '' : `, got ${JSON.stringify(value)}`;
    return new ConfigError(setting, `${setting} must be ${expected}${got}`);
  });
}

/** `postgres://…`, `redis://…`: the value holds a password, so an error never repeats it. */
const POSTGRES = ['postgres:', 'postgresql:'];
const REDIS = ['redis:', 'rediss:'];

export function normalizeOptions(options: AppOptions = {}): ResolvedOptions {
  const env = options.env ?? process.env;
  const read = envReader(env);
  return {
    databaseUrl: read.url('DATABASE_URL', {
      protocols: POSTGRES,
      secret: true,
      option: { name: 'databaseUrl', value: options.databaseUrl },
    }),
    sqlitePath: options.sqlitePath ?? env.SQLITE_PATH ?? ':memory:',
    redisUrl: read.url('REDIS_URL', {
      protocols: REDIS,
      secret: true,
      option: { name: 'redisUrl', value: options.redisUrl },
    }),
    redisKeyPrefix: options.redisKeyPrefix ?? env.REDIS_KEY_PREFIX ?? 'auth-service:',
    lockout: {
      maxFailures: read.integer('LOCKOUT_MAX_FAILURES', {
        default: 5,
        min: 1,
        option: { name: 'lockout.maxFailures', value: options.lockout?.maxFailures },
      }),
      windowSeconds: read.integer('LOCKOUT_WINDOW_SECONDS', {
        default: 900,
        min: 1,
        option: { name: 'lockout.windowSeconds', value: options.lockout?.windowSeconds },
      }),
      durationSeconds: read.integer('LOCKOUT_DURATION_SECONDS', {
        default: 900,
        min: 1,
        option: { name: 'lockout.durationSeconds', value: options.lockout?.durationSeconds },
      }),
    },
    bruteForce: {
      threshold: read.integer('BRUTE_FORCE_THRESHOLD', {
        default: 10,
        min: 2,
        option: { name: 'bruteForce.threshold', value: options.bruteForce?.threshold },
      }),
      windowSeconds: read.integer('BRUTE_FORCE_WINDOW_SECONDS', {
        default: 300,
        min: 1,
        option: { name: 'bruteForce.windowSeconds', value: options.bruteForce?.windowSeconds },
      }),
    },
    accessTokenTtlSeconds: read.integer('ACCESS_TOKEN_TTL_SECONDS', {
      default: 900,
      min: 1,
      option: { name: 'accessTokenTtlSeconds', value: options.accessTokenTtlSeconds },
    }),
    refreshTokenTtlSeconds: read.integer('REFRESH_TOKEN_TTL_SECONDS', {
      default: 14 * 24 * 3600,
      min: 1,
      option: { name: 'refreshTokenTtlSeconds', value: options.refreshTokenTtlSeconds },
    }),
    oauthProviderUrl: read.url('OAUTH_PROVIDER_URL', {
      option: { name: 'oauthProviderUrl', value: options.oauthProviderUrl },
    }),
    oauthProviderPort: read.integer('OAUTH_PROVIDER_PORT', {
      default: 0,
      min: 0,
      max: 65535,
      option: { name: 'oauthProviderPort', value: options.oauthProviderPort },
    }),
    oauthClientId: options.oauthClientId ?? env.OAUTH_CLIENT_ID ?? 'authlens-demo',
    oauthClientSecret: options.oauthClientSecret ?? env.OAUTH_CLIENT_SECRET,
    totpIssuer: options.totpIssuer ?? 'authlens demo',
    serviceName: options.serviceName ?? env.OTEL_SERVICE_NAME ?? 'auth-service',
  };
}
