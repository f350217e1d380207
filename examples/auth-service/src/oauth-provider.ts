/**
 * A local fake OAuth 2.0 provider (authorization-code grant), so the OAuth callback flow makes a
 * real HTTP round trip without any external account. It auto-approves: `GET /authorize` redirects
 * straight back with a single-use code for the user named by `login_hint` (default
 * `oauth.user@example.com`). Endpoints: `/authorize`, `POST /token`, `GET /userinfo`, `GET /health`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';

export interface FakeOAuthProviderOptions {
  clientId: string;
  clientSecret: string;
  /** Port on 127.0.0.1; 0 picks a free one. */
  port?: number;
  /** Called with every access token `POST /token` issues (lets a test look for it in outputs). */
  onAccessToken?: (token: string) => void;
}

export interface FakeOAuthProvider {
  readonly url: string;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

interface Grant {
  email: string;
  redirectUri: string;
  expiresAt: number;
}

const subjectOf = (email: string) => createHash('sha256').update(email).digest('hex').slice(0, 20);

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function startFakeOAuthProvider(options: FakeOAuthProviderOptions): Promise<FakeOAuthProvider> {
  const codes = new Map<string, Grant>();
  const accessTokens = new Map<string, { email: string; expiresAt: number }>();
  const app = Fastify({ logger: false });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );

  app.get('/health', async () => ({ status: 'pass' }));

  app.get<{ Querystring: Record<string, string | undefined> }>('/authorize', async (req, reply) => {
    const q = req.query;
    if (q.response_type !== 'code') return reply.code(400).send({ error: 'unsupported_response_type' });
    if (q.client_id !== options.clientId) return reply.code(400).send({ error: 'invalid_client' });
    if (!q.redirect_uri || !q.state) return reply.code(400).send({ error: 'invalid_request' });
    const code = randomBytes(16).toString('base64url');
    codes.set(code, {
      email: (q.login_hint ?? 'oauth.user@example.com').toLowerCase(),
      redirectUri: q.redirect_uri,
      expiresAt: Date.now() + 60_000,
    });
    const target = new URL(q.redirect_uri);
    target.searchParams.set('code', code);
    target.searchParams.set('state', q.state);
    return reply.redirect(target.toString(), 302);
  });

  app.post<{ Body: Record<string, string | undefined> }>('/token', async (req, reply) => {
    const b = req.body ?? {};
    if (b.grant_type !== 'authorization_code')
      return reply.code(400).send({ error: 'unsupported_grant_type' });
    if (b.client_id !== options.clientId || !sameSecret(b.client_secret ?? '', options.clientSecret)) {
      return reply.code(401).send({ error: 'invalid_client' });
    }
    const grant = b.code ? codes.get(b.code) : undefined;
    if (b.code) codes.delete(b.code);
    if (!grant || grant.expiresAt < Date.now() || grant.redirectUri !== b.redirect_uri) {
      return reply.code(400).send({ error: 'invalid_grant' });
    }
    const token = randomBytes(24).toString('base64url');
    accessTokens.set(token, { email: grant.email, expiresAt: Date.now() + 300_000 });
    options.onAccessToken?.(token);
    return { access_token: token, token_type: 'Bearer', expires_in: 300 };
  });

  app.get('/userinfo', async (req, reply) => {
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    const entry = accessTokens.get(token);
    if (!entry || entry.expiresAt < Date.now()) return reply.code(401).send({ error: 'invalid_token' });
    return {
      sub: subjectOf(entry.email),
      email: entry.email,
      email_verified: true,
      name: entry.email.split('@')[0],
    };
  });

  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    close: () => app.close(),
  };
}
