// Triage: GET /divergences (filters, paging, sort), GET /divergences/:id (with programs,
// outcomes and disassembly), PATCH /divergences/:id (status, note).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { disassemble, rawFromHex } from '../../../core/isa/index.ts';
import {
  DivergenceIdParamsSchema,
  DivergenceDetailSchema,
  DivergenceListSchema,
  ErrorSchema,
  ListDivergencesQuerySchema,
  TriageBodySchema,
} from '../schemas.ts';
import { DivergenceRecordSchema } from '../../../store/index.ts';

const notFound = (id: string) => ({ statusCode: 404, error: 'Not Found', message: `divergence ${id} does not exist` });

const divergences: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/divergences',
    { schema: { summary: 'Divergences, deduplicated by signature', tags: ['divergences'], querystring: ListDivergencesQuerySchema, response: { 200: DivergenceListSchema, 400: ErrorSchema } } },
    async (req) => app.store.listDivergences(req.query),
  );

  app.get(
    '/divergences/:id',
    { schema: { summary: 'One divergence with its programs, outcomes and disassembly', tags: ['divergences'], params: DivergenceIdParamsSchema, response: { 200: DivergenceDetailSchema, 400: ErrorSchema, 404: ErrorSchema } } },
    async (req, reply) => {
      const record = await app.store.getDivergence(req.params.id);
      if (!record) return reply.code(404).send(notFound(req.params.id));
      const example = record.examples[0]?.program;
      const reduced = record.reduced?.program;
      return {
        ...record,
        disassembly: {
          example: example ? disassemble(rawFromHex(example.insns)) : undefined,
          reduced: reduced ? disassemble(rawFromHex(reduced.insns)) : undefined,
        },
      };
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
