/** Public status (Statuspage-style component states): JSON, or HTML for browsers. */
import type { FastifyPluginAsync } from 'fastify';
import { publicStatus, statusHtml } from '../health/status-page.ts';
import { paths, publicErrors } from './schemas.ts';

const statusSchema = {
  type: 'object',
  properties: {
    page: {
      type: 'object',
      properties: { name: { type: 'string' }, updated_at: { type: 'string', format: 'date-time' } },
    },
    status: {
      type: 'object',
      properties: {
        indicator: { type: 'string', enum: ['none', 'minor', 'major'] },
        description: { type: 'string' },
      },
    },
    components: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          status: {
            type: 'string',
            enum: ['operational', 'degraded_performance', 'partial_outage', 'major_outage'],
          },
        },
      },
    },
  },
} as const;

/** HTML when asked for with `?format=html`, or when the Accept header prefers text/html over JSON. */
function wantsHtml(format: string | undefined, accept: string | undefined): boolean {
  if (format) return format === 'html';
  if (!accept) return false;
  const html = accept.indexOf('text/html');
  if (html === -1) return false;
  const json = accept.indexOf('application/json');
  return json === -1 || html < json;
}

export const statusRoutes: FastifyPluginAsync = async (app) => {
  const { health, options } = app.monitoring;
  for (const { url, hide } of paths('/status/')) {
    app.get<{ Querystring: { format?: 'json' | 'html' } }>(
      url,
      {
        schema: {
          hide,
          tags: ['status'],
          summary: 'Public system status: component states only, no internal detail',
          querystring: {
            type: 'object',
            properties: { format: { type: 'string', enum: ['json', 'html'] } },
          },
          response: {
            200: {
              description: 'JSON status; text/html when negotiated',
              content: {
                'application/json': { schema: statusSchema },
                'text/html': { schema: { type: 'string' } },
              },
            },
            ...publicErrors,
          },
        },
      },
      async (request, reply) => {
        const report = await health.run();
        const status = publicStatus(options.serviceName, report.checks);
        reply.header('vary', 'Accept').header('cache-control', 'public, max-age=15');
        if (wantsHtml(request.query.format, request.headers.accept)) {
          return reply.type('text/html; charset=utf-8').send(statusHtml(status));
        }
        return reply.type('application/json; charset=utf-8').send(status);
      },
    );
  }
};
