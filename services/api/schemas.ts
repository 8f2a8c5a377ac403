// Request and response schemas of the REST API, in TypeBox; route handler types come from
// them (Static<>), and @fastify/swagger turns them into the OpenAPI document at /docs.
import { Type, type Static } from '@sinclair/typebox';
import { ProgramJsonSchema } from '../../core/program/index.ts';
import {
  DivergenceRecordSchema,
  FirstDisagreementSchema,
  JobRecordSchema,
  JobStateSchema,
  JobKindSchema,
  NightlyReportSchema,
  OutcomeSchema,
  TriageStatusSchema,
} from '../../store/index.ts';

export const ErrorSchema = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String(),
  message: Type.String(),
  /** the offending field, `body.kernels[0]` style, on 400 */
  field: Type.Optional(Type.String()),
});

const KernelIdSchema = Type.String({ minLength: 1, maxLength: 64, description: 'a catalog kernel id (6.12, 7.2, 7.3, or one a kernel build registered); never a path' });

export const SubmitJobBodySchema = Type.Object(
  {
    kind: Type.Union([Type.Literal('campaign'), Type.Literal('replay')]),
    kernels: Type.Array(KernelIdSchema, { minItems: 1, maxItems: 16 }),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000, description: 'campaign: programs to generate' })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1 })),
    batchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    generator: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'generator options of core/gen' })),
    guided: Type.Optional(Type.Boolean({ description: 'campaign: coverage guidance, default true (a share of each batch mutates the programs that reached new model rules or reason lines)' })),
    guidedShare: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'campaign, guided: share of each batch made by mutating the campaign corpus (default 0.3)' })),
    corpus: Type.Optional(Type.Boolean()),
    reproducers: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type SubmitJobBody = Static<typeof SubmitJobBodySchema>;

export const JobIdParamsSchema = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' }) });

const Paging = {
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
};

export const ListJobsQuerySchema = Type.Object(
  { state: Type.Optional(JobStateSchema), kind: Type.Optional(JobKindSchema), ...Paging },
  { additionalProperties: false },
);

export const JobListSchema = Type.Object({ total: Type.Integer(), items: Type.Array(JobRecordSchema) });
export const SubmittedSchema = Type.Object({
  id: Type.String(),
  state: JobStateSchema,
  url: Type.String(),
  seed: Type.Optional(Type.Integer({ description: 'campaign: the seed, drawn at submission when none was given' })),
});

export const CheckBodySchema = Type.Object(
  {
    program: Type.Optional(ProgramJsonSchema),
    asm: Type.Optional(Type.String({ minLength: 1, maxLength: 512 * 1024, description: 'assembler text in the kernel log syntax' })),
    kernels: Type.Array(KernelIdSchema, { minItems: 1, maxItems: 8 }),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 300_000 })),
  },
  { additionalProperties: false },
);
export type CheckBody = Static<typeof CheckBodySchema>;

export const CheckReplySchema = Type.Object({
  program: Type.Object(
    {
      insns: Type.Integer({ description: 'instructions' }),
      funcs: Type.Array(Type.Object({ name: Type.String(), start: Type.Integer(), args: Type.Integer(), argTypes: Type.Optional(Type.Array(Type.String())) })),
      sha256: Type.String({ description: 'of the raw instruction bytes' }),
    },
    { description: 'what was checked, in brief: the program itself is not sent back' },
  ),
  model: Type.Record(Type.String(), OutcomeSchema),
  kernels: Type.Record(Type.String(), OutcomeSchema),
  agree: Type.Record(Type.String(), Type.Boolean()),
  firstDisagreement: Type.Optional(Type.Record(Type.String(), FirstDisagreementSchema, { description: 'per kernel whose verdict or reason line the model did not predict: where their beliefs first part ways (from a second load at verifier log level 2)' })),
});

export const DivergenceIdParamsSchema = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{16}$', description: 'divergence id (16 hex digits)' }) });

export const ListDivergencesQuerySchema = Type.Object(
  {
    class: Type.Optional(Type.String({ maxLength: 128 })),
    kernel: Type.Optional(KernelIdSchema),
    status: Type.Optional(TriageStatusSchema),
    text: Type.Optional(Type.String({ maxLength: 256 })),
    job: Type.Optional(Type.String({ maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$', description: 'only the signatures this job saw' })),
    sort: Type.Optional(Type.Union([Type.Literal('count'), Type.Literal('lastSeen')], { default: 'count' })),
    ...Paging,
  },
  { additionalProperties: false },
);

export const DivergenceListSchema = Type.Object({ total: Type.Integer(), items: Type.Array(DivergenceRecordSchema) });

const DisassemblySchema = Type.Array(Type.Object({ index: Type.Integer(), text: Type.String() }));
export const DivergenceDetailSchema = Type.Composite([
  DivergenceRecordSchema,
  Type.Object({
    disassembly: Type.Object({
      example: Type.Optional(DisassemblySchema),
      reduced: Type.Optional(DisassemblySchema),
    }),
    modelTrace: Type.Optional(
      Type.Object(
        {
          of: Type.String({ description: 'reduced or example: the program traced' }),
          profile: Type.String(),
          verdict: Type.String(),
          message: Type.String(),
          lines: Type.Array(Type.Object({ insn: Type.Integer(), frame: Type.Integer(), state: Type.String() })),
          cut: Type.Integer({ description: 'walk steps left out at the start' }),
        },
        { description: "the model's own walk of the program shown first: each instruction with the register state before it, then its verdict and reason" },
      ),
    ),
  }),
]);

export const TriageBodySchema = Type.Object(
  {
    status: Type.Optional(TriageStatusSchema),
    note: Type.Optional(
      Type.Object({ author: Type.String({ minLength: 1, maxLength: 128 }), text: Type.String({ minLength: 1, maxLength: 10_000 }) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ReportDateParamsSchema = Type.Object({ date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' }) });
export const NightlyReportListSchema = Type.Object({ items: Type.Array(NightlyReportSchema) });

export const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  redis: Type.Object({ ok: Type.Boolean(), latencyMs: Type.Optional(Type.Number()), error: Type.Optional(Type.String()) }),
  workers: Type.Array(
    Type.Object({
      id: Type.String(),
      host: Type.String(),
      queues: Type.Array(Type.String()),
      at: Type.String(),
      pools: Type.Record(
        Type.String(),
        Type.Object({
          size: Type.Integer(),
          busy: Type.Integer(),
          restarts: Type.Integer(),
          coldBoots: Type.Optional(Type.Integer({ description: 'guests started by booting the kernel' })),
          restores: Type.Optional(Type.Integer({ description: 'guests started from a snapshot of a booted guest' })),
        }),
      ),
    }),
  ),
  queues: Type.Record(Type.String(), Type.Record(Type.String(), Type.Integer())),
});
