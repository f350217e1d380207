/**
 * GDPR data-subject requests of a signed-in user: `POST /gdpr/export` (access) and
 * `POST /gdpr/erasure`. Each is stored as received, answered, and recorded as completed.
 */
import type { FastifyInstance } from 'fastify';
import { newId } from '../crypto.ts';
import { HttpProblem } from '../errors.ts';
import type { AppServices } from '../services.ts';
import type { DsrType } from '../telemetry.ts';
import { problems, publicUser, userSchema } from './schemas.ts';
import { requireAuth, updateUserGauges } from './steps.ts';

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

/** Stores a GDPR request as received and records it; `completeDsr` closes it. */
async function receiveDsr({ users, telemetry }: AppServices, userId: string, type: DsrType) {
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

async function completeDsr({ users, telemetry }: AppServices, dsr: Awaited<ReturnType<typeof receiveDsr>>) {
  const completedAt = new Date();
  await users.completeDsr(dsr.id, completedAt.toISOString());
  telemetry.dsrCompleted({ id: dsr.id, type: dsr.type, userId: dsr.userId, completedAt });
  return { ...dsr, status: 'completed' as const, completedAt: completedAt.toISOString() };
}

export default async function gdprRoutes(app: FastifyInstance): Promise<void> {
  const services = app.authService;
  const { users, sessions, lockout } = services;

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
      const dsr = await receiveDsr(services, userId, 'access');
      const data = {
        user: publicUser(user),
        activeSessions: await sessions.countFor(userId),
        requests: await users.listDsr(userId),
      };
      return { request: await completeDsr(services, dsr), data };
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
      const dsr = await receiveDsr(services, userId, 'erasure');
      await sessions.revokeAll(userId);
      await lockout.clear(userId);
      await users.deleteUser(userId);
      await updateUserGauges(services);
      return { request: await completeDsr(services, dsr) };
    },
  );
}
