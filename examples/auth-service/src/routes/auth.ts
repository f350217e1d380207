/** Password accounts: `POST /auth/register` and `POST /auth/login` (which may ask for MFA). */
import type { FastifyInstance } from 'fastify';
import { burnPasswordCheck, hashPassword, newId, tokenDigest, verifyPassword } from '../crypto.ts';
import { HttpProblem } from '../errors.ts';
import { DuplicateEmailError } from '../store/users.ts';
import { emailSchema, problems, publicUser, tokenPairSchema, userSchema } from './schemas.ts';
import { deviceType, lockedProblem, loginFailed, passwordLoginSucceeded, updateUserGauges } from './steps.ts';

export default async function authRoutes(app: FastifyInstance): Promise<void> {
  const services = app.authService;
  const { users, kv, telemetry, lockout } = services;

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
        await updateUserGauges(services);
        return reply.code(201).send(publicUser(user));
      } catch (err) {
        if (err instanceof DuplicateEmailError) throw new HttpProblem('email_taken', { field: 'email' });
        throw err;
      }
    },
  );

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
        await loginFailed(services, start, ip, 'unknown_user');
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
        await loginFailed(services, start, ip, 'invalid_credentials', user);
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
      return { mfaRequired: false, ...(await passwordLoginSucceeded(services, user.id, ip, start)) };
    },
  );
}
