// POST /programs/check: one program (JSON or assembler text) → the model's outcome under each
// requested kernel's profile, computed here, and each kernel's real outcome from a worker's VM
// pool through the check queue, within a timeout.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { parseProgram, programToJson, type Outcome, type Program } from '../../../core/program/index.ts';
import { assemble } from '../../../core/isa/index.ts';
import type { CheckJobData } from '../../../workers/index.ts';
import { CheckBodySchema, CheckReplySchema, ErrorSchema, type CheckBody } from '../schemas.ts';
import { FieldError, badRequest } from '../errors.ts';

/** The model's outcome for a program on a kernel's profile (core/model, pure). */
export type ModelOracle = (program: Program, kernel: string) => Outcome;

function programOf(body: CheckBody): Program {
  if (body.program !== undefined && body.asm !== undefined) throw badRequest('body', 'give either program or asm, not both');
  if (body.program !== undefined) return parseProgram(body.program);
  if (body.asm !== undefined) {
    const assembled = assemble(body.asm);
    if (assembled.funcs.length === 0) assembled.funcs.push({ name: 'main', start: 0, args: 1, linkage: 'static' });
    return parseProgram(
      programToJson({ progType: assembled.progType ?? 'sched_cls', insns: assembled.insns, funcs: assembled.funcs, maps: assembled.maps, input: assembled.input ?? new Uint8Array(64) }),
    );
  }
  throw badRequest('body.program', 'a program (bpfdiff.program/v1 JSON) or asm (assembler text) is required');
}

/** Same verdict, errno, and on accept the same retval: what a user means by "agree". */
function agrees(model: Outcome, kernel: Outcome): boolean {
  if (model.verdict !== kernel.verdict || model.errno !== kernel.errno) return false;
  return model.verdict !== 'accept' || model.retval === undefined || model.retval === kernel.retval;
}

export function programRoutes(model: ModelOracle): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/programs/check',
      {
        schema: {
          summary: "One program's outcome in the model and on each requested kernel",
          tags: ['programs'],
          security: [{ bearer: [] }],
          body: CheckBodySchema,
          response: { 200: CheckReplySchema, 400: ErrorSchema, 401: ErrorSchema, 504: ErrorSchema },
        },
      },
      async (req) => {
        const program = programOf(req.body);
        const { kernels } = req.body;
        const modelOutcomes: Record<string, Outcome> = {};
        for (const kernel of kernels) modelOutcomes[kernel] = model(program, kernel);
        const timeoutMs = req.body.timeoutMs ?? app.config.checkTimeoutMs;
        const data: CheckJobData = { program: programToJson(program), kernels };
        const job = await app.queues.check.add('check', data, { attempts: 1, removeOnComplete: { age: 600 }, removeOnFail: { age: 600 } });
        let kernelOutcomes: Record<string, Outcome>;
        try {
          kernelOutcomes = (await job.waitUntilFinished(app.checkEvents, timeoutMs)) as Record<string, Outcome>;
        } catch (err) {
          const message = (err as Error).message;
          if (/timed out/i.test(message)) {
            await job.remove().catch(() => undefined);
            throw new FieldError('body.timeoutMs', 504, `no worker answered within ${timeoutMs} ms (are workers serving the check queue running?)`);
          }
          throw badRequest('body.kernels', message);
        }
        const agree: Record<string, boolean> = {};
        for (const kernel of kernels) agree[kernel] = kernelOutcomes[kernel] !== undefined && agrees(modelOutcomes[kernel], kernelOutcomes[kernel]);
        return { program: programToJson(program), model: modelOutcomes, kernels: kernelOutcomes, agree };
      },
    );
  };
}
