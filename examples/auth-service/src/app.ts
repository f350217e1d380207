/**
 * `buildApp(options)`: the example auth service as a Fastify instance (tests drive it with
 * `app.inject`; `server.ts` makes it listen). Register, login with lockout, TOTP MFA, an OAuth
 * authorization-code login against a local fake provider, token refresh, logout, and GDPR
 * export and erasure — every step reported through `telemetry.ts`.
 */
import { setUser } from '@authlens/sdk';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import { type AppOptions, normalizeOptions, type ResolvedOptions } from './config.ts';
import {
  burnPasswordCheck,
  hashPassword,
  newId,
  newTotpSecret,
  otpauthUri,
  tokenDigest,
  verifyPassword,
  verifyTotp,
} from './crypto.ts';
import { ERRORS, HttpProblem, problemSchema, sendProblem } from './errors.ts';
import { type FakeOAuthProvider, startFakeOAuthProvider } from './oauth-provider.ts';
import { type AccessContext, createLockout, createSessions } from './sessions.ts';
import { createMemoryStore, createRedisStore, type KeyValueStore } from './store/kv.ts';
import {
  createPostgresUserStore,
  createSqliteUserStore,
  DuplicateEmailError,
  type User,
  type UserStore,
} from './store/users.ts';
import { type AuthTelemetry, createTelemetry, type Detection, type DsrType } from './telemetry.ts';

export type { AppOptions } from './config.ts';

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

export interface AppServices {
  options: ResolvedOptions;
  users: UserStore;
  kv: KeyValueStore;
  oauthProviderUrl: string;
  telemetry: AuthTelemetry;
}

declare module 'fastify' {
  interface FastifyInstance {
    authService: AppServices;
  }
  interface FastifyRequest {
    auth: AccessContext | null;
  }
}

const emailSchema = { type: 'string', format: 'email', maxLength: 254 } as const;
const tokenPairSchema = {
  type: 'object',
  properties: {
    accessToken: { type: 'string' },
    refreshToken: { type: 'string' },
    tokenType: { type: 'string' },
    expiresIn: { type: 'integer' },
  },
  required: ['accessToken', 'refreshToken', 'tokenType', 'expiresIn'],
} as const;
const problems = {
  400: problemSchema,
  401: problemSchema,
  404: problemSchema,
  409: problemSchema,
  423: problemSchema,
  502: problemSchema,
} as const;
const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    name: { type: ['string', 'null'] },
    mfaEnabled: { type: 'boolean' },
    oauthProvider: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
  },
  required: ['id', 'email', 'mfaEnabled', 'createdAt'],
} as const;
const dsrSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    regulation: { type: 'string' },
    type: { type: 'string' },
    status: { type: 'string' },
    receivedAt: { type: 'string' },
    completedAt: { type: ['string', 'null'] },
  },
} as const;

const publicUser = (u: User) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  mfaEnabled: u.mfaEnabled,
  oauthProvider: u.oauthProvider,
  createdAt: u.createdAt,
});

function deviceType(userAgent: string | undefined): string {
  const ua = userAgent ?? '';
  if (/iPad|Tablet/i.test(ua)) return 'tablet';
  if (/Mobile|Android|iPhone/i.test(ua)) return 'mobile';
  if (/Mozilla|curl|node|undici/i.test(ua) || ua === '') return 'desktop';
  return 'other';
}

/** The first offending field of an Ajv validation error, as a dotted path. */
function validationField(error: FastifyError): string | undefined {
  const first = error.validation?.[0];
  if (!first) return undefined;
  const params = first.params as { missingProperty?: string; additionalProperty?: string } | undefined;
  const missing = params?.missingProperty ?? params?.additionalProperty;
  const path = first.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const name = [path, missing].filter(Boolean).join('.');
  return name || error.validationContext;
}

