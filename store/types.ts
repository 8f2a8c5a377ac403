// The records bpfdiff keeps in Redis: jobs with their counts, divergences deduplicated by
// signature, nightly reports. Written once as TypeBox schemas: the store's types are derived
// from them, and the API serves them as its response schemas and OpenAPI documentation.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ProgramJsonSchema, type Outcome } from '../core/program/index.ts';
import type { Finding, Reduction } from '../core/diff/index.ts';

export type { Finding, Reduction };

function literals<T extends readonly string[]>(values: T) {
  return Type.Unsafe<T[number]>(Type.Union(values.map((v) => Type.Literal(v))));
}
const Optional = <T extends TSchema>(schema: T) => Type.Optional(schema);
const Counts = Type.Record(Type.String(), Type.Integer());

const JOB_KINDS = ['campaign', 'replay', 'nightly'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
const JOB_STATES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];
const TRIAGE_STATUSES = ['new', 'confirmed-kernel-bug', 'model-bug', 'fixed', 'wontfix'] as const;
export type TriageStatus = (typeof TRIAGE_STATUSES)[number];

export const JobKindSchema = literals(JOB_KINDS);
export const JobStateSchema = literals(JOB_STATES);
export const TriageStatusSchema = literals(TRIAGE_STATUSES);

/** An Outcome as docs/ARCHITECTURE.md describes it; fields beyond these pass through unchanged. */
export const OutcomeSchema = Type.Unsafe<Outcome>(
  Type.Object(
    {
      verdict: Type.String(),
      errno: Type.Integer(),
      message: Type.String(),
      kernel: Type.String(),
      report: Optional(Type.String()),
      retval: Optional(Type.Number()),
      console: Optional(Type.String()),
      unknown: Optional(Type.String()),
      log: Optional(Type.String({ description: 'the verifier log (level 1), bounded; a cut says so in a line of its own' })),
    },
    { additionalProperties: true },
  ),
);

/** What a user asked for; the generator options go to core/gen unchanged. */
const JobParamsSchema = Type.Object({
  kind: JobKindSchema,
  kernels: Type.Array(Type.String()),
  count: Optional(Type.Integer({ description: 'campaign: number of programs' })),
  seed: Optional(Type.Integer()),
  batchSize: Optional(Type.Integer({ description: 'campaign: programs per batch job, the unit of retry and distribution' })),
  generator: Optional(Type.Record(Type.String(), Type.Unknown())),
  corpus: Optional(Type.Boolean({ description: 'replay: run every program file under corpus/' })),
  reproducers: Optional(Type.Boolean({ description: 'replay: run every stored reproducer' })),
  nightly: Optional(Type.String({ description: 'the nightly run (date) that started this job' })),
  guided: Optional(Type.Boolean({ description: 'campaign: coverage guidance (a share of each batch mutates the programs that reached new model rules or reason lines); absent in jobs stored before it existed: unguided' })),
  guidedShare: Optional(Type.Number({ minimum: 0, maximum: 1, description: 'campaign, guided: share of each batch made by mutating the campaign corpus' })),
});
export type JobParams = Static<typeof JobParamsSchema>;

const JobCountsSchema = Type.Object({
  batchesTotal: Type.Integer(),
  batchesDone: Type.Integer(),
  programs: Type.Integer(),
  agreed: Type.Integer(),
  divergences: Type.Integer(),
  newSignatures: Type.Integer({ description: 'signatures this job saw first' }),
  byClass: Counts,
  busyMs: Type.Integer({ description: 'summed wall time of the batches' }),
});
export type JobCounts = Static<typeof JobCountsSchema>;

const ReplayEntrySchema = Type.Object({
  source: Type.String({ description: '`corpus:<path>` or `divergence:<id>`' }),
  kernel: Type.String(),
  reproduced: Type.Boolean(),
  signature: Optional(Type.String()),
  detail: Optional(Type.String()),
});
export type ReplayEntry = Static<typeof ReplayEntrySchema>;

const ReplaySummarySchema = Type.Object({
  entries: Type.Array(ReplayEntrySchema),
  reproduced: Type.Integer(),
  notReproduced: Type.Integer(),
});
export type ReplaySummary = Static<typeof ReplaySummarySchema>;

/** A campaign's coverage: model rules hit of the rules in the model, distinct reject reason lines. */
const CoverageSchema = Type.Object({
  rulesHit: Type.Integer({ description: 'model rules (core/model/coverage.ts) the campaign exercised' }),
  rulesTotal: Type.Integer({ description: 'rules in the model' }),
  reasonLines: Type.Integer({ description: 'distinct kernel reject reason lines (numbers normalised)' }),
  modelReasonLines: Type.Integer({ description: 'distinct model reject reason lines' }),
  mutated: Optional(Type.Integer({ description: 'programs made by mutating the campaign corpus' })),
  corpusSize: Optional(Type.Integer()),
});

/** What the soundness oracle checked in a job (core/diff/soundness-stage.ts): the sample of programs model and kernel accepted alike, loaded again at log level 2. */
const SoundnessSchema = Type.Object({
  programs: Type.Integer({ description: '(program, kernel) pairs loaded again at log level 2 and compared with the interpreter' }),
  values: Type.Integer({ description: "register values compared with the kernel's beliefs" }),
  complete: Type.Integer({ description: 'pairs followed to the end of the run (past pruning points, into the walks that covered them)' }),
});

export const JobRecordSchema = Type.Object({
  id: Type.String(),
  kind: JobKindSchema,
  params: JobParamsSchema,
  state: JobStateSchema,
  createdAt: Type.String(),
  startedAt: Optional(Type.String()),
  finishedAt: Optional(Type.String()),
  error: Optional(Type.String()),
  counts: JobCountsSchema,
  replay: Optional(ReplaySummarySchema),
  divergenceIds: Optional(Type.Array(Type.String())),
  coverage: Optional(CoverageSchema),
  soundness: Optional(SoundnessSchema),
});
export type JobRecord = Static<typeof JobRecordSchema>;

