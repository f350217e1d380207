/**
 * TOTP multi-factor authentication: the second login step (`POST /auth/mfa/verify`) and a
 * signed-in user's enrolment (`POST /auth/mfa/totp/enroll`, then `/auth/mfa/totp/confirm`).
 */
import type { FastifyInstance } from 'fastify';
import { tokenDigest } from '../crypto.ts';
import { HttpProblem } from '../errors.ts';
import { newTotpSecret, otpauthUri, verifyTotp } from '../totp.ts';
import { problems, tokenPairSchema } from './schemas.ts';
import {
  lockedProblem,
  loginFailed,
  passwordLoginSucceeded,
  requireAuth,
  updateUserGauges,
} from './steps.ts';

export default async function mfaRoutes(app: FastifyInstance): Promise<void> {
  const services = app.authService;
  const { users, kv, telemetry, lockout, options } = services;

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
        await loginFailed(services, start, ip, 'mfa_failed', user);
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
      return passwordLoginSucceeded(services, user.id, ip, start);
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
      return { secret, otpauthUri: otpauthUri(secret, user.email, options.totpIssuer) };
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
      await updateUserGauges(services);
      return { mfaEnabled: true };
    },
  );
}