export async function buildApp(options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const resolved = normalizeOptions(options);
  // Open resources one by one; if one fails, close the ones already open before rethrowing.
  const opened: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of opened.splice(0).reverse()) await close().catch(() => {});
  };
  let users: UserStore;
  let kv: KeyValueStore;
  let provider: FakeOAuthProvider | undefined;
  let telemetry: AuthTelemetry;
  const clientSecret = resolved.oauthClientSecret ?? newId();
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
        clientSecret,
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
    await closeAll();
    throw err;
  }
  const log = telemetry.log;
  const oauthProviderUrl = resolved.oauthProviderUrl ?? provider!.url;

  const app = Fastify({
    logger: false,
    trustProxy: 'loopback',
    ajv: { customOptions: { allErrors: false, removeAdditional: false } },
  });
  const services: AppServices = { options: resolved, users, kv, oauthProviderUrl, telemetry };
  app.decorate('authService', services);
  app.decorateRequest('auth', null);
  app.addHook('onClose', closeAll);

  const sessions = createSessions(kv, resolved, telemetry);
  const lockout = createLockout(kv, resolved.lockout);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpProblem) return sendProblem(reply, error.code, error.extras, error.headers);
    if (error.validation) {
      const field = validationField(error);
      return sendProblem(reply, 'invalid_field', {
        detail: `${field ?? 'request'} ${error.validation[0]?.message ?? 'is invalid'}`,
        field,
      });
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply
        .code(error.statusCode)
        .type('application/problem+json')
        .send({ type: 'about:blank', status: error.statusCode, title: error.message, code: error.code });
    }
    log.error('unhandled error', { 'error.type': error.name, 'http.route': request.routeOptions.url });
    telemetry.audit({
      category: 'other',
      action: 'request.failed',
      outcome: 'failure',
      actor: request.auth?.userId ?? 'anonymous',
      target: request.routeOptions.url ?? 'unmatched',
    });
    return sendProblem(reply, 'internal');
  });

  // ---- helpers -------------------------------------------------------------------------------

  const requireAuth = async (request: FastifyRequest) => {
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    const context = token ? await sessions.authenticate(token) : undefined;
    if (!context) throw new HttpProblem('unauthenticated', {}, { 'www-authenticate': 'Bearer' });
    request.auth = context;
    setUser(context.userId);
  };

  /** After each change to the users table: MFA adoption and the oldest account kept. */
  const updateUserGauges = async () => {
    const { users: total, mfa, oldestCreatedAt } = await users.counts();
    telemetry.mfaAdoption(mfa, total);
    telemetry.oldestAccount(oldestCreatedAt);
  };

  const loginFailed = async (
    start: number,
    ip: string,
    reason: 'invalid_credentials' | 'unknown_user' | 'mfa_failed',
    user?: User,
    method: 'password' | 'oauth' = 'password',
  ) => {
    telemetry.login({
      method,
      outcome: 'failure',
      reason,
      durationSeconds: (performance.now() - start) / 1000,
      userId: user?.id,
      clientIp: ip,
    });
    await telemetry.failure({ userId: user?.id, clientIp: ip });
    if (user && (await lockout.fail(user.id))) {
      telemetry.lockout(user.id, ip);
      await sessions.revokeAll(user.id);
    }
  };

  const lockedProblem = (seconds: number) =>
    new HttpProblem(
      'account_locked',
      { detail: `Too many failed attempts; try again in ${seconds} s`, retryAfterSeconds: seconds },
      { 'retry-after': String(seconds) },
    );

  if (options.configure) await options.configure(app, services);

  // ---- request log ---------------------------------------------------------------------------
  // Route pattern only: query strings can carry OAuth codes and states.
  // Slow requests also get a line from the authlens performance logger.
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    log.info('request completed', {
      'http.request.method': request.method,
      'http.route': route,
      'http.response.status_code': reply.statusCode,
      'http.server.duration_ms': Math.round(reply.elapsedTime * 10) / 10,
    });
    telemetry.request({
      method: request.method,
      route,
      statusCode: reply.statusCode,
      durationMs: reply.elapsedTime,
    });
  });

  // ---- routes --------------------------------------------------------------------------------

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

  app.post<{ Body: { email: string; password: string; name?: string } }>(
    '/auth/register',
    {
      schema: {
        body: {
          type: 'object',
          properties: {
            email: emailSchema,
            password: { type: 'string', minLength: 12, maxLength: 256 },
            name: { type: 'string', maxLength: 100 },
          },
          required: ['email', 'password'],
          additionalProperties: false,
        },
        response: { 201: userSchema, ...problems },
      },
    },
    async (request, reply) => {
      const { email, password, name } = request.body;
      const id = newId();
      try {
        const user = await users.createUser({ id, email, name, passwordHash: await hashPassword(password) });
        telemetry.registration({
          method: 'password',
          deviceType: deviceType(request.headers['user-agent']),
          userId: user.id,
        });
        await updateUserGauges();
        return reply.code(201).send(publicUser(user));
      } catch (err) {
        if (err instanceof DuplicateEmailError) throw new HttpProblem('email_taken', { field: 'email' });
        throw err;
      }
    },
  );

  /** A password login that passed every check (MFA included): clear failures, issue tokens, record it. */
  async function passwordLoginSucceeded(userId: string, ip: string, start: number) {
    await lockout.succeed(userId);
    const tokens = await sessions.issue(userId);
    telemetry.login({
      method: 'password',
      outcome: 'success',
      reason: 'none',
      durationSeconds: (performance.now() - start) / 1000,
      userId,
      clientIp: ip,
    });
    return tokens;
  }

  app.post<{ Body: { email: string; password: string } }>(
    '/auth/login',
    {
      schema: {
        body: {
          type: 'object',
          properties: { email: emailSchema, password: { type: 'string', minLength: 1, maxLength: 256 } },
          required: ['email', 'password'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              ...tokenPairSchema.properties,
              mfaRequired: { type: 'boolean' },
              mfaToken: { type: 'string' },
              methods: { type: 'array', items: { type: 'string' } },
            },
            required: ['mfaRequired'],
          },
          ...problems,
        },
      },
    },
    async (request) => {
      const start = performance.now();
      const { email, password } = request.body;
      const ip = request.ip;
      const user = await users.findByEmail(email);
      if (!user?.passwordHash) {
        await burnPasswordCheck(password);
        await loginFailed(start, ip, 'unknown_user');
        throw new HttpProblem('invalid_credentials');
      }
      const locked = await lockout.lockedFor(user.id);
      if (locked > 0) {
        telemetry.login({
          method: 'password',
          outcome: 'failure',
          reason: 'account_locked',
          durationSeconds: (performance.now() - start) / 1000,
          userId: user.id,
          clientIp: ip,
        });
        await telemetry.failure({ userId: user.id, clientIp: ip });
        throw lockedProblem(locked);
      }
      if (!(await verifyPassword(password, user.passwordHash))) {
        await loginFailed(start, ip, 'invalid_credentials', user);
        const nowLocked = await lockout.lockedFor(user.id);
        if (nowLocked > 0) throw lockedProblem(nowLocked);
        throw new HttpProblem('invalid_credentials');
      }
      if (user.mfaEnabled) {
        const mfaToken = newId() + newId();
        await kv.set(
          `mfa:${tokenDigest(mfaToken)}`,
          JSON.stringify({ userId: user.id, start: Date.now() }),
          300,
        );
        telemetry.mfaChallenge(user.id, ip);
        return { mfaRequired: true, mfaToken, methods: ['totp'] };
      }
      return { mfaRequired: false, ...(await passwordLoginSucceeded(user.id, ip, start)) };
    },
  );

  app.post<{ Body: { mfaToken: string; code: string } }>(
    '/auth/mfa/verify',
    {
      schema: {
        body: {
          type: 'object',
          properties: {
            mfaToken: { type: 'string', minLength: 1, maxLength: 128 },
            code: { type: 'string', pattern: '^[0-9]{6}$' },
          },
          required: ['mfaToken', 'code'],
          additionalProperties: false,
        },
        response: { 200: tokenPairSchema, ...problems },
      },
    },
    async (request) => {
      const start = performance.now();
      const ip = request.ip;
      // Keys hold digests only: key names show up in Redis spans and logs.
      const mfaKey = `mfa:${tokenDigest(request.body.mfaToken)}`;
      const raw = await kv.get(mfaKey);
      if (!raw) throw new HttpProblem('invalid_mfa_token', { field: 'mfaToken' });
      const { userId } = JSON.parse(raw) as { userId: string };
      const user = await users.findById(userId);
      if (!user?.totpSecret) throw new HttpProblem('invalid_mfa_token', { field: 'mfaToken' });
      const locked = await lockout.lockedFor(user.id);
      if (locked > 0) {
        await kv.del(mfaKey);
        throw lockedProblem(locked);
      }
      const step = verifyTotp(user.totpSecret, request.body.code);
      if (step === undefined || (user.totpLastStep !== null && step <= user.totpLastStep)) {
        telemetry.mfaVerification('failure', user.id, ip);
        await loginFailed(start, ip, 'mfa_failed', user);
        const nowLocked = await lockout.lockedFor(user.id);
        if (nowLocked > 0) {
          await kv.del(mfaKey);
          throw lockedProblem(nowLocked);
        }
        throw new HttpProblem('invalid_mfa_code', { field: 'code' });
      }
      await kv.del(mfaKey);
      await users.setTotpLastStep(user.id, step);
      telemetry.mfaVerification('success', user.id, ip);
      return passwordLoginSucceeded(user.id, ip, start);
    },
  );

  app.post(
    '/auth/mfa/totp/enroll',
    {
      preHandler: requireAuth,
      schema: {
        response: {
          200: {
            type: 'object',
            properties: { secret: { type: 'string' }, otpauthUri: { type: 'string' } },
            required: ['secret', 'otpauthUri'],
          },
          ...problems,
        },
      },
    },
    async (request) => {
      const user = await users.findById(request.auth!.userId);
      if (!user) throw new HttpProblem('unauthenticated');
      const secret = newTotpSecret();
      await users.setPendingTotp(user.id, secret);
      return { secret, otpauthUri: otpauthUri(secret, user.email, resolved.totpIssuer) };
    },
  );

  app.post<{ Body: { code: string } }>(
    '/auth/mfa/totp/confirm',
    {
      preHandler: requireAuth,
      schema: {
        body: {
          type: 'object',
          properties: { code: { type: 'string', pattern: '^[0-9]{6}$' } },
          required: ['code'],
          additionalProperties: false,
        },
        response: {
          200: { type: 'object', properties: { mfaEnabled: { type: 'boolean' } }, required: ['mfaEnabled'] },
          ...problems,
        },
      },
    },
    async (request) => {
      const user = await users.findById(request.auth!.userId);
      if (!user?.totpPendingSecret) throw new HttpProblem('mfa_not_pending');
      const step = verifyTotp(user.totpPendingSecret, request.body.code);
      if (step === undefined) {
        telemetry.mfaVerification('failure', user.id, request.ip);
        throw new HttpProblem('invalid_mfa_code', { field: 'code' });
      }
      await users.enableTotp(user.id, user.totpPendingSecret, step);
      telemetry.mfaVerification('success', user.id, request.ip);
      telemetry.mfaEnrolled(user.id, request.ip);
      await updateUserGauges();
      return { mfaEnabled: true };
    },
  );

  app.post<{ Body: { refreshToken: string } }>(
    '/auth/token/refresh',
    {
      schema: {
        body: {
          type: 'object',
          properties: { refreshToken: { type: 'string', minLength: 1, maxLength: 256 } },
          required: ['refreshToken'],
          additionalProperties: false,
        },
        response: { 200: tokenPairSchema, ...problems },
      },
    },
    async (request) => {
      const result = await sessions.refresh(request.body.refreshToken);
      if (result.ok) return result.tokens;
      if (result.reused) {
        telemetry.securityEvent({
          type: 'token_reuse',
          severity: 'high',
          description: 'refresh token reused; session revoked',
          userId: result.userId,
          clientIp: request.ip,
        });
      }
      throw new HttpProblem('invalid_refresh_token', { field: 'refreshToken' });
    },
  );

  app.post(
    '/auth/logout',
    { preHandler: requireAuth, schema: { response: { 204: { type: 'null' }, 401: problemSchema } } },
    async (request, reply) => {
      await sessions.revoke(request.auth!.sessionId);
      telemetry.audit({
        category: 'authentication',
        action: 'logout',
        outcome: 'success',
        actor: request.auth!.userId,
        target: request.auth!.sessionId,
      });
      return reply.code(204).send();
    },
  );

  app.get(
    '/auth/me',
    { preHandler: requireAuth, schema: { response: { 200: userSchema, ...problems } } },
    async (request) => {
      const user = await users.findById(request.auth!.userId);
      if (!user) throw new HttpProblem('unauthenticated');
      return publicUser(user);
    },
  );

  // ---- OAuth (authorization-code grant against the local provider) ---------------------------

  const redirectUri = (request: FastifyRequest) =>
    `${request.protocol}://${request.host}/auth/oauth/local/callback`;

  app.get<{ Querystring: { login_hint?: string } }>(
    '/auth/oauth/local/start',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { login_hint: emailSchema },
          additionalProperties: false,
        },
        response: { 400: problemSchema },
      },
    },
    async (request, reply) => {
      const state = newId() + newId();
      const redirect = redirectUri(request);
      await kv.set(`oauth:${tokenDigest(state)}`, JSON.stringify({ redirect, start: Date.now() }), 600);
      const target = new URL('/authorize', oauthProviderUrl);
      target.searchParams.set('response_type', 'code');
      target.searchParams.set('client_id', resolved.oauthClientId);
      target.searchParams.set('redirect_uri', redirect);
      target.searchParams.set('state', state);
      if (request.query.login_hint) target.searchParams.set('login_hint', request.query.login_hint);
      return reply.redirect(target.toString(), 302);
    },
  );

  app.get<{ Querystring: { code: string; state: string } }>(
    '/auth/oauth/local/callback',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            code: { type: 'string', minLength: 1, maxLength: 512 },
            state: { type: 'string', minLength: 1, maxLength: 128 },
          },
          required: ['code', 'state'],
        },
        response: { 200: tokenPairSchema, ...problems },
      },
    },
    async (request) => {
      const start = performance.now();
      const ip = request.ip;
      const saved = await kv.take(`oauth:${tokenDigest(request.query.state)}`);
      const fail = async (code: 'invalid_state' | 'oauth_failed' | 'email_taken', detail?: string) => {
        telemetry.oauth('failure', (performance.now() - start) / 1000);
        await loginFailed(start, ip, 'invalid_credentials', undefined, 'oauth');
        return new HttpProblem(code, detail ? { detail } : {});
      };
      if (!saved) throw await fail('invalid_state');
      const { redirect } = JSON.parse(saved) as { redirect: string };
      let profile: { sub: string; email: string; name?: string };
      try {
        const tokenResponse = await fetch(new URL('/token', oauthProviderUrl), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code: request.query.code,
            redirect_uri: redirect,
            client_id: resolved.oauthClientId,
            client_secret: clientSecret,
          }),
          signal: AbortSignal.timeout(5000),
        });
        if (!tokenResponse.ok) throw new Error(`token endpoint answered ${tokenResponse.status}`);
        const { access_token: providerToken } = (await tokenResponse.json()) as { access_token: string };
        const userinfo = await fetch(new URL('/userinfo', oauthProviderUrl), {
          headers: { authorization: `Bearer ${providerToken}` },
          signal: AbortSignal.timeout(5000),
        });
        if (!userinfo.ok) throw new Error(`userinfo endpoint answered ${userinfo.status}`);
        profile = (await userinfo.json()) as typeof profile;
      } catch (err) {
        throw await fail('oauth_failed', err instanceof Error ? err.message : 'exchange failed');
      }
      let user = await users.findByOAuth('local', profile.sub);
      if (!user) {
        try {
          user = await users.createUser({
            id: newId(),
            email: profile.email,
            name: profile.name ?? null,
            oauthProvider: 'local',
            oauthSubject: profile.sub,
          });
        } catch (err) {
          if (err instanceof DuplicateEmailError) {
            throw await fail('email_taken', 'This e-mail is registered with a password; log in with it');
          }
          throw err;
        }
        telemetry.registration({
          method: 'oauth',
          deviceType: deviceType(request.headers['user-agent']),
          userId: user.id,
        });
        await updateUserGauges();
      }
      const locked = await lockout.lockedFor(user.id);
      if (locked > 0) throw lockedProblem(locked);
      const tokens = await sessions.issue(user.id);
      const seconds = (performance.now() - start) / 1000;
      telemetry.oauth('success', seconds);
      telemetry.login({
        method: 'oauth',
        outcome: 'success',
        reason: 'none',
        durationSeconds: seconds,
        userId: user.id,
        clientIp: ip,
      });
      return tokens;
    },
  );

  // ---- GDPR data-subject requests ------------------------------------------------------------

  /** Stores a GDPR request as received and records it; `completeDsr` closes it. */
  async function receiveDsr(userId: string, type: DsrType) {
    const received = new Date();
    const dsr = {
      id: newId(),
      userId,
      regulation: 'gdpr' as const,
      type,
      status: 'received' as const,
      receivedAt: received.toISOString(),
      completedAt: null,
    };
    await users.createDsr(dsr);
    telemetry.dsrReceived({ id: dsr.id, type, userId, receivedAt: received });
    return dsr;
  }

  async function completeDsr(dsr: Awaited<ReturnType<typeof receiveDsr>>) {
    const completedAt = new Date();
    await users.completeDsr(dsr.id, completedAt.toISOString());
    telemetry.dsrCompleted({ id: dsr.id, type: dsr.type, userId: dsr.userId, completedAt });
    return { ...dsr, status: 'completed' as const, completedAt: completedAt.toISOString() };
  }

  app.post(
    '/gdpr/export',
    {
      preHandler: requireAuth,
      schema: {
        response: {
          200: {
            type: 'object',
            properties: {
              request: dsrSchema,
              data: {
                type: 'object',
                properties: {
                  user: userSchema,
                  activeSessions: { type: 'integer' },
                  requests: { type: 'array', items: dsrSchema },
                },
              },
            },
          },
          ...problems,
        },
      },
    },
    async (request) => {
      const userId = request.auth!.userId;
      const user = await users.findById(userId);
      if (!user) throw new HttpProblem('unauthenticated');
      const dsr = await receiveDsr(userId, 'access');
      const data = {
        user: publicUser(user),
        activeSessions: await sessions.countFor(userId),
        requests: await users.listDsr(userId),
      };
      return { request: await completeDsr(dsr), data };
    },
  );

  app.post(
    '/gdpr/erasure',
    {
      preHandler: requireAuth,
      schema: { response: { 200: { type: 'object', properties: { request: dsrSchema } }, ...problems } },
    },
    async (request) => {
      const userId = request.auth!.userId;
      const dsr = await receiveDsr(userId, 'erasure');
      await sessions.revokeAll(userId);
      await lockout.clear(userId);
      await users.deleteUser(userId);
      await updateUserGauges();
      return { request: await completeDsr(dsr) };
    },
  );

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, 'not_found', {
      detail: `${request.method} ${request.url.split('?')[0]} does not exist`,
    }),
  );

  return app;
}

export { ERRORS };
