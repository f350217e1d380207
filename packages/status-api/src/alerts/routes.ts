/**
 * HTTP routes of the alert manager (registered under `/alerts` by the monitoring plugin), each
 * with and without the trailing slash (the OpenAPI document lists the slash form), schema-first.
 * The key is checked on `onRequest` — before the body is parsed or anything validated: reads
 * need `authorize.read`, changes `authorize.write`. Errors are the monitoring API's problems
 * (`src/errors.ts`), naming the offending field.
 */
import type { FastifyInstance, onRequestHookHandler, RouteOptions } from 'fastify';
import { DEFAULTS } from '../defaults.ts';
import { replyError } from '../errors.ts';
import { bearer, paths, problemSchema, protectedErrors } from '../routes/schemas.ts';
import { strictInput } from '../strict-input.ts';
import { AlertError, invalidField } from './errors.ts';
import { alertJson, deliveryJson, silenceJson } from './json.ts';
import type { AlertManager, AlertmanagerWebhookPayload } from './manager.ts';
import { ALERT_STATUSES, type AlertFilter, type AlertStatus, SEVERITIES, type Severity } from './types.ts';

const stringMap = {
  type: 'object',
  additionalProperties: { type: 'string', maxLength: 4000 },
  maxProperties: 64,
};
const ALERT_NAME = '^[A-Za-z_][A-Za-z0-9_.:-]*$';
const LABEL_NAME = '^[A-Za-z_][A-Za-z0-9_.-]*$';
/** Labels and annotations of a created alert (and of each Alertmanager alert): the same limits. */
const labelMap = { ...stringMap, propertyNames: { pattern: LABEL_NAME, maxLength: 200 } };
const nullableString = { type: ['string', 'null'] };

export const alertSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    fingerprint: { type: 'string' },
    name: { type: 'string' },
    severity: { type: 'string', enum: [...SEVERITIES] },
    message: { type: 'string' },
    source: { type: 'string' },
    labels: stringMap,
    annotations: stringMap,
    status: { type: 'string', enum: [...ALERT_STATUSES] },
    suppressedReason: nullableString,
    occurrences: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    lastSeenAt: { type: 'string', format: 'date-time' },
    acknowledgedAt: nullableString,
    acknowledgedBy: nullableString,
    resolvedAt: nullableString,
    resolvedBy: nullableString,
    escalationLevel: { type: 'integer' },
    nextEscalationAt: nullableString,
    lastNotifiedAt: nullableString,
  },
} as const;

const deliverySchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    channel: { type: 'string' },
    channelType: { type: 'string' },
    event: { type: 'string' },
    escalationLevel: { type: 'integer' },
    idempotencyKey: { type: 'string' },
    state: { type: 'string', enum: ['pending', 'sending', 'sent', 'failed'] },
    attempts: { type: 'integer' },
    nextAttemptAt: { type: 'string' },
    lastError: nullableString,
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
    history: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          attempt: { type: 'integer' },
          at: { type: 'string' },
          outcome: { type: 'string' },
          statusCode: { type: ['integer', 'null'] },
          error: nullableString,
          durationMs: { type: 'number' },
        },
      },
    },
  },
} as const;

const silenceSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    matchers: { type: 'array', items: { type: 'string' } },
    startsAt: { type: 'string' },
    endsAt: { type: 'string' },
    createdBy: { type: 'string' },
    comment: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'active', 'expired'] },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' } },
} as const;

const actorBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    by: { type: 'string', minLength: 1, maxLength: 200 },
    comment: { type: 'string', maxLength: 2000 },
  },
} as const;

const createBody = {
  type: 'object',
  required: ['name', 'severity', 'message'],
  // An unknown key (a typo such as `label`) is a 400 naming it, never stripped (`strict-input.ts`);
  // the same holds for every body we define. The Alertmanager webhook payload stays open.
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200, pattern: ALERT_NAME },
    severity: { type: 'string', enum: [...SEVERITIES] },
    message: { type: 'string', minLength: 1, maxLength: 4000 },
    source: { type: 'string', minLength: 1, maxLength: 200 },
    labels: labelMap,
    annotations: labelMap,
  },
} as const;

