/**
 * The one place where the auth service reports what happened, through the authlens recorders and
 * loggers (`@authlens/sdk`): auth, security, business and compliance metrics; the security, audit,
 * structured and performance loggers; and the brute-force detector.
 *
 * Routes call these functions with plain facts. Metric attributes are bounded values only (the
 * recorders enforce the catalogue) — user IDs and addresses go to logs — and no password, code or
 * token is ever passed in here.
 */
import {
  type BruteForceDetector,
  createAuditLogger,
  createAuthMetrics,
  createBruteForceDetector,
  createBusinessMetrics,
  createComplianceMetrics,
  createPerformanceLogger,
  createSecurityLogger,
  createSecurityMetrics,
  type Detection,
  getLogger,
  type StructuredLogger,
} from '@authlens/sdk';

export type { Detection } from '@authlens/sdk';

export type AuthMethod = 'password' | 'oauth';
export type Outcome = 'success' | 'failure';
export type FailureReason =
  | 'none'
  | 'invalid_credentials'
  | 'unknown_user'
  | 'account_locked'
  | 'mfa_required'
  | 'mfa_failed'
  | 'expired_credentials'
  | 'rate_limited'
  | 'other';
export type TokenType = 'access' | 'refresh';
export type TokenAction = 'issued' | 'refreshed' | 'revoked';
export type DsrType = 'access' | 'erasure';
export type SecurityEventType = 'brute_force' | 'account_lockout' | 'token_reuse' | 'other';
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export type AuditCategory =
  | 'authentication'
  | 'account'
  | 'data_access'
  | 'compliance'
  | 'security'
  | 'other';

export interface LoginFact {
  method: AuthMethod;
  outcome: Outcome;
  reason: FailureReason;
  durationSeconds: number;
  userId?: string;
  clientIp: string;
  userAgent?: string;
}

export interface SecurityEventFact {
  type: SecurityEventType;
  severity: Severity;
  description: string;
  userId?: string;
  clientIp?: string;
  details?: Record<string, string | number | boolean>;
}

export interface AuthTelemetry {
  /** The service's structured logger (JSON lines with trace and correlation IDs). */
  readonly log: StructuredLogger;
  login(fact: LoginFact): void;
  /** Counts a failed login towards brute-force detection (per account and per address). */
  failure(fact: { userId?: string; clientIp: string }): Promise<Detection[]>;
  mfaChallenge(userId: string, clientIp: string): void;
  mfaVerification(outcome: Outcome, userId: string, clientIp: string): void;
  mfaEnrolled(userId: string, clientIp: string): void;
  mfaAdoption(usersWithMfa: number, totalUsers: number): void;
  /** When the oldest account still stored was created (null: none), for the retention check. */
  oldestAccount(createdAt: Date | null): void;
  oauth(outcome: Outcome, durationSeconds: number): void;
  tokens(type: TokenType, action: TokenAction): void;
  sessions(delta: 1 | -1): void;
  registration(fact: { method: AuthMethod; deviceType: string; userId: string }): void;
  activeUser(userId: string): void;
  dsrReceived(fact: { id: string; type: DsrType; userId: string; receivedAt: Date }): void;
  dsrCompleted(fact: { id: string; type: DsrType; userId: string; completedAt: Date }): void;
  lockout(userId: string, clientIp: string): void;
  securityEvent(fact: SecurityEventFact): void;
  audit(fact: {
    category: AuditCategory;
    action: string;
    outcome: Outcome;
    actor: string;
    target: string;
  }): void;
  request(fact: { method: string; route: string; statusCode: number; durationMs: number }): void;
  close(): Promise<void>;
}

export interface TelemetryOptions {
  /** Shared Redis for brute-force windows and active-user counts; unset keeps them in process. */
  redisUrl?: string;
  /** Prefix of those Redis keys. */
  redisKeyPrefix?: string;
  bruteForce: { ipFailures: number; accountFailures: number; windowSeconds: number };
  /** Called for every brute-force or credential-stuffing detection (e.g. to raise an alert). */
  onDetect?: (detection: Detection) => void | Promise<void>;
}

