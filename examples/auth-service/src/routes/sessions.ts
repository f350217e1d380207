/**
 * A signed-in user's session: `POST /auth/token/refresh` (rotation with reuse detection),
 * `POST /auth/logout` and `GET /auth/me`.
 */
import type { FastifyInstance } from 'fastify';
import { HttpProblem, problemSchema } from '../errors.ts';
import { problems, publicUser, tokenPairSchema, userSchema } from './schemas.ts';
import { requireAuth } from './steps.ts';

export default async function sessionRoutes(app: FastifyInstance): Promise<void> {
  const { users, telemetry, sessions } = app.authService;

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
}