/** Deepest page offset a list accepts (a larger number is a 400, never a store error). */
const MAX_OFFSET = 1_000_000_000;

const listQuery = {
  type: 'object',
  properties: {
    status: { type: 'string', description: `comma-separated: ${ALERT_STATUSES.join(', ')}, or "open"` },
    severity: { type: 'string', description: `comma-separated: ${SEVERITIES.join(', ')}` },
    name: { type: 'string', maxLength: 200 },
    source: { type: 'string', maxLength: 200 },
    fingerprint: { type: 'string', maxLength: 64 },
    label: {
      type: 'array',
      items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.-]*=.*$' },
      maxItems: 16,
    },
    delivery: {
      type: 'string',
      enum: ['pending', 'sending', 'sent', 'failed'],
      description: 'alerts with a notification in this state (failed: delivery gave up)',
    },
    since: { type: 'string', format: 'date-time' },
    until: { type: 'string', format: 'date-time' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    offset: { type: 'integer', minimum: 0, maximum: MAX_OFFSET, default: 0 },
  },
} as const;

const silenceBody = {
  type: 'object',
  required: ['matchers'],
  additionalProperties: false,
  properties: {
    matchers: {
      type: 'array',
      minItems: 1,
      maxItems: 32,
      items: { type: 'string', minLength: 1, maxLength: 500 },
    },
    startsAt: { type: 'string', format: 'date-time' },
    endsAt: { type: 'string', format: 'date-time' },
    durationSeconds: { type: 'integer', minimum: 1, maximum: 31_536_000 },
    createdBy: { type: 'string', minLength: 1, maxLength: 200 },
    comment: { type: 'string', maxLength: 2000 },
  },
} as const;

/**
 * Alertmanager's webhook payload (version 4), every field Alertmanager 0.25 sends declared with
 * its type. Every alert is held to the limits of `/create/`: its labels become the alert's (less
 * `alertname` and `severity`, which become its name and severity), its annotations (plus
 * `generatorURL`) the alert's annotations; the group-level fields are checked and not stored.
 *
 * The one open body: `additionalProperties: true` at the top and on each alert, on purpose.
 * Alertmanager adds fields across versions (0.25 added none of ours, `truncatedAlerts` came in
 * 0.21), and a receiver that refused a field it does not know would lose a whole group of alerts
 * after an Alertmanager upgrade, at the moment they matter. Such a field is ignored: never stored,
 * never repeated in an answer.
 */
const alertmanagerBody = {
  type: 'object',
  required: ['version', 'alerts'],
  additionalProperties: true,
  properties: {
    version: { type: 'string', const: '4' },
    groupKey: { type: 'string', maxLength: 10_000 },
    truncatedAlerts: { type: 'integer', minimum: 0 },
    status: { type: 'string', enum: ['firing', 'resolved'] },
    receiver: { type: 'string', maxLength: 1000 },
    groupLabels: stringMap,
    commonLabels: stringMap,
    commonAnnotations: stringMap,
    externalURL: { type: 'string', maxLength: 4000 },
    alerts: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['status', 'labels'],
        additionalProperties: true,
        properties: {
          status: { type: 'string', enum: ['firing', 'resolved'] },
          labels: {
            ...labelMap,
            // alertname and severity are not labels of the stored alert: 64 more besides them.
            maxProperties: 66,
            required: ['alertname'],
            properties: {
              alertname: { type: 'string', minLength: 1, maxLength: 200, pattern: ALERT_NAME },
              severity: { type: 'string', maxLength: 200 },
            },
          },
          // generatorURL is stored as one more annotation.
          annotations: { ...labelMap, maxProperties: 63 },
          startsAt: { type: 'string', maxLength: 64 },
          endsAt: { type: 'string', maxLength: 64 },
          generatorURL: { type: 'string', maxLength: 4000 },
          fingerprint: { type: 'string', maxLength: 64 },
        },
      },
    },
  },
} as const;

/** Routes that look an alert or silence up by id. */
const byIdErrors = { ...protectedErrors, 404: problemSchema };

