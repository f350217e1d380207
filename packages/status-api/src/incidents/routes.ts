/**
 * Incident API (registered under `/incidents`): reads need a `read` key, changes a `write` key,
 * checked on `onRequest` before the body is parsed. Bodies are strict: unknown keys and wrong
 * types answer 400 naming the field (the API's one rule, `src/strict-input.ts`).
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { idParams } from '../alerts/routes.ts';
import type { Authorize } from '../auth.ts';
import { replyError } from '../errors.ts';
import { bearer, paths, problemSchema, protectedErrors } from '../routes/schemas.ts';
import { strictInput } from '../strict-input.ts';
import { IncidentError, type Incidents } from './service.ts';
import { IMPACTS, INCIDENT_KINDS, type Incident, UPDATE_STATUSES } from './types.ts';

const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max, pattern: '\\S' }) as const;
const componentList = {
  type: 'array',
  maxItems: 32,
  uniqueItems: true,
  items: { type: 'string', minLength: 1, maxLength: 64 },
} as const;

export const createIncidentBody = {
  type: 'object',
  required: ['title', 'impact', 'body'],
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: [...INCIDENT_KINDS] },
    title: text(200),
    impact: { type: 'string', enum: [...IMPACTS] },
    status: { type: 'string', enum: [...UPDATE_STATUSES] },
    components: componentList,
    body: text(4000),
    scheduledFor: { type: 'string', format: 'date-time' },
    scheduledUntil: { type: 'string', format: 'date-time' },
  },
} as const;

export const updateIncidentBody = {
  type: 'object',
  required: ['status', 'body'],
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: [...UPDATE_STATUSES] },
    body: text(4000),
    impact: { type: 'string', enum: [...IMPACTS] },
  },
} as const;

const nullableDate = { type: ['string', 'null'], format: 'date-time' } as const;
export const incidentSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: [...INCIDENT_KINDS] },
    title: { type: 'string' },
    impact: { type: 'string', enum: [...IMPACTS] },
    status: { type: 'string', enum: [...UPDATE_STATUSES] },
    components: { type: 'array', items: { type: 'string' } },
    origin: { type: 'string', enum: ['api', 'alert', 'maintenance', 'demo'] },
    scheduledFor: nullableDate,
    scheduledUntil: nullableDate,
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    resolvedAt: nullableDate,
    updates: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          status: { type: 'string', enum: [...UPDATE_STATUSES] },
          body: { type: 'string' },
          createdAt: { type: 'string', format: 'date-time' },
        },
      },
    },
  },
} as const;

export function incidentJson(i: Incident) {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: i.id,
    kind: i.kind,
    title: i.title,
    impact: i.impact,
    status: i.status,
    components: i.components,
    origin: i.origin,
    scheduledFor: iso(i.scheduledFor),
    scheduledUntil: iso(i.scheduledUntil),
    createdAt: i.createdAt.toISOString(),
    updatedAt: i.updatedAt.toISOString(),
    resolvedAt: iso(i.resolvedAt),
    updates: i.updates.map((u) => ({
      id: u.id,
      status: u.status,
      body: u.body,
      createdAt: u.createdAt.toISOString(),
    })),
  };
}

export interface IncidentRoutesOptions {
  incidents: Incidents;
  authorize: Pick<Authorize, 'read' | 'write'>;
}

function register(app: FastifyInstance, { incidents, authorize }: IncidentRoutesOptions): void {
  // JSON bodies only, no coercion, unknown keys refused: also when mounted without the plugin.
  strictInput(app);
  // Incident errors carry the shared problem codes: answered by code, as on every other route.
  app.setErrorHandler(replyError);
  const byId = { ...protectedErrors, 404: problemSchema };
  const schema = (s: Record<string, unknown>, hide: boolean) => ({
    tags: ['incidents'],
    security: bearer,
    hide,
    ...s,
  });

  // '/' under the prefix answers with and without the trailing slash (Fastify's prefix rule).
  for (const { url, hide } of [{ url: '/', hide: false }]) {
    app.get(url, {
      onRequest: authorize.read,
      schema: schema(
        {
          summary: 'List incidents and maintenance: open ones and those closed in the last `days` days',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              days: { type: 'integer', minimum: 1, maximum: 365, default: 14 },
              kind: { type: 'string', enum: [...INCIDENT_KINDS] },
              limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            },
          },
          response: {
            200: { type: 'object', properties: { items: { type: 'array', items: incidentSchema } } },
            ...protectedErrors,
          },
        },
        hide,
      ),
      handler: async (request) => {
        const q = request.query as { days: number; limit: number; kind?: 'incident' | 'maintenance' };
        return { items: (await incidents.list(q)).map(incidentJson) };
      },
    });
    app.post(url, {
      onRequest: authorize.write,
      schema: schema(
        {
          summary: 'Open an incident (or schedule maintenance, `kind: maintenance`) with its first update',
          body: createIncidentBody,
          response: { 201: incidentSchema, ...protectedErrors },
        },
        hide,
      ),
      handler: async (request, reply) => {
        const b = request.body as {
          kind?: 'incident' | 'maintenance';
          title: string;
          impact: (typeof IMPACTS)[number];
          status?: (typeof UPDATE_STATUSES)[number];
          components?: string[];
          body: string;
          scheduledFor?: string;
          scheduledUntil?: string;
        };
        const created = await incidents.create({
          ...b,
          ...(b.scheduledFor && { scheduledFor: new Date(b.scheduledFor) }),
          ...(b.scheduledUntil && { scheduledUntil: new Date(b.scheduledUntil) }),
        } as Parameters<Incidents['create']>[0]);
        return reply.code(201).send(incidentJson(created));
      },
    });
  }
  for (const { url, hide } of paths('/:id/')) {
    app.get(url, {
      onRequest: authorize.read,
      schema: schema(
        {
          summary: 'Get an incident with its timeline',
          params: idParams,
          response: { 200: incidentSchema, ...byId },
        },
        hide,
      ),
      handler: async (request) => {
        const { id } = request.params as { id: string };
        const incident = await incidents.get(id);
        if (!incident) throw new IncidentError('not_found', `incident ${id} does not exist`, 'id');
        return incidentJson(incident);
      },
    });
  }
  for (const { url, hide } of paths('/:id/updates/')) {
    app.post(url, {
      onRequest: authorize.write,
      schema: schema(
        {
          summary: 'Add an update to the timeline (its status becomes the incident status)',
          params: idParams,
          body: updateIncidentBody,
          response: { 201: incidentSchema, 409: problemSchema, ...byId },
        },
        hide,
      ),
      handler: async (request, reply) => {
        const { id } = request.params as { id: string };
        const b = request.body as Parameters<Incidents['addUpdate']>[1];
        return reply.code(201).send(incidentJson(await incidents.addUpdate(id, b)));
      },
    });
  }
}

export const incidentRoutes: FastifyPluginAsync<IncidentRoutesOptions> = async (app, options) =>
  register(app, options);