/** core/diff FirstDisagreement: where the model's beliefs and the kernel's level-2 log first part ways */
export const FirstDisagreementSchema = Type.Object(
  {
    kind: Type.Union([Type.Literal('state'), Type.Literal('walk'), Type.Literal('end')], { description: 'state: a register differs; walk: the walks part ways first; end: one walk ended with every shared state equal' }),
    insn: Type.Integer({ description: 'the instruction before which the states differ, or the last one both walked' }),
    step: Type.Integer({ description: "position in the kernel's walk order" }),
    modelStep: Optional(Type.Integer({ description: "position in the model's walk order (state differences)" })),
    agreedSteps: Type.Integer(),
    reg: Optional(Type.Integer()),
    field: Optional(Type.String({ description: 'type, off, smin ... umax32, var_off' })),
    model: Optional(Type.String()),
    kernel: Optional(Type.String()),
    text: Type.String({ description: '`model and kernel first disagree at insn 37: R3 umax 255 vs 511`' }),
  },
  { description: 'verdict and reason divergences: the program loaded once more at verifier log level 2, its states aligned with the model walk' },
);

const DivergenceExampleSchema = Type.Object({
  jobId: Type.String(),
  kernel: Type.String(),
  program: ProgramJsonSchema,
  model: OutcomeSchema,
  actual: OutcomeSchema,
  firstDisagreement: Optional(FirstDisagreementSchema),
});
export type DivergenceExample = Static<typeof DivergenceExampleSchema>;

/** A Reduction (core/diff): the smallest program found that still shows the signature. */
const ReductionSchema = Type.Unsafe<Reduction>(
  Type.Object({
    program: ProgramJsonSchema,
    kernel: Type.String(),
    originalInsns: Type.Integer(),
    reducedInsns: Type.Integer(),
    checks: Optional(Type.Integer({ description: 'candidate checks the reduction took' })),
    steps: Optional(Type.Array(Type.String())),
    model: Optional(OutcomeSchema),
    actual: Optional(OutcomeSchema),
    logLevel2: Optional(Type.String({ description: 'the verifier log of the reduced program at level 2 (every state) on the first kernel, bounded; up to the crash for a crash' })),
    firstDisagreement: Optional(FirstDisagreementSchema),
  }),
);

const ReduceProgressSchema = Type.Object({
  checks: Type.Integer({ description: 'candidate checks done' }),
  maxChecks: Type.Integer(),
  insns: Type.Integer({ description: 'size of the smallest program that still shows the divergence' }),
  originalInsns: Type.Integer(),
  step: Type.String({ description: 'the last accepted step' }),
  startedAt: Type.String(),
  at: Type.String(),
});
export type ReduceProgress = Static<typeof ReduceProgressSchema>;

const TriageNoteSchema = Type.Object({ author: Type.String(), text: Type.String(), at: Type.String() });
export type TriageNote = Static<typeof TriageNoteSchema>;

export const LastReplaySchema = Type.Object({ at: Type.String(), reproduced: Type.Boolean(), kernel: Type.String() });
export type LastReplay = Static<typeof LastReplaySchema>;

export const DivergenceRecordSchema = Type.Object({
  id: Type.String(),
  signature: Type.String(),
  class: Type.String(),
  profile: Type.String(),
  mutation: Optional(Type.String()),
  detail: Type.String(),
  firstSeen: Type.String(),
  lastSeen: Type.String(),
  firstJob: Type.String(),
  lastJob: Type.String(),
  count: Type.Integer(),
  status: TriageStatusSchema,
  kernels: Type.Array(Type.String()),
  examples: Type.Array(DivergenceExampleSchema),
  reduced: Optional(ReductionSchema),
  reduceProgress: Optional(ReduceProgressSchema),
  notes: Type.Array(TriageNoteSchema),
  lastReplay: Optional(LastReplaySchema),
});
export type DivergenceRecord = Static<typeof DivergenceRecordSchema>;

/** What one batch contributes (a BatchResult's counts and findings); recorded once per (job, batch) however often it runs. */
export interface BatchRecord {
  programs: number;
  agreed: number;
  /** divergences per class; classes with none may be left out */
  byClass: Partial<Record<string, number>>;
  busyMs: number;
  vmRestarts: number;
  divergences: Finding[];
  /** what the soundness oracle checked in this batch, when it ran */
  soundness?: { programs: number; values: number; complete: number };
}

export const NightlyReportSchema = Type.Object({
  date: Type.String({ description: 'YYYY-MM-DD (UTC) of the run' }),
  startedAt: Type.String(),
  finishedAt: Type.String(),
  cron: Type.String(),
  kernels: Type.Array(Type.String()),
  jobs: Type.Array(Type.String()),
  newSignatures: Type.Array(Type.String(), { description: 'divergence ids first seen by this run' }),
  seenAgain: Type.Array(Type.String(), { description: 'known divergence ids that showed again' }),
  notReproduced: Type.Array(Type.String(), { description: 'stored reproducers that no longer reproduce: candidate fixes' }),
  programs: Type.Integer(),
  programsPerSecond: Type.Number(),
  divergences: Type.Integer(),
  coverage: Optional(
    Type.Array(Type.Intersect([Type.Object({ kernel: Type.String(), jobId: Type.String() }), CoverageSchema]), { description: "each campaign's coverage (one per kernel); absent in reports written before coverage was recorded" }),
  ),
});
export type NightlyReport = Static<typeof NightlyReportSchema>;
