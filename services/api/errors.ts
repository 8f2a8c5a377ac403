// The API's one error handler and the errors routes throw. A 400 names the field
// (`body.kernels[0]: must be string`); a 5xx says nothing of internals, only the request id.
import type { FastifyError, FastifyInstance } from 'fastify';
import { ProgramFormatError } from '../../core/program/index.ts';
import { AsmError } from '../../core/isa/index.ts';

export class FieldError extends Error {
  override name = 'FieldError';
  constructor(
    readonly field: string,
    readonly statusCode: number,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

export function badRequest(field: string, problem: string): FieldError {
  return new FieldError(field, 400, problem);
}

interface AjvIssue {
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** `/kernels/0` in `body` → `body.kernels[0]`; a missing or extra property is named too. */
export function fieldOfValidation(context: string, issue: AjvIssue): string {
  const parts = issue.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  const extra = issue.params?.missingProperty ?? issue.params?.additionalProperty;
  if (typeof extra === 'string') parts.push(extra);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : `${acc}.${p}`), context);
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.validation && err.validation.length > 0) {
      const issue = err.validation[0] as AjvIssue;
      const field = fieldOfValidation(err.validationContext ?? 'body', issue);
      const extra = issue.params?.additionalProperty ? 'is not a known field' : issue.params?.missingProperty ? 'is required' : (issue.message ?? 'is invalid');
      req.log.info({ field }, 'request rejected by schema');
      return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: `${field}: ${extra}`, field });
    }
    if (err instanceof FieldError) {
      return reply.code(err.statusCode).send({ statusCode: err.statusCode, error: err.statusCode === 400 ? 'Bad Request' : 'Error', message: err.message, field: err.field });
    }
    if (err instanceof ProgramFormatError) {
      const field = err.field === '' ? 'body.program' : `body.program.${err.field}`;
      return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: `${field}: ${err.issues[0].problem}`, field });
    }
    if (err instanceof AsmError) {
      return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: `body.asm: ${err.message}`, field: 'body.asm' });
    }
    const status = err.statusCode ?? 500;
    if (status < 500) {
      return reply.code(status).send({ statusCode: status, error: err.name || 'Error', message: err.message });
    }
    req.log.error({ err }, 'request failed');
    return reply.code(status).send({ statusCode: status, error: 'Internal Server Error', message: `internal error; the server log has it under request id ${req.id}` });
  });
}
