/**
 * `securityLogger`: one JSON line per authentication attempt, MFA use and security event.
 * User IDs and IP addresses belong here (logs), never in metric labels.
 */
import type { SecurityEventType, Severity } from './security-metrics.ts';
import { type LogFields, type LoggerOptions, lazyLogger } from './structured-logger.ts';

export interface AuthenticationAttemptLog {
  userId?: string;
  ipAddress?: string;
  userAgent?: string;
  success: boolean;
  method: string;
  /** 0..1 */
  riskScore?: number;
  failureReason?: string;
}

export interface MfaLog {
  userId?: string;
  ipAddress?: string;
  method: string;
  action: 'challenge' | 'verification' | 'enrollment' | 'removal';
  success: boolean;
}

export interface SecurityEventLog {
  type: SecurityEventType;
  severity: Severity;
  message?: string;
  userId?: string;
  ipAddress?: string;
  details?: LogFields;
}

export interface SecurityLogger {
  logAuthenticationAttempt(attempt: AuthenticationAttemptLog): void;
  logMfa(event: MfaLog): void;
  logSecurityEvent(event: SecurityEventLog): void;
}

/** Drops undefined fields so lines stay compact. */
function compact(fields: Record<string, unknown>): LogFields {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out as LogFields;
}

export function createSecurityLogger(options: LoggerOptions = {}): SecurityLogger {
  const logger = lazyLogger(options, 'authlens.security');
  return {
    logAuthenticationAttempt({ userId, ipAddress, userAgent, success, method, riskScore, failureReason }) {
      const fields = compact({
        'event.category': 'authentication',
        'event.name': 'authentication_attempt',
        'event.outcome': success ? 'success' : 'failure',
        'user.id': userId,
        'client.address': ipAddress,
        'user_agent.original': userAgent,
        'auth.method': method,
        'auth.failure_reason': success ? undefined : failureReason,
        'security.risk_score': riskScore,
      });
      if (success) logger().info('Authentication succeeded', fields);
      else logger().warn('Authentication failed', fields);
    },
    logMfa({ userId, ipAddress, method, action, success }) {
      const fields = compact({
        'event.category': 'authentication',
        'event.name': `mfa_${action}`,
        'event.outcome': success ? 'success' : 'failure',
        'user.id': userId,
        'client.address': ipAddress,
        'auth.mfa.method': method,
      });
      if (success) logger().info(`MFA ${action}`, fields);
      else logger().warn(`MFA ${action} failed`, fields);
    },
    logSecurityEvent({ type, severity, message, userId, ipAddress, details }) {
      const fields = compact({
        'event.category': 'security',
        'event.name': type,
        'security.event.type': type,
        'security.severity': severity,
        'user.id': userId,
        'client.address': ipAddress,
        ...details,
      });
      const text = message ?? `Security event: ${type}`;
      if (severity === 'critical' || severity === 'high') logger().error(text, fields);
      else if (severity === 'medium') logger().warn(text, fields);
      else logger().info(text, fields);
    },
  };
}

/** Default security logger (`logger: authlens.security`). */
export const securityLogger: SecurityLogger = createSecurityLogger();
