// Nightly regression reports: the list, newest first, and one night's by date.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NightlyReportSchema } from '../../../store/index.ts';
import { sendError } from '../errors.ts';
import { checkDate } from '../validate-job.ts';
import { ErrorSchema, NightlyReportListSchema, ReportDateParamsSchema } from '../schemas.ts';

const reports: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/reports/nightly',
    { schema: { summary: 'Nightly reports, newest first', tags: ['reports'], response: { 200: NightlyReportListSchema } } },
    async () => ({ items: await app.store.listNightlyReports() }),
  );
  app.get(
    '/reports/nightly/:date',
    { schema: { summary: "One night's report", tags: ['reports'], params: ReportDateParamsSchema, response: { 200: NightlyReportSchema, 400: ErrorSchema, 404: ErrorSchema } } },
    async (req, reply) => {
      checkDate('params.date', req.params.date);
      const report = await app.store.getNightlyReport(req.params.date);
      if (!report) return sendError(reply, 404, `params.date: no nightly report for ${req.params.date}`, 'params.date');
      return report;
    },
  );
};

export default reports;
