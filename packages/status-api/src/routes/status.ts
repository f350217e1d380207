/**
 * The public status: `/status/` (JSON component states, or the HTML page for browsers),
 * `/status/summary.json` and `/status/status.json` (Statuspage's public API shape) and
 * `/status/feed.atom` (incidents). No key; nothing internal. Every answer carries Cache-Control
 * and a weak ETag of its content (the timestamp left out), and answers 304 to If-None-Match.
 */
import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { publicStatus } from '../health/status-page.ts';
import type { HealthReport } from '../health/types.ts';
import { atomFeed, statusJson, summaryJson } from '../status-page/feeds.ts';
import { statusPageHtml } from '../status-page/html.ts';
import { buildPageModel, type PageModel } from '../status-page/model.ts';
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

const open = { type: 'object', additionalProperties: true } as const;
const CACHE_CONTROL = 'public, max-age=15';

/** HTML when asked for with `?format=html`, or when the Accept header prefers text/html over JSON. */
function wantsHtml(format: string | undefined, accept: string | undefined): boolean {
  if (format) return format === 'html';
  if (!accept) return false;
  const html = accept.indexOf('text/html');
  if (html === -1) return false;
  const json = accept.indexOf('application/json');
  return json === -1 || html < json;
}

/** Weak ETag of the content without its time of rendering (equivalent content, same tag). */
function etag(kind: string, content: unknown): string {
  const hash = createHash('sha256')
    .update(kind)
    .update(JSON.stringify(content, (k, v) => (k === 'updatedAt' || k === 'updated_at' ? undefined : v)))
    .digest('base64url')
    .slice(0, 27);
  return `W/"${hash}"`;
}

/** Sets the caching headers; true when the client's copy is current (the reply is sent as 304). */
function notModified(request: FastifyRequest, reply: FastifyReply, tag: string): boolean {
  reply.header('cache-control', CACHE_CONTROL).header('etag', tag);
  const match = request.headers['if-none-match'];
  if (!match) return false;
  const tags = match.split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (tags.includes('*') || tags.includes(tag.replace(/^W\//, ''))) {
    reply.code(304).send();
    return true;
  }
  return false;
}

export const statusRoutes: FastifyPluginAsync = async (app) => {
  const { health, options, statusPage } = app.monitoring;
  const base = `${app.prefix}/status/`;

  /** The page's state; without a store (or when it fails) the present only, as before. */
  async function model(report: HealthReport, request: FastifyRequest): Promise<PageModel> {
    const now = new Date();
    if (statusPage) {
      try {
        await statusPage.history.record(report.checks, now, 'live');
        return await statusPage.model(options.serviceName, report, now);
      } catch (err) {
        request.log.warn({ err }, 'status history unavailable; showing current states only');
      }
    }
    return buildPageModel({
      name: options.serviceName,
      checks: report.checks,
      history: [],
      incidents: [],
      days: statusPage?.days ?? 90,
      now,
    });
  }
  // Path-only links unless a public URL is configured: never echo the request's Host header
  // (a CDN would cache whatever a client sent).
  const pageUrl = statusPage?.publicUrl ?? base;

  for (const { url, hide } of paths('/status/')) {
    app.get<{ Querystring: { format?: 'json' | 'html' } }>(
      url,
      {
        schema: {
          hide,
          tags: ['status'],
          summary: 'Public system status: component states only, no internal detail (HTML page for browsers)',
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
            304: { description: 'Not modified (If-None-Match)', type: 'null' },
            ...publicErrors,
          },
        },
      },
      async (request, reply) => {
        const report = await health.run();
        reply.header('vary', 'Accept');
        if (wantsHtml(request.query.format, request.headers.accept)) {
          const m = await model(report, request);
          if (notModified(request, reply, etag('html', m))) return reply;
          return reply
            .type('text/html; charset=utf-8')
            .send(statusPageHtml(m, { atom: `${pageUrl}feed.atom`, summary: `${pageUrl}summary.json` }));
        }
        if (statusPage) {
          await statusPage.history.record(report.checks, new Date(), 'live').catch((err: unknown) => {
            request.log.warn({ err }, 'status history unavailable');
          });
        }
        const status = publicStatus(options.serviceName, report.checks);
        if (notModified(request, reply, etag('json', status))) return reply;
        return reply.type('application/json; charset=utf-8').send(status);
      },
    );
  }

  const feeds: Array<{
    file: string;
    summary: string;
    type: string;
    body: (m: PageModel, page: string) => unknown;
  }> = [
    {
      file: 'summary.json',
      summary: 'Statuspage-compatible summary (page, components, open incidents, maintenance, indicator)',
      type: 'application/json; charset=utf-8',
      body: (m, page) => summaryJson(m, page),
    },
    {
      file: 'status.json',
      summary: 'Statuspage-compatible status indicator',
      type: 'application/json; charset=utf-8',
      body: (m, page) => statusJson(m, page),
    },
    {
      file: 'feed.atom',
      summary: 'Atom feed of incidents and maintenance',
      type: 'application/atom+xml; charset=utf-8',
      body: (m, page) => atomFeed(m, page, `${page}feed.atom`),
    },
  ];
  for (const feed of feeds) {
    app.get(`/status/${feed.file}`, {
      schema: {
        tags: ['status'],
        summary: feed.summary,
        response: {
          200: feed.file.endsWith('.json') ? open : { type: 'string' },
          304: { description: 'Not modified (If-None-Match)', type: 'null' },
          ...publicErrors,
        },
      },
      handler: async (request, reply) => {
        const m = await model(await health.run(), request);
        if (notModified(request, reply, etag(feed.file, m))) return reply;
        const body = feed.body(m, pageUrl);
        return reply.type(feed.type).send(typeof body === 'string' ? body : JSON.stringify(body));
      },
    });
  }
};
