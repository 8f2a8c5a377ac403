// The API's one error handler and the errors routes throw. Every 4xx body is
// `{statusCode, error, message, field}`: `error` is the HTTP status text, `message` starts with
// the field (`body.kernels[0]: must be string`), and `field` names what to fix: a body field, a
// query or path parameter, `content-type`, `authorization`, or `body` itself. A 5xx says
// nothing of internals, only the request id.
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
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

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  field?: string;
}

export function errorBody(statusCode: number, message: string, field?: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, ...(field === undefined ? {} : { field }) };
}

export function sendError(reply: FastifyReply, statusCode: number, message: string, field?: string): FastifyReply {
  return reply.code(statusCode).send(errorBody(statusCode, message, field));
}

interface AjvIssue {
  instancePath: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
  data?: unknown;
  parentSchema?: { properties?: Record<string, unknown> };
}

/** `/kernels/0` in `body` → `body.kernels[0]`; a missing or extra property is named too. */
function fieldOfValidation(context: string, issue: AjvIssue): string {
  const parts = issue.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  const extra = issue.params?.missingProperty ?? issue.params?.additionalProperty;
  if (typeof extra === 'string') parts.push(extra);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : `${acc}.${p}`), context);
}

const shown = (v: unknown): string => (typeof v === 'string' ? `"${v.length > 64 ? `${v.slice(0, 64)}...` : v}"` : (JSON.stringify(v) ?? String(v)).slice(0, 64));

/** One readable problem from Ajv's issues: allowed values of an enum, the known fields, the value given. */
function problemOfValidation(issues: AjvIssue[]): string {
  const first = issues[0];
  if (first.params?.additionalProperty !== undefined) {
    const known = Object.keys(first.parentSchema?.properties ?? {});
    return known.length > 0 ? `is not a known field; expected some of ${known.join(', ')}` : 'is not a known field';
  }
  if (first.params?.missingProperty !== undefined) return 'is required';
  const same = issues.filter((i) => i.instancePath === first.instancePath);
  const allowed = same.flatMap((i) => (i.keyword === 'const' ? [i.params?.allowedValue] : i.keyword === 'enum' ? ((i.params?.allowedValues as unknown[]) ?? []) : []));
  if (allowed.length > 0) return `expected one of ${allowed.map(String).join(', ')}, got ${shown(first.data)}`;
  const got = 'data' in first && typeof first.data !== 'object' ? `, got ${shown(first.data)}` : '';
  return `${first.message ?? 'is invalid'}${got}`;
}

/** Fastify's own client errors as the field they are about and a sentence a user can act on. */
function fastifyClientError(err: FastifyError, bodyLimit: number | undefined, contentType: string | undefined): { status: number; field: string; problem: string } | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, field: 'body', problem: `larger than the limit of ${bodyLimit ?? 'the configured'} bytes (BPFDIFF_BODY_LIMIT)` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, field: 'content-type', problem: `${shown(contentType ?? '')} is not accepted; send application/json` };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, field: 'body', problem: 'not valid JSON' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, field: 'body', problem: 'is empty; expected a JSON object' };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, field: 'content-length', problem: 'does not match the body' };
    default:
      return undefined;
  }
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.validation && err.validation.length > 0) {
      const issues = err.validation as AjvIssue[];
      const field = fieldOfValidation(err.validationContext ?? 'body', issues[0]);
      req.log.info({ field }, 'request rejected by schema');
      return sendError(reply, 400, `${field}: ${problemOfValidation(issues)}`, field);
    }
    if (err instanceof FieldError) return sendError(reply, err.statusCode, err.message, err.field);
    if (err instanceof ProgramFormatError) {
      const field = err.field === '' ? 'body.program' : `body.program.${err.field}`;
      return sendError(reply, 400, `${field}: ${err.issues[0].problem}`, field);
    }
    if (err instanceof AsmError) return sendError(reply, 400, `body.asm: ${err.message}`, 'body.asm');
    const client = fastifyClientError(err, req.routeOptions.bodyLimit, req.headers['content-type']);
    if (client) return sendError(reply, client.status, `${client.field}: ${client.problem}`, client.field);
    const status = err.statusCode ?? 500;
    if (status < 500) return sendError(reply, status, err.message);
    req.log.error({ err }, 'request failed');
    return sendError(reply, status, `internal error; the server log has it under request id ${req.id}`);
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, 404, `${req.method} ${req.url.split('?')[0]}: no such route; the routes are listed at /docs`));
}