function splitList<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  field: string,
): T[] | undefined {
  if (value === undefined || value === '') return undefined;
  const list = value.split(',').map((s) => s.trim());
  for (const v of list) {
    if (!(allowed as readonly string[]).includes(v))
      throw invalidField(field, `each value must be one of ${allowed.join(', ')}`);
  }
  return list as T[];
}

/** Default largest Alertmanager webhook body: a group of 1,000 alerts with long annotations. */
export const DEFAULT_WEBHOOK_BODY_LIMIT = DEFAULTS.webhookBodyLimitBytes;

export function registerAlertRoutes(
  app: FastifyInstance,
  manager: AlertManager,
  authorize: { read: onRequestHookHandler; write: onRequestHookHandler },
  { webhookBodyLimitBytes = DEFAULT_WEBHOOK_BODY_LIMIT }: { webhookBodyLimitBytes?: number } = {},
): void {
  // Bodies are JSON only and validated without coercion, also when these routes are mounted
  // without the monitoring plugin.
  strictInput(app);
  // Errors are answered as on every other monitoring route, by their code (alert errors carry
  // the shared problem codes), also when these routes are mounted without the monitoring plugin.
  app.setErrorHandler(replyError);

  const route = (options: RouteOptions) => {
    const url = options.url === '/' ? [{ url: '/', hide: false }] : paths(`${options.url}/`);
    for (const u of url) {
      app.route({ ...options, url: u.url, schema: { ...options.schema, hide: u.hide, security: bearer } });
    }
  };
  const read = { onRequest: authorize.read };
  const write = { onRequest: authorize.write };

  route({
    method: 'POST',
    url: '/create',
    ...write,
    schema: {
      tags: ['alerts'],
      summary: 'Create an alert (a repeat of an open fingerprint counts an occurrence)',
      body: createBody,
      response: { 200: alertSchema, 201: alertSchema, ...protectedErrors },
    },
    handler: async (request, reply) => {
      const body = request.body as {
        name: string;
        severity: Severity;
        message: string;
        source?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
      };
      const { alert, created } = await manager.raise(body);
      return reply.code(created ? 201 : 200).send(alertJson(alert));
    },
  });

  route({
    method: 'GET',
    url: '/',
    ...read,
    schema: {
      tags: ['alerts'],
      summary: 'List alerts (newest first) with filters and paging',
      querystring: listQuery,
      response: {
        200: {
          type: 'object',
          properties: {
            items: { type: 'array', items: alertSchema },
            total: { type: 'integer' },
            limit: { type: 'integer' },
            offset: { type: 'integer' },
          },
        },
        ...protectedErrors,
      },
    },
    handler: async (request) => {
      const q = request.query as {
        status?: string;
        severity?: string;
        name?: string;
        source?: string;
        fingerprint?: string;
        label?: string[];
        delivery?: 'pending' | 'sending' | 'sent' | 'failed';
        since?: string;
        until?: string;
        limit: number;
        offset: number;
      };
      const filter: AlertFilter = { limit: q.limit, offset: q.offset };
      const status =
        q.status === 'open'
          ? (['firing', 'acknowledged', 'suppressed'] as AlertStatus[])
          : splitList(q.status, ALERT_STATUSES, 'status');
      if (status) filter.status = status;
      const severity = splitList(q.severity, SEVERITIES, 'severity');
      if (severity) filter.severity = severity;
      if (q.name !== undefined) filter.name = q.name;
      if (q.source !== undefined) filter.source = q.source;
      if (q.fingerprint !== undefined) filter.fingerprint = q.fingerprint;
      if (q.delivery) filter.deliveryState = q.delivery;
      if (q.since) filter.createdAfter = new Date(q.since);
      if (q.until) filter.createdBefore = new Date(q.until);
      if (q.label?.length) {
        filter.labels = Object.fromEntries(
          q.label.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
        );
      }
      const page = await manager.listAlerts(filter);
      return { ...page, items: page.items.map(alertJson) };
    },
  });

  route({
    method: 'GET',
    url: '/silences',
    ...read,
    schema: {
      tags: ['alerts'],
      summary: 'List silences',
      querystring: { type: 'object', properties: { active: { type: 'boolean' } } },
      response: {
        200: { type: 'object', properties: { items: { type: 'array', items: silenceSchema } } },
        ...protectedErrors,
      },
    },
    handler: async (request) => {
      const { active } = request.query as { active?: boolean };
      const now = Date.now();
      return {
        items: (await manager.listSilences({ active: active === true })).map((s) => silenceJson(s, now)),
      };
    },
  });

  route({
    method: 'POST',
    url: '/silences',
    ...write,
    schema: {
      tags: ['alerts'],
      summary: 'Create a silence (label matchers and a time window)',
      body: silenceBody,
      response: { 201: silenceSchema, ...protectedErrors },
    },
    handler: async (request, reply) => {
      const b = request.body as {
        matchers: string[];
        startsAt?: string;
        endsAt?: string;
        durationSeconds?: number;
        createdBy?: string;
        comment?: string;
      };
      const input: Parameters<AlertManager['createSilence']>[0] = { matchers: b.matchers };
      if (b.startsAt) input.startsAt = new Date(b.startsAt);
      if (b.endsAt) input.endsAt = new Date(b.endsAt);
      if (b.durationSeconds !== undefined) input.durationSeconds = b.durationSeconds;
      if (b.createdBy !== undefined) input.createdBy = b.createdBy;
      if (b.comment !== undefined) input.comment = b.comment;
      return reply.code(201).send(silenceJson(await manager.createSilence(input)));
    },
  });

  route({
    method: 'GET',
    url: '/silences/:id',
    ...read,
    schema: {
      tags: ['alerts'],
      summary: 'Get a silence',
      params: idParams,
      response: { 200: silenceSchema, ...byIdErrors },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const s = await manager.getSilence(id);
      if (!s) throw new AlertError('not_found', 'no silence has this id', 'id');
      return silenceJson(s);
    },
  });

  route({
    method: 'DELETE',
    url: '/silences/:id',
    ...write,
    schema: {
      tags: ['alerts'],
      summary: 'Expire a silence now',
      params: idParams,
      response: { 200: silenceSchema, ...byIdErrors },
    },
    handler: async (request) =>
      silenceJson(await manager.expireSilence((request.params as { id: string }).id)),
  });

  route({
    method: 'POST',
    url: '/webhooks/alertmanager',
    // Its own limit: Alertmanager sends a whole group in one request.
    bodyLimit: webhookBodyLimitBytes,
    ...write,
    schema: {
      tags: ['alerts'],
      summary: 'Alertmanager webhook receiver (payload version 4)',
      body: alertmanagerBody,
      response: {
        200: { type: 'object', properties: { firing: { type: 'integer' }, resolved: { type: 'integer' } } },
        ...protectedErrors,
      },
    },
    handler: async (request) => manager.ingestAlertmanager(request.body as AlertmanagerWebhookPayload),
  });

  route({
    method: 'GET',
    url: '/:id',
    ...read,
    schema: {
      tags: ['alerts'],
      summary: 'Get one alert with its notification history',
      params: idParams,
      response: {
        200: {
          type: 'object',
          properties: { ...alertSchema.properties, notifications: { type: 'array', items: deliverySchema } },
        },
        ...byIdErrors,
      },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const alert = await manager.getAlert(id);
      if (!alert) throw new AlertError('not_found', 'no alert has this id', 'id');
      return { ...alertJson(alert), notifications: alert.notifications.map(deliveryJson) };
    },
  });

  for (const action of ['acknowledge', 'resolve'] as const) {
    route({
      method: 'POST',
      url: `/:id/${action}`,
      ...write,
      schema: {
        tags: ['alerts'],
        summary: action === 'acknowledge' ? 'Acknowledge an alert (stops escalation)' : 'Resolve an alert',
        params: idParams,
        body: actorBody,
        response: { 200: alertSchema, 409: problemSchema, ...byIdErrors },
      },
      handler: async (request) => {
        const { id } = request.params as { id: string };
        const by = (request.body as { by?: string } | null | undefined)?.by;
        const alert =
          action === 'acknowledge' ? await manager.acknowledge(id, by) : await manager.resolve(id, by);
        return alertJson(alert);
      },
    });
  }
}
