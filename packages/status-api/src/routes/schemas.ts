/** Shared schema pieces; every route declares its query, body and every response code. */
import { periods } from '../metrics/source.ts';

export const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details (application/problem+json)',
  properties: {
    type: { type: 'string' },
    status: { type: 'integer' },
    title: { type: 'string' },
    detail: { type: 'string' },
    code: { type: 'string' },
    field: { type: 'string' },
  },
  required: ['status', 'title', 'code'],
  additionalProperties: true,
} as const;

/** 400/401/403/429/500 answers of a route that needs a key. */
export const protectedErrors = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  429: problemSchema,
  500: problemSchema,
} as const;

export const publicErrors = { 400: problemSchema, 429: problemSchema, 500: problemSchema } as const;

export const bearer = [{ bearerAuth: [] }];

export const periodQuery = {
  type: 'object',
  properties: {
    period: { type: 'string', enum: [...periods], default: '24h', description: 'Window (Prometheus mode)' },
  },
  additionalProperties: false,
} as const;

/** A free-form JSON object in a response (kept whole by the serializer). */
export const openObject = { type: 'object', additionalProperties: true } as const;

/** Both spellings of a path: with the trailing slash (documented) and without (hidden alias). */
export function paths(url: string): Array<{ url: string; hide: boolean }> {
  return [
    { url, hide: false },
    { url: url.replace(/\/$/, ''), hide: true },
  ];
}

const counts = { type: 'object', additionalProperties: { type: 'number' } } as const;
const nullableNumber = { type: ['number', 'null'] } as const;

/** Fields every KPI report starts with. */
const reportMeta = {
  period: { type: 'string', enum: [...periods] },
  source: { type: 'string', enum: ['sdk', 'prometheus'] },
  window: { type: 'string', description: '`since process start` (sdk) or `last <period>` (prometheus)' },
  generatedAt: { type: 'string', format: 'date-time' },
} as const;

const report = (properties: Record<string, unknown>, description: string) =>
  ({
    type: 'object',
    description,
    properties: { ...reportMeta, ...properties },
    additionalProperties: true,
  }) as const;

export const businessSchema = report(
  {
    registrations: {
      type: 'object',
      properties: { total: { type: 'number' }, bySource: counts, byMethod: counts, byDeviceType: counts },
    },
    activeUsers: counts,
    logins: {
      type: 'object',
      properties: { total: { type: 'number' }, successRate: nullableNumber, byMethod: counts },
    },
    mfaAdoption: nullableNumber,
    oauthByProvider: counts,
    featureUsage: counts,
    funnels: { type: 'object', additionalProperties: counts },
  },
  'Business KPIs',
);

export const securitySchema = report(
  {
    authFailures: {
      type: 'object',
      properties: { total: { type: 'number' }, byReason: counts, byMethod: counts },
    },
    loginFailureRate: nullableNumber,
    events: { type: 'object', properties: { total: { type: 'number' }, byType: counts, bySeverity: counts } },
    accountLockouts: { type: 'object', properties: { total: { type: 'number' }, byReason: counts } },
    riskScore: { type: 'object', properties: { p50: nullableNumber, p95: nullableNumber } },
  },
  'Security metrics',
);

export const performanceSchema = report(
  {
    requests: { type: 'number' },
    errorRate: { type: 'number', description: 'responses ≥ 500 / all responses' },
    availability: { ...nullableNumber, description: '1 − error rate; null without traffic' },
    slo: {
      type: 'object',
      properties: {
        target: { type: 'number' },
        met: { type: 'boolean' },
        errorBudgetRemaining: { type: 'number', description: 'max(0, 1 − error rate / (1 − target))' },
      },
    },
    routes: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          route: { type: 'string' },
          requests: { type: 'number' },
          errorRate: { type: 'number' },
          latencySeconds: {
            type: 'object',
            properties: { p50: nullableNumber, p95: nullableNumber, p99: nullableNumber },
          },
        },
      },
    },
  },
  'Performance and SLA report',
);

export const complianceSchema = report(
  {
    compliant: { type: 'boolean' },
    regulations: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          regulation: { type: 'string', enum: ['gdpr', 'ccpa'] },
          deadlineDays: { type: 'integer' },
          requests: { type: 'object', additionalProperties: counts, description: 'type → status → count' },
          open: counts,
          overdue: { type: 'number' },
          medianCompletionSeconds: nullableNumber,
        },
      },
    },
    auditEvents: { type: 'object', additionalProperties: true },
    consentChanges: counts,
    retention: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          category: { type: 'string' },
          maxAgeDays: { type: 'integer' },
          purgedRecords: { type: 'number' },
          oldestRecordAgeDays: {
            ...nullableNumber,
            description:
              'Age of the oldest record kept, as last reported by the application (null: not reported)',
          },
          basis: {
            type: 'string',
            enum: ['oldest_record_age', 'purge_recorded', 'no_data'],
            description:
              'What `met` rests on: the oldest record age against maxAgeDays, else a purge recorded in the period, else nothing (not met)',
          },
          met: { type: 'boolean' },
        },
      },
    },
  },
  'GDPR/CCPA compliance report',
);
