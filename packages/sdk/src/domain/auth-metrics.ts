/**
 * Authentication recorders: logins, MFA, OAuth providers, tokens, sessions, password resets.
 * Depends on `@opentelemetry/api` only; a no-op until a MeterProvider is registered.
 */
import type { Meter } from '@opentelemetry/api';
import type { AuthAttributeValues } from './attribute-values.ts';
import { createValueGuard } from './cardinality.ts';
import { instrument, lazyInstruments } from './meter.ts';
import { numberCheck, type RecorderOptions } from './recorder-support.ts';

/** A known value, or any string (which the guard turns into `other`). */
export type Known<T extends readonly string[]> = T[number] | (string & {});

export type AuthMethod = Known<typeof AuthAttributeValues.methods>;
export type AuthFailureReason = Known<typeof AuthAttributeValues.failureReasons>;
export type MfaMethod = Known<typeof AuthAttributeValues.mfaMethods>;
export type OAuthProvider = Known<typeof AuthAttributeValues.oauthProviders>;

export interface LoginAttempt {
  method: AuthMethod;
  success: boolean;
  /** Why it failed; ignored on success (recorded as `none`); defaults to `other` on failure. */
  failureReason?: AuthFailureReason;
  /** Processing time in seconds; when given, also recorded in `auth.login.duration`. */
  durationSeconds?: number;
}

export interface AuthMetrics {
  recordLoginAttempt(attempt: LoginAttempt): void;
  recordMfaChallenge(challenge: { method: MfaMethod }): void;
  recordMfaVerification(verification: { method: MfaMethod; success: boolean }): void;
  recordMfaEnrollment(enrollment: {
    method: MfaMethod;
    action: Known<typeof AuthAttributeValues.mfaActions>;
  }): void;
  /** Records the MFA adoption ratio (`usersWithMfa / totalUsers`, 0 when there are no users). */
  recordMfaAdoption(adoption: { usersWithMfa: number; totalUsers: number }): void;
  recordOAuthRequest(request: { provider: OAuthProvider; success: boolean; durationSeconds?: number }): void;
  recordToken(token: {
    type: Known<typeof AuthAttributeValues.tokenTypes>;
    action: Known<typeof AuthAttributeValues.tokenActions>;
  }): void;
  sessionStarted(): void;
  sessionEnded(): void;
  recordPasswordReset(reset: { stage: Known<typeof AuthAttributeValues.passwordResetStages> }): void;
}

const build = (meter: Meter) => ({
  loginAttempts: instrument.counter(meter, 'auth.login.attempts'),
  loginDuration: instrument.histogram(meter, 'auth.login.duration'),
  mfaChallenges: instrument.counter(meter, 'auth.mfa.challenges'),
  mfaVerifications: instrument.counter(meter, 'auth.mfa.verifications'),
  mfaEnrollments: instrument.counter(meter, 'auth.mfa.enrollments'),
  mfaAdoption: instrument.gauge(meter, 'auth.mfa.adoption'),
  oauthRequests: instrument.counter(meter, 'auth.oauth.requests'),
  oauthDuration: instrument.histogram(meter, 'auth.oauth.duration'),
  tokens: instrument.counter(meter, 'auth.tokens'),
  sessions: instrument.upDownCounter(meter, 'auth.sessions.active'),
  passwordResets: instrument.counter(meter, 'auth.password_resets'),
});

export function createAuthMetrics(options: RecorderOptions = {}): AuthMetrics {
  const get = lazyInstruments(options, build);
  const g = (name: string, key: string) => createValueGuard(name, key, options);
  const login = {
    method: g('auth.login.attempts', 'auth.method'),
    outcome: g('auth.login.attempts', 'auth.outcome'),
    reason: g('auth.login.attempts', 'auth.failure_reason'),
  };
  const mfaChallengeMethod = g('auth.mfa.challenges', 'auth.mfa.method');
  const mfaVerificationMethod = g('auth.mfa.verifications', 'auth.mfa.method');
  const mfaEnrollment = {
    method: g('auth.mfa.enrollments', 'auth.mfa.method'),
    action: g('auth.mfa.enrollments', 'auth.mfa.action'),
  };
  const oauthProvider = g('auth.oauth.requests', 'auth.oauth.provider');
  const token = { type: g('auth.tokens', 'auth.token.type'), action: g('auth.tokens', 'auth.token.action') };
  const resetStage = g('auth.password_resets', 'auth.password_reset.stage');
  const durationOk = numberCheck('durationSeconds', 0, Number.MAX_VALUE, options.warn);
  const countsOk = numberCheck('usersWithMfa/totalUsers', 0, Number.MAX_SAFE_INTEGER, options.warn);

  return {
    recordLoginAttempt({ method, success, failureReason, durationSeconds }) {
      const i = get();
      const m = login.method(method);
      const outcome = success ? 'success' : 'failure';
      const reason = success ? 'none' : failureReason === undefined ? 'other' : login.reason(failureReason);
      i.loginAttempts.add(1, { 'auth.method': m, 'auth.outcome': outcome, 'auth.failure_reason': reason });
      if (durationSeconds !== undefined && durationOk(durationSeconds)) {
        i.loginDuration.record(durationSeconds, { 'auth.method': m, 'auth.outcome': outcome });
      }
    },
    recordMfaChallenge({ method }) {
      get().mfaChallenges.add(1, { 'auth.mfa.method': mfaChallengeMethod(method) });
    },
    recordMfaVerification({ method, success }) {
      get().mfaVerifications.add(1, {
        'auth.mfa.method': mfaVerificationMethod(method),
        'auth.outcome': success ? 'success' : 'failure',
      });
    },
    recordMfaEnrollment({ method, action }) {
      get().mfaEnrollments.add(1, {
        'auth.mfa.method': mfaEnrollment.method(method),
        'auth.mfa.action': mfaEnrollment.action(action),
      });
    },
    recordMfaAdoption({ usersWithMfa, totalUsers }) {
      if (!countsOk(usersWithMfa) || !countsOk(totalUsers)) return;
      get().mfaAdoption.record(totalUsers === 0 ? 0 : Math.min(1, usersWithMfa / totalUsers));
    },
    recordOAuthRequest({ provider, success, durationSeconds }) {
      const i = get();
      const attributes = {
        'auth.oauth.provider': oauthProvider(provider),
        'auth.outcome': success ? 'success' : 'failure',
      };
      i.oauthRequests.add(1, attributes);
      if (durationSeconds !== undefined && durationOk(durationSeconds))
        i.oauthDuration.record(durationSeconds, attributes);
    },
    recordToken({ type, action }) {
      get().tokens.add(1, { 'auth.token.type': token.type(type), 'auth.token.action': token.action(action) });
    },
    sessionStarted() {
      get().sessions.add(1);
    },
    sessionEnded() {
      get().sessions.add(-1);
    },
    recordPasswordReset({ stage }) {
      get().passwordResets.add(1, { 'auth.password_reset.stage': resetStage(stage) });
    },
  };
}

/** Default recorder bound lazily to the global MeterProvider. */
export const authMetrics: AuthMetrics = createAuthMetrics();
