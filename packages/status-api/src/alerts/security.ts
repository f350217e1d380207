/**
 * Bridge from the SDK's brute-force / credential-stuffing detector to alerts:
 * `createBruteForceDetector({ onDetect: securityDetectionAlerts(manager) })` (from `@authlens/sdk`). One open alert per detection kind,
 * scope and subject; repeats count occurrences instead of paging again.
 */
import type { AlertManager } from './manager.ts';
import type { Severity } from './types.ts';

export interface SecurityDetection {
  kind: 'brute_force' | 'credential_stuffing';
  scope: 'account' | 'ip';
  subject: string;
  count: number;
  threshold: number;
  windowSeconds: number;
  at: Date;
}

export interface SecurityDetectionAlertsOptions {
  /** Default: credential stuffing → critical, brute force → high. */
  severity?: (detection: SecurityDetection) => Severity;
  onError?: (err: unknown) => void;
}

export function securityDetectionAlerts(
  manager: Pick<AlertManager, 'createAlert'>,
  options: SecurityDetectionAlertsOptions = {},
): (detection: SecurityDetection) => Promise<void> {
  const severity = options.severity ?? ((d) => (d.kind === 'credential_stuffing' ? 'critical' : 'high'));
  return async (d) => {
    try {
      await manager.createAlert({
        name: `security_${d.kind}`,
        severity: severity(d),
        message: `${d.kind === 'brute_force' ? 'Brute-force' : 'Credential-stuffing'} attack: ${d.count} failed logins for one ${d.scope} within ${d.windowSeconds}s (threshold ${d.threshold})`,
        source: 'security',
        labels: { 'security.event.type': d.kind, scope: d.scope, subject: d.subject },
        annotations: {
          count: String(d.count),
          threshold: String(d.threshold),
          windowSeconds: String(d.windowSeconds),
          detectedAt: d.at.toISOString(),
        },
      });
    } catch (err) {
      (options.onError ?? (() => undefined))(err);
    }
  };
}
