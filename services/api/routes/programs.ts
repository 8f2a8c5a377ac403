// POST /programs/check: one program (JSON or assembler text) → the model's outcome under each
// requested kernel's profile, computed here, and each kernel's real outcome from a worker's VM
// pool through the check queue, within a timeout. A check is interactive: its program goes to
// a guest before any campaign batch's; it is rate-limited per client like POST /jobs, and the
// answer names the program in brief instead of sending it back.
import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { parseProgram, programFromAsm, programToJson, type Outcome, type Program } from '../../../core/program/index.ts';
import { compareOutcomes, type FirstDisagreement } from '../../../core/diff/index.ts';
import type { CheckJobData } from '../../../workers/queues.ts';
import { CheckBodySchema, CheckReplySchema, ErrorSchema, type CheckBody } from '../schemas.ts';
import { FieldError, badRequest } from '../errors.ts';
import { checkKernels } from '../validate-job.ts';
import { DEFAULT_API_KERNELS } from '../kernels.ts';
import { CheckTimeoutError, createCheckWaiter } from '../check-waiter.ts';

/** The model's outcome for a program on a kernel's profile (core/model, pure); a RangeError
 *  (whose message names the kernel) for a kernel no profile predicts. */
export type ModelOracle = (program: Program, kernel: string) => Outcome;

function modelOutcomes(model: ModelOracle, program: Program, kernels: readonly string[]): Record<string, Outcome> {
  const out: Record<string, Outcome> = {};
  for (const kernel of kernels) {
    try {
      out[kernel] = model(program, kernel);
    } catch (err) {
      if (err instanceof RangeError) throw badRequest('body.kernels', err.message);
      throw err;
    }
  }
  return out;
}

function programOf(body: CheckBody): Program {
  if (body.program !== undefined) return parseProgram(body.program);
  return programFromAsm(body.asm ?? '');
}

/** Before the schema looks at either: exactly one of `program` and `asm`. */
function exactlyOne(body: unknown): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return; // the schema says what is wrong
  const given = ['program', 'asm'].filter((k) => Object.hasOwn(body, k));
  if (given.length !== 1) {
    throw badRequest('body.program', `give exactly one of program (bpfdiff.program/v1 JSON) or asm (assembler text); ${given.length === 0 ? 'neither was given' : 'both were given'}`);
  }
}

function brief(program: Program): { insns: number; funcs: Array<{ name: string; start: number; args: number; argTypes?: string[] }>; sha256: string } {
  const json = programToJson(program);
  return {
    insns: program.insns.length,
    funcs: program.funcs.map((f) => ({ name: f.name, start: f.start, args: f.args, ...(f.argTypes ? { argTypes: [...f.argTypes] } : {}) })),
    sha256: createHash('sha256').update(json.insns, 'hex').digest('hex'),
  };
}

export function programRoutes(model: ModelOracle): FastifyPluginAsyncTypebox {
  return async (app) => {
    const waiter = createCheckWaiter(app.checkEvents);
    app.addHook('onClose', async () => waiter.close());
    app.post(
      '/programs/check',
      {
        schema: {
          summary: "One program's outcome in the model and on each requested kernel",
          tags: ['programs'],
          security: [{ bearer: [] }],
          body: CheckBodySchema,
          response: { 200: CheckReplySchema, 400: ErrorSchema, 401: ErrorSchema, 413: ErrorSchema, 415: ErrorSchema, 429: ErrorSchema, 504: ErrorSchema },
        },
        config: { rateLimit: { max: app.config.checksPerMinute ?? 60, timeWindow: '1 minute' } },
        preValidation: async (req) => exactlyOne(req.body),
      },
      async (req) => {
        const { kernels } = req.body;
        checkKernels('body.kernels', kernels, app.config.kernels ?? DEFAULT_API_KERNELS);
        const program = programOf(req.body);
        const predicted = modelOutcomes(model, program, kernels);
        const timeoutMs = req.body.timeoutMs ?? app.config.checkTimeoutMs;
        const data: CheckJobData = { program: programToJson(program), kernels };
        // BullMQ: a lower number is served first; checks have their own queue, this orders them among themselves
        const job = await app.queues.check.add('check', data, { attempts: 1, priority: 1, removeOnComplete: { age: 600 }, removeOnFail: { age: 600 } });
        let kernelOutcomes: Record<string, Outcome & { firstDisagreement?: FirstDisagreement }>;
        try {
          kernelOutcomes = (await waiter.wait(app.queues.check, job, timeoutMs)) as Record<string, Outcome & { firstDisagreement?: FirstDisagreement }>;
        } catch (err) {
          if (err instanceof CheckTimeoutError) {
            await job.remove().catch(() => undefined);
            throw new FieldError('body.timeoutMs', 504, `no worker answered within ${timeoutMs} ms (are workers serving the check queue running?)`);
          }
          throw badRequest('body.kernels', (err as Error).message);
        }
        const agree: Record<string, boolean> = {};
        for (const kernel of kernels) agree[kernel] = kernelOutcomes[kernel] !== undefined && compareOutcomes(predicted[kernel], kernelOutcomes[kernel]).length === 0;
        // the worker's second load at level 2, where model and kernel judged differently: a field of its own
        const firstDisagreement: Record<string, FirstDisagreement> = {};
        const outcomes: Record<string, Outcome> = {};
        for (const [kernel, { firstDisagreement: where, ...outcome }] of Object.entries(kernelOutcomes)) {
          outcomes[kernel] = outcome;
          if (where) firstDisagreement[kernel] = where;
        }
        return { program: brief(program), model: predicted, kernels: outcomes, agree, ...(Object.keys(firstDisagreement).length ? { firstDisagreement } : {}) };
      },
    );
  };
}
