/** The package's public surface, pinned: see `test/support/pinned-exports.ts`. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pinExports } from '../../../test/support/pinned-exports.ts';

const ENTRY = [
  'AlertError',
  'IncidentError',
  'MetricsSourceError',
  'MissingSettingError',
  'MonitoringConfigError',
  'buildServer',
  'bullmqCheck',
  'clientErrorHandler',
  'collectorCheck',
  'createAlertManager',
  'createHealthRegistry',
  'createIncidents',
  'createJobRuntime',
  'createScheduler',
  'createStatusHistory',
  'default',
  'defineHealthCheck',
  'frameworkErrors',
  'httpCheck',
  'jobDefinitions',
  'jobsHealthCheck',
  'migrate',
  'monitoring',
  'normalizeOptions',
  'openDatabase',
  'parseApiKeys',
  'postgresCheck',
  'problemTypes',
  'processCheck',
  'redisCheck',
  'runJobNow',
  'securityDetectionAlerts',
  'seedDemoHistory',
  'sendProblem',
  'smtpCheck',
  'storeOver',
  'verifyWebhookSignature',
];

pinExports(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'), {
  '.': { actual: async () => Object.keys(await import('@authlens/status-api')), pinned: ENTRY },
});
