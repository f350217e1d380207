/**
 * OAuth login, authorization-code grant against the configured provider (the local fake one by
 * default): `GET /auth/oauth/local/start` redirects there, `GET /auth/oauth/local/callback`
 * exchanges the code, creates the account on first login and issues tokens.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { newId, tokenDigest } from '../crypto.ts';
import { HttpProblem, problemSchema } from '../errors.ts';
import { DuplicateEmailError } from '../store/users.ts';
import { emailSchema, problems, tokenPairSchema } from './schemas.ts';
import { deviceType, lockedProblem, loginFailed, updateUserGauges } from './steps.ts';

export interface OAuthRoutesOptions {
  /** The client secret presented to the provider's token endpoint. */
  clientSecret: string;
}

const redirectUri = (request: FastifyRequest) =>
  `${request.protocol}://${request.host}/auth/oauth/local/callback`;

export default async function oauthRoutes(
  app: FastifyInstance,
  { clientSecret }: OAuthRoutesOptions,
): Promise<void> {
  const services = app.authService;
  const { users, kv, telemetry, lockout, sessions, options, oauthProviderUrl } = services;

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
      target.searchParams.set('client_id', options.oauthClientId);
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
        await loginFailed(services, start, ip, 'invalid_credentials', undefined, 'oauth');
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
            client_id: options.oauthClientId,
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
        await updateUserGauges(services);
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
}
