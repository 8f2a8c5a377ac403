// Job submission and tracking: POST /jobs (202 + id), GET /jobs, GET /jobs/:id, DELETE /jobs/:id.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { cancelJob, submitJob } from '../../../workers/queues.ts';
import { JobRecordSchema } from '../../../store/index.ts';
import { Type } from '@sinclair/typebox';
import { ErrorSchema, JobIdParamsSchema, JobListSchema, ListJobsQuerySchema, SubmitJobBodySchema, SubmittedSchema } from '../schemas.ts';
import { sendError } from '../errors.ts';
import { jobParamsOf } from '../validate-job.ts';
import { DEFAULT_API_KERNELS } from '../kernels.ts';

const JobBatchesSchema = Type.Object({
  items: Type.Array(Type.Object({ index: Type.Integer(), programs: Type.Integer(), agreed: Type.Integer(), byClass: Type.Record(Type.String(), Type.Integer()), busyMs: Type.Integer(), vmRestarts: Type.Integer() })),
});

const jobs: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/jobs',
    {
      schema: {
        summary: 'Submit a campaign or replay job',
        tags: ['jobs'],
        security: [{ bearer: [] }],
        body: SubmitJobBodySchema,
        response: { 202: SubmittedSchema, 400: ErrorSchema, 401: ErrorSchema, 413: ErrorSchema, 415: ErrorSchema, 429: ErrorSchema },
      },
      config: { rateLimit: { max: app.config.jobsPerMinute, timeWindow: '1 minute' } },
    },
    async (req, reply) => {
      const params = jobParamsOf(req.body, app.config.kernels ?? DEFAULT_API_KERNELS);
      const record = await submitJob(app.store, app.queues, params);
      req.log.info({ jobId: record.id, kind: params.kind, kernels: params.kernels, count: params.count, seed: params.seed }, 'job submitted');
      return reply.code(202).header('location', `/jobs/${record.id}`).send({ id: record.id, state: record.state, url: `/jobs/${record.id}`, seed: params.seed });
    },
  );

  app.get(
    '/jobs',
    { schema: { summary: 'List jobs, newest first', tags: ['jobs'], querystring: ListJobsQuerySchema, response: { 200: JobListSchema, 400: ErrorSchema } } },
    async (req) => app.store.listJobs(req.query),
  );

  app.get(
    '/jobs/:id',
    { schema: { summary: 'A job: state, progress, counts, divergences found', tags: ['jobs'], params: JobIdParamsSchema, response: { 200: JobRecordSchema, 400: ErrorSchema, 404: ErrorSchema } } },
    async (req, reply) => {
      const record = await app.store.getJob(req.params.id);
      if (!record) return sendError(reply, 404, `params.id: job ${req.params.id} does not exist`, 'params.id');
      return record;
    },
  );

  app.get(
    '/jobs/:id/batches',
    { schema: { summary: "A job's recorded batches: what each contributed (programs, agreed, classes, time, guest restarts)", tags: ['jobs'], params: JobIdParamsSchema, response: { 200: JobBatchesSchema, 400: ErrorSchema, 404: ErrorSchema } } },
    async (req, reply) => {
      if ((await app.store.jobState(req.params.id)) === undefined) return sendError(reply, 404, `params.id: job ${req.params.id} does not exist`, 'params.id');
      return { items: await app.store.jobBatches(req.params.id) };
    },
  );

  app.delete(
    '/jobs/:id',
    {
      schema: {
        summary: 'Cancel a job (queued batches are dropped; a running batch finishes and is skipped)',
        tags: ['jobs'],
        security: [{ bearer: [] }],
        params: JobIdParamsSchema,
        response: { 200: JobRecordSchema, 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema },
      },
    },
    async (req, reply) => {
      const state = await app.store.jobState(req.params.id);
      if (state === undefined) return sendError(reply, 404, `params.id: job ${req.params.id} does not exist`, 'params.id');
      if (state !== 'queued' && state !== 'running') {
        return sendError(reply, 409, `params.id: job ${req.params.id} is ${state}; only a queued or running job can be cancelled`, 'params.id');
      }
      const record = await cancelJob(app.store, app.queues, req.params.id);
      if (!record) return sendError(reply, 404, `params.id: job ${req.params.id} does not exist`, 'params.id');
      req.log.info({ jobId: record.id, state: record.state }, 'job cancel requested');
      return record;
    },
  );
};

export default jobs;
