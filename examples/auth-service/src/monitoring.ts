/**
 * The monitoring side of the example: mounts `@authlens/status-api` under `/monitoring` with the
 * service's own health checks, and turns brute-force detections into alerts.
 *
 *   const monitoring = await createMonitoring();
 *   const app = await buildApp({ onBruteForce: monitoring.onBruteForce, configure: monitoring.configure });
 */
import { type Detection, getLogger } from '@authlens/sdk';
import * as statusApi from '@authlens/status-api';
import monitoring, {
  defineHealthCheck,
  type HealthCheck,
  httpCheck,
  parseApiKeys,
} from '@authlens/status-api';
import type { FastifyInstance } from 'fastify';
import type { AppServices } from './app.ts';
import { openStatusStore, type StatusStore, seedDemoStatus } from './status-page.ts';

/** What a brute-force alert needs from the status API's alert manager. */
export interface AlertManagerLike {
  createAlert(input: {
    name: string;
    severity: 'critical' | 'high' | 'medium' | 'low' | 'info';
    message: string;
    source?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  }): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * The alert-manager exports of `@authlens/status-api` (`createAlertManager`,
 * `securityDetectionAlerts`). Looked up at run time so this example keeps working on a status API
 * that does not export them; then alerts are raised through the documented HTTP endpoint instead.
 */
export interface AlertExports {
  createAlertManager(
    options?: { env?: Record<string, string | undefined> } & Partial<StatusStore['managerOptions']>,
  ): Promise<AlertManagerLike>;
  securityDetectionAlerts(
    manager: Pick<AlertManagerLike, 'createAlert'>,
  ): (detection: Detection) => Promise<unknown>;
}

type MonitoringOptions = NonNullable<Parameters<typeof monitoring>[1]>;

export interface MonitoringSetup {
  /** Pass as `buildApp({ onBruteForce })`: raises one alert per detection (repeats count up). */
  onBruteForce(detection: Detection): Promise<void>;
  /** Pass as `buildApp({ configure })`: mounts `/monitoring` with the service's health checks. */
  configure(app: FastifyInstance, services: AppServices): Promise<void>;
}

export function serviceHealthChecks(services: AppServices): HealthCheck[] {
  return [
    defineHealthCheck(
      'user-store',
      async () => {
        const started = performance.now();
        await services.users.ping();
        const { users } = await services.users.counts();
        return {
          status: 'pass',
          observations: [
            {
              measurement: 'responseTime',
              observedValue: Math.round(performance.now() - started),
              observedUnit: 'ms',
            },
          ],
          details: { backend: services.users.kind, users },
        };
      },
      { critical: true, componentType: 'datastore', displayName: 'User database' },
    ),
    defineHealthCheck(
      'session-store',
      async () => {
        const started = performance.now();
        await services.kv.ping();
        return {
          status: 'pass',
          observations: [
            {
              measurement: 'responseTime',
              observedValue: Math.round(performance.now() - started),
              observedUnit: 'ms',
            },
          ],
          details: { backend: services.kv.kind },
        };
      },
      { critical: true, componentType: 'datastore', displayName: 'Session store' },
    ),
    httpCheck({
      name: 'oauth-provider',
      displayName: 'OAuth provider',
      url: new URL('/health', services.oauthProviderUrl).toString(),
      critical: false,
      timeoutMs: 2000,
    }),
  ];
}

export interface CreateMonitoringOptions {
  /** Environment to read (`MONITORING_API_KEYS`, `ALERT_STORE_URL`, …). Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** More options for the monitoring plugin. */
  monitoring?: Omit<MonitoringOptions, 'checks' | 'env'>;
  /** The alert-manager functions; default: the ones `@authlens/status-api` exports, if it does. */
  alerts?: AlertExports;
}

export async function createMonitoring(options: CreateMonitoringOptions = {}): Promise<MonitoringSetup> {
  const env = options.env ?? process.env;
  const exports: Partial<AlertExports> = options.alerts ?? (statusApi as Partial<AlertExports>);
  let manager: AlertManagerLike | undefined;
  let bridge: ((detection: Detection) => Promise<unknown>) | undefined;
  let status: StatusStore | undefined;
  if (exports.createAlertManager && exports.securityDetectionAlerts) {
    // One database for alerts, incidents and the status history (public rules open incidents).
    status = await openStatusStore(env);
    manager = await exports.createAlertManager({ env, ...status.managerOptions });
    bridge = exports.securityDetectionAlerts(manager);
  }
  let app: FastifyInstance | undefined;
  // Fallback: the public HTTP API (`POST /monitoring/alerts/create/`) with a write key.
  const writeKey = parseApiKeys(env.MONITORING_API_KEYS ?? '').find((k) => k.role === 'write')?.key;
  if (!bridge && !writeKey) {
    getLogger('auth-service').warn(
      'Brute-force detections will not raise alerts: set a write key in MONITORING_API_KEYS',
    );
  }

  return {
    async onBruteForce(detection) {
      if (bridge) {
        await bridge(detection);
        return;
      }
      if (!app || !writeKey) return;
      const res = await app.inject({
        method: 'POST',
        url: '/monitoring/alerts/create/',
        headers: { authorization: `Bearer ${writeKey}` },
        payload: {
          name: `security_${detection.kind}`,
          severity: detection.kind === 'credential_stuffing' ? 'critical' : 'high',
          message: `${detection.kind === 'brute_force' ? 'Brute-force' : 'Credential-stuffing'} attack: ${detection.count} failed logins for one ${detection.scope} within ${detection.windowSeconds}s`,
          source: 'security',
          labels: {
            'security.event.type': detection.kind,
            scope: detection.scope,
            subject: detection.subject,
          },
        },
      });
      if (res.statusCode >= 300) throw new Error(`alert creation answered ${res.statusCode}`);
    },
    async configure(target, services) {
      app = target;
      const mounted: MonitoringOptions = {
        serviceName: services.options.serviceName,
        ...options.monitoring,
        env,
        checks: serviceHealthChecks(services),
      };
      if (manager) {
        // The routes serve the same manager the bridge raises into (it is the status API's own
        // AlertManager; this file only names the part of it that it calls).
        (mounted as { alerts?: unknown }).alerts = { manager };
        const owned = manager;
        const shared = status;
        // The manager first (its workers use the store), then the shared database.
        target.addHook('onClose', async () => {
          await owned.close();
          await shared?.close();
        });
      }
      if (status) {
        const store = status;
        mounted.statusPage = { db: store.db };
        const checks = mounted.checks ?? [];
        await seedDemoStatus(store.db, ['process', ...checks.map((c) => c.name)], env);
      }
      await target.register(monitoring, { prefix: '/monitoring', ...mounted });
    },
  };
}
