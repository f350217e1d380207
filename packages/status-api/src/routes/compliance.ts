/** GDPR/CCPA compliance report as JSON or CSV. */
import type { FastifyPluginAsync } from 'fastify';
import { complianceCsv, complianceReport } from '../metrics/reports.ts';
import { type Period, periods } from '../metrics/source.ts';
import { complianceSchema, paths, problemSchema, protectedErrors } from './schemas.ts';

export const complianceRoutes: FastifyPluginAsync = async (app) => {
  const { authorize, kpis, options } = app.monitoring;
  for (const { url, hide } of paths('/compliance/report/')) {
    app.get<{ Querystring: { period: Period; format?: 'json' | 'csv' } }>(
      url,
      {
        onRequest: authorize.read,
        schema: {
          hide,
          tags: ['compliance'],
          summary: 'Compliance report: DSRs by type and status, overdue, median completion, audit, retention',
          security: [{ bearerAuth: [] }],
          querystring: {
            type: 'object',
            properties: {
              period: { type: 'string', enum: [...periods], default: '30d' },
              format: {
                type: 'string',
                enum: ['json', 'csv'],
                description: 'Default: from Accept (text/csv), else json',
              },
            },
          },
          response: {
            200: {
              description: 'JSON report, or CSV (text/csv)',
              content: {
                'application/json': { schema: complianceSchema },
                'text/csv': { schema: { type: 'string' } },
              },
            },
            502: problemSchema,
            503: problemSchema,
            ...protectedErrors,
          },
        },
      },
      async (request, reply) => {
        const report = await complianceReport(kpis, request.query.period, options.retention);
        const csv = request.query.format
          ? request.query.format === 'csv'
          : (request.headers.accept ?? '').includes('text/csv');
        if (csv) {
          return reply
            .type('text/csv; charset=utf-8')
            .header(
              'content-disposition',
              `attachment; filename="compliance-report-${request.query.period}.csv"`,
            )
            .send(complianceCsv(report));
        }
        return reply.type('application/json; charset=utf-8').send(report);
      },
    );
  }
};