export function createTelemetry(options: TelemetryOptions): AuthTelemetry {
  const auth = createAuthMetrics();
  const security = createSecurityMetrics();
  const compliance = createComplianceMetrics();
  const business = createBusinessMetrics({
    redis: options.redisUrl ?? false,
    keyPrefix: `${options.redisKeyPrefix ?? ''}authlens:active`,
    // Closed sets: any other feature, action or funnel step is recorded as `other`.
    features: ['mfa_totp', 'privacy_request'],
    actions: ['enrolled', 'requested'],
    funnels: { signup: ['registered', 'mfa_enabled'] },
  });
  const securityLog = createSecurityLogger();
  const auditLog = createAuditLogger({ metrics: compliance });
  const performance = createPerformanceLogger();
  const log = getLogger('auth-service');
  const detector: BruteForceDetector = createBruteForceDetector({
    redis: options.redisUrl ?? false,
    keyPrefix: `${options.redisKeyPrefix ?? ''}authlens:bf`,
    thresholds: {
      ipFailures: options.bruteForce.ipFailures,
      accountFailures: options.bruteForce.accountFailures,
    },
    windows: {
      ipSeconds: options.bruteForce.windowSeconds,
      accountSeconds: options.bruteForce.windowSeconds,
      stuffingSeconds: options.bruteForce.windowSeconds,
    },
    metrics: security,
    logger: securityLog,
    onDetect: options.onDetect,
  });

  const audit: AuthTelemetry['audit'] = (fact) => {
    auditLog.log({
      actor: fact.actor,
      action: fact.action,
      target: fact.target,
      outcome: fact.outcome,
      category: fact.category,
    });
  };

  return {
    log,
    login(fact) {
      const success = fact.outcome === 'success';
      auth.recordLoginAttempt({
        method: fact.method,
        success,
        failureReason: fact.reason,
        durationSeconds: fact.durationSeconds,
      });
      if (!success) security.recordAuthFailure({ method: fact.method, reason: fact.reason });
      securityLog.logAuthenticationAttempt({
        userId: fact.userId,
        ipAddress: fact.clientIp,
        userAgent: fact.userAgent,
        success,
        method: fact.method,
        failureReason: fact.reason,
      });
      if (success && fact.userId) business.recordActiveUser(fact.userId);
    },
    failure: ({ userId, clientIp }) => detector.recordFailure({ account: userId, ip: clientIp }),
    mfaChallenge(userId, clientIp) {
      auth.recordMfaChallenge({ method: 'totp' });
      securityLog.logMfa({ userId, ipAddress: clientIp, method: 'totp', action: 'challenge', success: true });
    },
    mfaVerification(outcome, userId, clientIp) {
      const success = outcome === 'success';
      auth.recordMfaVerification({ method: 'totp', success });
      securityLog.logMfa({ userId, ipAddress: clientIp, method: 'totp', action: 'verification', success });
    },
    mfaEnrolled(userId, clientIp) {
      auth.recordMfaEnrollment({ method: 'totp', action: 'enrolled' });
      business.recordFeatureUsage({ feature: 'mfa_totp', action: 'enrolled', userType: 'free' });
      business.recordFunnelStep({ funnel: 'signup', step: 'mfa_enabled' });
      securityLog.logMfa({
        userId,
        ipAddress: clientIp,
        method: 'totp',
        action: 'enrollment',
        success: true,
      });
      audit({
        category: 'authentication',
        action: 'mfa.enrolled',
        outcome: 'success',
        actor: userId,
        target: userId,
      });
    },
    mfaAdoption(usersWithMfa, totalUsers) {
      auth.recordMfaAdoption({ usersWithMfa, totalUsers });
    },
    oldestAccount(createdAt) {
      compliance.recordRetentionState({ category: 'account', oldestRecordAt: createdAt });
    },
    oauth(outcome, durationSeconds) {
      auth.recordOAuthRequest({ provider: 'local', success: outcome === 'success', durationSeconds });
    },
    tokens(type, action) {
      auth.recordToken({ type, action });
    },
    sessions(delta) {
      if (delta > 0) auth.sessionStarted();
      else auth.sessionEnded();
    },
    registration(fact) {
      business.recordUserRegistration({
        source: 'api',
        method: fact.method === 'password' ? 'email' : 'oauth',
        country: 'other',
        deviceType: fact.deviceType,
      });
      business.recordFunnelStep({ funnel: 'signup', step: 'registered' });
      audit({
        category: 'account',
        action: 'account.created',
        outcome: 'success',
        actor: fact.userId,
        target: fact.userId,
      });
    },
    activeUser(userId) {
      business.recordActiveUser(userId);
    },
    dsrReceived(fact) {
      compliance.recordDsrReceived({
        id: fact.id,
        regulation: 'gdpr',
        type: fact.type,
        receivedAt: fact.receivedAt,
      });
      business.recordFeatureUsage({ feature: 'privacy_request', action: 'requested', userType: 'free' });
      audit({
        category: 'compliance',
        action: `dsr.${fact.type}.received`,
        outcome: 'success',
        actor: fact.userId,
        target: fact.id,
      });
    },
    dsrCompleted(fact) {
      compliance.recordDsrCompleted({ id: fact.id, completedAt: fact.completedAt });
      audit({
        category: 'compliance',
        action: `dsr.${fact.type}.completed`,
        outcome: 'success',
        actor: fact.userId,
        target: fact.id,
      });
    },
    lockout(userId, clientIp) {
      security.recordAccountLockout({ reason: 'too_many_failures' });
      security.recordSecurityEvent({ type: 'account_lockout', severity: 'medium' });
      securityLog.logSecurityEvent({
        type: 'account_lockout',
        severity: 'medium',
        message: 'Account locked after repeated failed logins',
        userId,
        ipAddress: clientIp,
      });
    },
    securityEvent(fact) {
      security.recordSecurityEvent({ type: fact.type, severity: fact.severity });
      securityLog.logSecurityEvent({
        type: fact.type,
        severity: fact.severity,
        message: fact.description,
        userId: fact.userId,
        ipAddress: fact.clientIp,
        details: fact.details,
      });
    },
    audit,
    request(fact) {
      performance.logRequest(fact);
    },
    async close() {
      await Promise.allSettled([detector.close(), business.close()]);
    },
  };
}
