/**
 * Every flow of the example, driven with `app.inject`. Shared by the SQLite + memory and the
 * PostgreSQL + Redis test files, which differ only in the stores they hand to `buildApp`.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type BuildAppOptions, buildApp, type Detection } from '../src/app.ts';
import { totp } from '../src/crypto.ts';
import { PASSWORD, randomEmail } from './support.ts';

// Keep the test output readable: the log lines themselves are checked by the end-to-end test.
vi.hoisted(() => {
  process.env.LOG_LEVEL ??= 'error';
});

export interface Backend {
  options(): Promise<BuildAppOptions>;
  cleanup?(): Promise<void>;
  expectKinds: { users: 'sqlite' | 'postgres'; kv: 'memory' | 'redis' };
}

const json = (res: LightMyRequestResponse) => res.json() as Record<string, unknown>;

export function defineFlowSuite(name: string, backend: Backend): void {
  describe(name, () => {
    let app: FastifyInstance;
    const detections: Detection[] = [];

    const post = (url: string, payload?: object, headers: Record<string, string> = {}) =>
      app.inject({ method: 'POST', url, payload, headers });
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const register = async (email: string, password = PASSWORD) => {
      const res = await post('/auth/register', { email, password });
      expect(res.statusCode, res.body).toBe(201);
      return json(res);
    };
    const login = async (email: string, password = PASSWORD, headers: Record<string, string> = {}) =>
      post('/auth/login', { email, password }, headers);

    beforeAll(async () => {
      app = await buildApp({
        ...(await backend.options()),
        env: {},
        lockout: { maxFailures: 3, windowSeconds: 60, durationSeconds: 120 },
        bruteForce: { threshold: 4, windowSeconds: 60 },
        onBruteForce: (d) => {
          detections.push(d);
        },
      });
      await app.ready();
    });
    afterAll(async () => {
      await app?.close();
      await backend.cleanup?.();
    });

    it('uses the configured stores', () => {
      expect(app.authService.users.kind).toBe(backend.expectKinds.users);
      expect(app.authService.kv.kind).toBe(backend.expectKinds.kv);
    });

    it('registers a user and rejects duplicates and bad fields with problem+json naming the field', async () => {
      const email = randomEmail('reg');
      const user = await register(email);
      expect(user).toMatchObject({ email, mfaEnabled: false });
      expect(user).not.toHaveProperty('passwordHash');

      const dup = await post('/auth/register', { email: email.toUpperCase(), password: PASSWORD });
      expect(dup.statusCode).toBe(409);
      expect(dup.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(json(dup)).toMatchObject({ code: 'email_taken', field: 'email' });

      const cases: [object, string][] = [
        [{ email: 'not-an-email', password: PASSWORD }, 'email'],
        [{ email: randomEmail('x'), password: 'short' }, 'password'],
        [{ email: randomEmail('x') }, 'password'],
        [{ email: randomEmail('x'), password: PASSWORD, admin: true }, 'admin'],
      ];
      for (const [payload, field] of cases) {
        const res = await post('/auth/register', payload);
        expect(res.statusCode, JSON.stringify(payload)).toBe(400);
        expect(json(res)).toMatchObject({ status: 400, code: 'invalid_field', field });
      }
    });

    it('logs in with the right password and answers wrong passwords and unknown users alike', async () => {
      const email = randomEmail('login');
      await register(email);
      const ok = await login(email);
      expect(ok.statusCode).toBe(200);
      const tokens = json(ok);
      expect(tokens).toMatchObject({ mfaRequired: false, tokenType: 'Bearer' });
      const me = await app.inject({ url: '/auth/me', headers: bearer(String(tokens.accessToken)) });
      expect(me.statusCode).toBe(200);
      expect(json(me).email).toBe(email);

      const wrong = await login(email, 'not the password');
      const unknown = await login(randomEmail('nobody'), 'not the password');
      expect(wrong.statusCode).toBe(401);
      expect(unknown.statusCode).toBe(401);
      expect(json(wrong)).toEqual(json(unknown));

      const anonymous = await app.inject({ url: '/auth/me' });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.headers['www-authenticate']).toBe('Bearer');
    });

    it('locks an account after 3 failures, even for the right password, and revokes its sessions', async () => {
      const email = randomEmail('lock');
      await register(email);
      const session = json(await login(email));
      expect((await login(email, 'bad-1')).statusCode).toBe(401);
      expect((await login(email, 'bad-2')).statusCode).toBe(401);
      const third = await login(email, 'bad-3');
      expect(third.statusCode).toBe(423);
      expect(json(third)).toMatchObject({ code: 'account_locked' });
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(100);
      const right = await login(email);
      expect(right.statusCode).toBe(423);
      const me = await app.inject({ url: '/auth/me', headers: bearer(String(session.accessToken)) });
      expect(me.statusCode).toBe(401);
    });

    it('reports a brute-force burst from one address once', async () => {
      const email = randomEmail('victim');
      await register(email);
      const attacker = { 'x-forwarded-for': '203.0.113.77' };
      const before = detections.length;
      for (let i = 0; i < 6; i++) await login(i % 2 ? email : randomEmail('guess'), `guess-${i}`, attacker);
      const mine = detections.slice(before).filter((d) => d.scope === 'ip' && d.subject === '203.0.113.77');
      expect(mine).toEqual([
        expect.objectContaining({ kind: 'brute_force', count: 4, threshold: 4, windowSeconds: 60 }),
      ]);
    });

    it('enrols TOTP, then requires and verifies a code at login (no replay)', async () => {
      const email = randomEmail('mfa');
      await register(email);
      const { accessToken } = json(await login(email));
      const enrol = await post('/auth/mfa/totp/enroll', undefined, bearer(String(accessToken)));
      expect(enrol.statusCode).toBe(200);
      const { secret, otpauthUri } = json(enrol) as { secret: string; otpauthUri: string };
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(otpauthUri).toContain(`secret=${secret}`);

      const badConfirm = await post('/auth/mfa/totp/confirm', { code: '12345' }, bearer(String(accessToken)));
      expect(json(badConfirm)).toMatchObject({ status: 400, field: 'code' });
      // The next step's code: still inside the ±1 window, and not reused by the login below.
      const confirmCode = totp(secret, Date.now() - 30_000);
      const confirm = await post(
        '/auth/mfa/totp/confirm',
        { code: confirmCode },
        bearer(String(accessToken)),
      );
      expect(confirm.statusCode, confirm.body).toBe(200);
      expect(json(confirm)).toEqual({ mfaEnabled: true });

      const first = await login(email);
      expect(json(first)).toMatchObject({ mfaRequired: true, methods: ['totp'] });
      expect(json(first)).not.toHaveProperty('accessToken');
      const { mfaToken } = json(first);
      const wrongCode = (Number(totp(secret)) + 1) % 1_000_000;
      const wrong = await post('/auth/mfa/verify', { mfaToken, code: String(wrongCode).padStart(6, '0') });
      expect(wrong.statusCode).toBe(401);
      expect(json(wrong)).toMatchObject({ code: 'invalid_mfa_code', field: 'code' });
      const code = totp(secret);
      const ok = await post('/auth/mfa/verify', { mfaToken, code });
      expect(ok.statusCode, ok.body).toBe(200);
      expect(json(ok)).toHaveProperty('accessToken');
      // The MFA token is single-use, and the same code cannot be replayed on a new login.
      expect((await post('/auth/mfa/verify', { mfaToken, code })).statusCode).toBe(401);
      const again = json(await login(email));
      const replay = await post('/auth/mfa/verify', { mfaToken: again.mfaToken, code });
      expect(json(replay)).toMatchObject({ code: 'invalid_mfa_code' });
    });

    it('rotates refresh tokens and revokes the session when a rotated token is reused', async () => {
      const email = randomEmail('refresh');
      await register(email);
      const first = json(await login(email));
      const refreshed = await post('/auth/token/refresh', { refreshToken: first.refreshToken });
      expect(refreshed.statusCode).toBe(200);
      const second = json(refreshed);
      expect(second.accessToken).not.toBe(first.accessToken);
      expect(
        (await app.inject({ url: '/auth/me', headers: bearer(String(first.accessToken)) })).statusCode,
      ).toBe(401);
      expect(
        (await app.inject({ url: '/auth/me', headers: bearer(String(second.accessToken)) })).statusCode,
      ).toBe(200);

      const reuse = await post('/auth/token/refresh', { refreshToken: first.refreshToken });
      expect(reuse.statusCode).toBe(401);
      expect(json(reuse)).toMatchObject({ code: 'invalid_refresh_token', field: 'refreshToken' });
      expect(
        (await app.inject({ url: '/auth/me', headers: bearer(String(second.accessToken)) })).statusCode,
      ).toBe(401);
      expect((await post('/auth/token/refresh', { refreshToken: second.refreshToken })).statusCode).toBe(401);
      expect(json(await post('/auth/token/refresh', {}))).toMatchObject({ field: 'refreshToken' });
    });

    it('logs out: the access and refresh tokens stop working', async () => {
      const email = randomEmail('logout');
      await register(email);
      const tokens = json(await login(email));
      const out = await post('/auth/logout', undefined, bearer(String(tokens.accessToken)));
      expect(out.statusCode).toBe(204);
      expect(
        (await app.inject({ url: '/auth/me', headers: bearer(String(tokens.accessToken)) })).statusCode,
      ).toBe(401);
      expect((await post('/auth/token/refresh', { refreshToken: tokens.refreshToken })).statusCode).toBe(401);
    });

    it('logs in through the local OAuth provider with a real HTTP round trip', async () => {
      const email = randomEmail('oauth');
      const start = await app.inject({
        url: `/auth/oauth/local/start?login_hint=${encodeURIComponent(email)}`,
      });
      expect(start.statusCode).toBe(302);
      const authorize = new URL(String(start.headers.location));
      expect(authorize.origin).toBe(app.authService.oauthProviderUrl);
      const consent = await fetch(authorize, { redirect: 'manual' });
      expect(consent.status).toBe(302);
      const callback = new URL(String(consent.headers.get('location')));
      expect(callback.pathname).toBe('/auth/oauth/local/callback');
      const done = await app.inject({ url: `${callback.pathname}${callback.search}` });
      expect(done.statusCode, done.body).toBe(200);
      const me = await app.inject({ url: '/auth/me', headers: bearer(String(json(done).accessToken)) });
      expect(json(me)).toMatchObject({ email, oauthProvider: 'local' });

      // The state is single-use; a forged one is refused.
      const replay = await app.inject({ url: `${callback.pathname}${callback.search}` });
      expect(json(replay)).toMatchObject({ status: 400, code: 'invalid_state' });
      const missing = await app.inject({ url: '/auth/oauth/local/callback?state=x' });
      expect(json(missing)).toMatchObject({ status: 400, field: 'code' });
    });

    it('answers GDPR export and erasure requests', async () => {
      const email = randomEmail('gdpr');
      const user = await register(email);
      const { accessToken } = json(await login(email));
      const exported = await post('/gdpr/export', undefined, bearer(String(accessToken)));
      expect(exported.statusCode).toBe(200);
      const body = json(exported) as {
        request: { type: string; status: string };
        data: { user: { id: string; email: string }; activeSessions: number; requests: unknown[] };
      };
      expect(body.request).toMatchObject({ type: 'access', status: 'completed' });
      expect(body.data.user).toMatchObject({ id: user.id, email });
      expect(body.data.activeSessions).toBe(1);
      expect(JSON.stringify(body)).not.toMatch(/scrypt|passwordHash|totp/i);

      const erased = await post('/gdpr/erasure', undefined, bearer(String(accessToken)));
      expect(erased.statusCode).toBe(200);
      expect(json(erased)).toMatchObject({ request: { type: 'erasure', status: 'completed' } });
      expect(await app.authService.users.findById(String(user.id))).toBeUndefined();
      expect((await app.inject({ url: '/auth/me', headers: bearer(String(accessToken)) })).statusCode).toBe(
        401,
      );
      expect((await login(email)).statusCode).toBe(401);
      const requests = await app.authService.users.listDsr(String(user.id));
      expect(requests.map((r) => [r.type, r.status])).toEqual([
        ['access', 'completed'],
        ['erasure', 'completed'],
      ]);
    });

    it('answers unknown routes with problem+json', async () => {
      const res = await app.inject({ url: '/nope?token=secret' });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).not.toContain('secret');
    });
  });
}
