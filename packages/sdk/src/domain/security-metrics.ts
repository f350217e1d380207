/**
 * Security recorders: failed authentications, security events, risk scores, account lockouts.
 * Depends on `@opentelemetry/api` only; a no-op until a MeterProvider is registered.
 */
import type { Meter } from '@opentelemetry/api';
import type { SecurityAttributeValues } from './attribute-values.ts';
import type { AuthFailureReason, AuthMethod, Known } from './auth-metrics.ts';
import { createValueGuard } from './cardinality.ts';
import { instrument, lazyInstruments } from './meter.ts';
import { numberCheck, type RecorderOptions } from './recorder-support.ts';

export type SecurityEventType = Known<typeof SecurityAttributeValues.eventTypes>;
export type Severity = (typeof SecurityAttributeValues.severities)[number];
export type LockoutReason = Known<typeof SecurityAttributeValues.lockoutReasons>;

export interface SecurityMetrics {
  recordAuthFailure(failure: { method: AuthMethod; reason: AuthFailureReason }): void;
  recordSecurityEvent(event: { type: SecurityEventType; severity: Severity }): void;
  /** A risk score in 0..1 (values outside are ignored with a warning). */
  recordRiskScore(score: { method: AuthMethod; score: number }): void;
  recordAccountLockout(lockout: { reason: LockoutReason }): void;
}

const build = (meter: Meter) => ({
  failures: instrument.counter(meter, 'security.auth.failures'),
  events: instrument.counter(meter, 'security.events'),
  riskScore: instrument.histogram(meter, 'security.risk_score'),
  lockouts: instrument.counter(meter, 'security.account_lockouts'),
});

export function createSecurityMetrics(options: RecorderOptions = {}): SecurityMetrics {
  const get = lazyInstruments(options, build, 'SECURITY_MONITORING_ENABLED');
  const g = (name: string, key: string) => createValueGuard(name, key, options);
  const failure = {
    method: g('security.auth.failures', 'auth.method'),
    reason: g('security.auth.failures', 'auth.failure_reason'),
  };
  const event = {
    type: g('security.events', 'security.event.type'),
    severity: g('security.events', 'security.severity'),
  };
  const riskMethod = g('security.risk_score', 'auth.method');
  const lockoutReason = g('security.account_lockouts', 'security.lockout.reason');
  const scoreOk = numberCheck('score', 0, 1, options.warn);
  return {
    recordAuthFailure({ method, reason }) {
      get().failures.add(1, {
        'auth.method': failure.method(method),
        'auth.failure_reason': failure.reason(reason),
      });
    },
    recordSecurityEvent({ type, severity }) {
      get().events.add(1, {
        'security.event.type': event.type(type),
        'security.severity': event.severity(severity),
      });
    },
    recordRiskScore({ method, score }) {
      if (scoreOk(score)) get().riskScore.record(score, { 'auth.method': riskMethod(method) });
    },
    recordAccountLockout({ reason }) {
      get().lockouts.add(1, { 'security.lockout.reason': lockoutReason(reason) });
    },
  };
}

/** Default recorder bound lazily to the global MeterProvider. */
export const securityMetrics: SecurityMetrics = createSecurityMetrics();
