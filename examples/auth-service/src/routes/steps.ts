/**
 * Steps several route plugins share: the bearer-token guard, the user gauges, and what a failed
 * or successful login records. Each reads the shared state from `app.authService`.
 */
import { setUser } from '@authlens/sdk';
import type { FastifyRequest } from 'fastify';
import { HttpProblem } from '../errors.ts';
import type { AppServices } from '../services.ts';
import type { User } from '../store/users.ts';

/** `preHandler` of the routes that need a signed-in user: sets `request.auth` or answers 401. */
export async function requireAuth(request: FastifyRequest): Promise<void> {
  const header = request.headers.authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
  const context = token ? await request.server.authService.sessions.authenticate(token) : undefined;
  if (!context) throw new HttpProblem('unauthenticated', {}, { 'www-authenticate': 'Bearer' });
  request.auth = context;
  setUser(context.userId);
}

/** After each change to the users table: MFA adoption and the oldest account kept. */
export async function updateUserGauges({ users, telemetry }: AppServices): Promise<void> {
  const { users: total, mfa, oldestCreatedAt } = await users.counts();
  telemetry.mfaAdoption(mfa, total);
  telemetry.oldestAccount(oldestCreatedAt);
}

export async function loginFailed(
  { telemetry, lockout, sessions }: AppServices,
  start: number,
  ip: string,
  reason: 'invalid_credentials' | 'unknown_user' | 'mfa_failed',
  user?: User,
  method: 'password' | 'oauth' = 'password',
): Promise<void> {
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
}

/** A password login that passed every check (MFA included): clear failures, issue tokens, record it. */
export async function passwordLoginSucceeded(
  { telemetry, lockout, sessions }: AppServices,
  userId: string,
  ip: string,
  start: number,
) {
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

export const lockedProblem = (seconds: number) =>
  new HttpProblem(
    'account_locked',
    { detail: `Too many failed attempts; try again in ${seconds} s`, retryAfterSeconds: seconds },
    { 'retry-after': String(seconds) },
  );

export function deviceType(userAgent: string | undefined): string {
  const ua = userAgent ?? '';
  if (/iPad|Tablet/i.test(ua)) return 'tablet';
  if (/Mobile|Android|iPhone/i.test(ua)) return 'mobile';
  if (/Mozilla|curl|node|undici/i.test(ua) || ua === '') return 'desktop';
  return 'other';
}
