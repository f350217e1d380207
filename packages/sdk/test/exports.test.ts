/** The package's public surface, pinned: see `test/support/pinned-exports.ts`. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { namesInChildProcess, pinExports } from '../../../test/support/pinned-exports.ts';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const ENTRY = [
  'AuthAttributeValues',
  'AuthlensConfigError',
  'AuthlensError',
  'BruteForceDefaults',
  'BusinessAttributeValues',
  'CORRELATION_ID_HEADER',
  'ComplianceAttributeValues',
  'ERROR_CODES',
  'HistogramBuckets',
  'METER_NAME',
  'PlatformAttributeValues',
  'REDACTED',
  'SecurityAttributeValues',
  'auditLogger',
  'authMetrics',
  'businessMetrics',
  'captureError',
  'complianceMetrics',
  'createAuditLogger',
  'createAuthMetrics',
  'createBruteForceDetector',
  'createBusinessMetrics',
  'createComplianceMetrics',
  'createPerformanceLogger',
  'createRedactor',
  'createSecurityLogger',
  'createSecurityMetrics',
  'currentHandle',
  'getCorrelationId',
  'getLogger',
  'getRequestState',
  'instrumentCatalogue',
  'performanceLogger',
  'personalDataReason',
  'prometheusName',
  'redact',
  'redactString',
  'securityLogger',
  'securityMetrics',
  'setUser',
  'start',
  'verifyAuditChain',
];

pinExports(packageDir, {
  '.': { actual: async () => Object.keys(await import('@authlens/sdk')), pinned: ENTRY },
  // Importing `register` starts authlens: load it in a child process with the SDK turned off.
  './register': {
    actual: () => namesInChildProcess(packageDir, '@authlens/sdk/register', { OTEL_SDK_DISABLED: 'true' }),
    pinned: [],
  },
  // Shared with the other authlens packages; not semver-covered (see `src/internal.ts`).
  './internal': {
    actual: async () => Object.keys(await import('@authlens/sdk/internal')),
    pinned: [
      'OPENMETRICS_CONTENT_TYPE',
      'acceptsOpenMetrics',
      'createEnvReader',
      'describeRange',
      'errorCode',
      'invalidOption',
      'parseDuration',
      'parseUrl',
    ],
  },
});
