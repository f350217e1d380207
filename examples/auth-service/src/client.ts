/**
 * A tiny HTTP client for the example service (used by the demo's traffic script and the
 * end-to-end tests). Every call returns the status and parsed body; nothing is thrown for 4xx.
 */
import { totp } from './crypto.ts';

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

/** What the OAuth callback received from the provider's redirect. */
export interface OAuthCallback {
  code: string;
  state: string;
}

export function createClient(baseUrl: string, defaultHeaders: Record<string, string> = {}) {
  async function call<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { body?: object; token?: string; headers?: Record<string, string> } = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...defaultHeaders, ...options.headers };
    if (options.body) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const res = await fetch(new URL(path, baseUrl), {
      method,
      headers,
      body: options.body ? JSON.stringify(options.body) : undefined,
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    let body: unknown = {};
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = { text };
      }
    }
    return { status: res.status, body: body as T, headers: res.headers };
  }

  return {
    baseUrl,
    call,
    register: (email: string, password: string, headers?: Record<string, string>) =>
      call('POST', '/auth/register', { body: { email, password }, headers }),
    login: (email: string, password: string, headers?: Record<string, string>) =>
      call<Partial<TokenPair> & { mfaRequired?: boolean; mfaToken?: string; code?: string }>(
        'POST',
        '/auth/login',
        { body: { email, password }, headers },
      ),
    me: (token: string) => call('GET', '/auth/me', { token }),
    enrolTotp: (token: string) => call<{ secret: string }>('POST', '/auth/mfa/totp/enroll', { token }),
    confirmTotp: (token: string, code: string) =>
      call('POST', '/auth/mfa/totp/confirm', { token, body: { code } }),
    verifyMfa: (mfaToken: string, code: string) =>
      call<Partial<TokenPair>>('POST', '/auth/mfa/verify', { body: { mfaToken, code } }),
    refresh: (refreshToken: string) =>
      call<Partial<TokenPair>>('POST', '/auth/token/refresh', { body: { refreshToken } }),
    logout: (token: string) => call('POST', '/auth/logout', { token }),
    gdprExport: (token: string) => call('POST', '/gdpr/export', { token }),
    gdprErasure: (token: string) => call('POST', '/gdpr/erasure', { token }),

    /**
     * The whole OAuth authorization-code round trip: service → provider → service callback. The
     * answer carries the `code` and `state` the callback received (secrets a test looks for in
     * every output).
     */
    async oauthLogin(email: string): Promise<Answer<Partial<TokenPair>> & { oauth?: OAuthCallback }> {
      const start = await call('GET', `/auth/oauth/local/start?login_hint=${encodeURIComponent(email)}`);
      const authorize = start.headers.get('location');
      if (start.status !== 302 || !authorize) return start as Answer<Partial<TokenPair>>;
      const consent = await fetch(authorize, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
      const callback = consent.headers.get('location');
      if (consent.status !== 302 || !callback) {
        return { status: consent.status, body: {}, headers: consent.headers };
      }
      const url = new URL(callback);
      const oauth = { code: url.searchParams.get('code') ?? '', state: url.searchParams.get('state') ?? '' };
      return { ...(await call<Partial<TokenPair>>('GET', `${url.pathname}${url.search}`)), oauth };
    },

    /**
     * Enrols TOTP for a logged-in user: the secret (the "authenticator app") and the code that
     * confirmed the enrolment.
     */
    async enableMfa(token: string): Promise<{ secret: string; confirmCode: string }> {
      const { body } = await this.enrolTotp(token);
      // A code from the previous 30 s step: valid (±1 window) and older than any code used at login.
      const confirmCode = totp(body.secret, Date.now() - 30_000);
      const confirmed = await this.confirmTotp(token, confirmCode);
      if (confirmed.status !== 200) throw new Error(`TOTP confirmation answered ${confirmed.status}`);
      return { secret: body.secret, confirmCode };
    },
  };
}

export type AuthClient = ReturnType<typeof createClient>;
