// Triage: GET /divergences (filters, paging, sort), GET /divergences/summary (counts and the
// kernel matrix for the dashboard's overview), GET /divergences/:id (with programs, outcomes
// and disassembly), PATCH /divergences/:id (status, note).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { disassemble, rawFromHex } from '../../../core/isa/index.ts';
import { resolveProfile, traceModel } from '../../../core/model/index.ts';
import { parseProgram } from '../../../core/program/index.ts';
import {
  DivergenceIdParamsSchema,
  DivergenceDetailSchema,
  DivergenceListSchema,
  ErrorSchema,
  ListDivergencesQuerySchema,
  TriageBodySchema,
} from '../schemas.ts';
import { errorBody } from '../errors.ts';
import { DivergenceRecordSchema, LastReplaySchema, TriageStatusSchema, findingSelftest } from '../../../store/index.ts';
import { NoExpectationError } from '../../../core/selftests/finding.ts';
import { SelftestExportError } from '../../../core/selftests/export.ts';

const SelftestExportSchema = Type.Object({
  selftest: Type.String({ description: 'C source of one test in tools/testing/selftests/bpf/progs/verifier_*.c style' }),
  expected: Type.Object({ verdict: Type.String(), msg: Type.Optional(Type.String()), retval: Type.Optional(Type.Integer()) }),
  basis: Type.String({ description: "kernel: the annotation is the real kernel's outcome; model: the kernel crashed or hung, the annotation is the model's prediction of a fixed kernel" }),
  commitMessage: Type.Optional(Type.String()),
});

/** Every signature without its programs: what an overview needs, a fraction of the bytes. */
const DivergenceSummarySchema = Type.Object({
  total: Type.Integer(),
  byClass: Type.Record(Type.String(), Type.Integer(), { description: 'signatures per class' }),
  byStatus: Type.Record(Type.String(), Type.Integer(), { description: 'signatures per triage status' }),
  kernels: Type.Array(Type.String(), { description: 'every kernel id any signature was seen on, sorted' }),
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      class: Type.String(),
      detail: Type.String(),
      mutation: Type.Optional(Type.String()),
      status: TriageStatusSchema,
      count: Type.Integer(),
      kernels: Type.Array(Type.String()),
      firstSeen: Type.String(),
      lastSeen: Type.String(),
      lastReplay: Type.Optional(LastReplaySchema),
    }),
    { description: 'by count, highest first' },
  ),
});

const notFound = (id: string) => errorBody(404, `params.id: divergence ${id} does not exist`, 'params.id');

const divergences: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/divergences',
    { schema: { summary: 'Divergences, deduplicated by signature', tags: ['divergences'], querystring: ListDivergencesQuerySchema, response: { 200: DivergenceListSchema, 400: ErrorSchema } } },
    async (req) => app.store.listDivergences(req.query),
  );

  app.get(
    '/divergences/summary',
    { schema: { summary: 'Counts by class and status, and every signature with the kernels it was seen on (no programs)', tags: ['divergences'], response: { 200: DivergenceSummarySchema } } },
    async () => {
      const all = await app.store.listDivergences({ sort: 'count', limit: Number.MAX_SAFE_INTEGER });
      const byClass: Record<string, number> = {};
      const byStatus: Record<string, number> = {};
      const kernels = new Set<string>();
      const items = all.items.map((d) => {
        byClass[d.class] = (byClass[d.class] ?? 0) + 1;
        byStatus[d.status] = (byStatus[d.status] ?? 0) + 1;
        for (const k of d.kernels) kernels.add(k);
        const { id, class: cls, detail, mutation, status, count, kernels: seenOn, firstSeen, lastSeen, lastReplay } = d;
        return { id, class: cls, detail, mutation, status, count, kernels: seenOn, firstSeen, lastSeen, lastReplay };
      });
      return { total: all.total, byClass, byStatus, kernels: [...kernels].sort(), items };
    },
  );

  app.get(
    '/divergences/:id',
    { schema: { summary: 'One divergence with its programs, outcomes and disassembly', tags: ['divergences'], params: DivergenceIdParamsSchema, response: { 200: DivergenceDetailSchema, 400: ErrorSchema, 404: ErrorSchema } } },
    async (req, reply) => {
      const record = await app.store.getDivergence(req.params.id);
      if (!record) return reply.code(404).send(notFound(req.params.id));
      const example = record.examples[0]?.program;
      const reduced = record.reduced?.program;
      const traced = reduced ?? example;
      const profile = resolveProfile(record.profile.split('~')[0]);
      let modelTrace;
      if (traced && profile) {
        const t = traceModel(parseProgram(traced), profile);
        modelTrace = { of: reduced ? 'reduced' : 'example', profile: profile.id, verdict: t.outcome.verdict, message: t.outcome.message || t.outcome.unknown || '', lines: t.lines, cut: t.cut };
      }
      return {
        ...record,
        modelTrace,
        disassembly: {
          example: example ? disassemble(rawFromHex(example.insns)) : undefined,
          reduced: reduced ? disassemble(rawFromHex(reduced.insns)) : undefined,
        },
      };
    },
  );

  app.get(
    '/divergences/:id/selftest',
    {
      schema: {
        summary: "The finding's reproducer as a kernel selftest (progs/verifier_*.c style) and a commit message skeleton",
        tags: ['divergences'],
        params: DivergenceIdParamsSchema,
        response: { 200: SelftestExportSchema, 400: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema },
      },
    },
    async (req, reply) => {
      const record = await app.store.getDivergence(req.params.id);
      if (!record) return reply.code(404).send(notFound(req.params.id));
      const job = await app.store.getJob(record.firstJob);
      try {
        return findingSelftest(record, { seed: job?.params.seed });
      } catch (err) {
        if (err instanceof NoExpectationError || err instanceof SelftestExportError || err instanceof RangeError) {
          return reply.code(422).send(errorBody(422, `params.id: divergence ${record.id} has no selftest form: ${err.message}`, 'params.id'));
        }
        throw err;
      }
    },
  );

  app.patch(
    '/divergences/:id',
    {
      schema: {
        summary: 'Triage: set the status and/or add a note',
        tags: ['divergences'],
        security: [{ bearer: [] }],
        params: DivergenceIdParamsSchema,
        body: TriageBodySchema,
        response: { 200: DivergenceRecordSchema, 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req, reply) => {
      const record = await app.store.triageDivergence(req.params.id, req.body);
      if (!record) return reply.code(404).send(notFound(req.params.id));
      req.log.info({ divergenceId: record.id, status: req.body.status, note: req.body.note !== undefined }, 'divergence triaged');
      return record;
    },
  );
};

export default divergences;
