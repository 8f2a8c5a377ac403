// Bearer-token auth from configuration: every mutating request needs it, reads only when
// reads are closed. The token is compared in constant time and never logged.
import { timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from '../errors.ts';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** always open: liveness probes, scrapers, the API documentation and the dashboard's own files
 *  (the page holds no data; it asks the API with the user's token when reads are closed) */
const OPEN_PATHS = [/^\/health$/, /^\/metrics$/, /^\/docs(\/|$)/, /^\/(index\.html)?$/, /^\/(views\/)?[\w-]+\.(js|css)$/];

/** undefined when the header carries the token, else what is wrong with it */
function tokenProblem(header: string | undefined, token: string): string | undefined {
  if (header === undefined || header === '') return 'a bearer token is required for this request (Authorization: Bearer <token>)';
  const presented = /^Bearer (.+)$/i.exec(header)?.[1];
  if (presented === undefined) return 'expected "Bearer <token>"';
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b) ? undefined : 'invalid token';
}

export default fp(
  async (app) => {
    const { apiToken, readsOpen } = app.config;
    app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      if (apiToken === undefined || req.routeOptions.config.methodNotAllowed) return;
      const path = req.url.split('?')[0];
      const isRead = READ_METHODS.has(req.method);
      if (isRead && (readsOpen || OPEN_PATHS.some((p) => p.test(path)))) return;
      const problem = tokenProblem(req.headers.authorization, apiToken);
      if (problem === undefined) return;
      reply.header('www-authenticate', problem === 'invalid token' ? 'Bearer error="invalid_token"' : 'Bearer');
      return sendError(reply, 401, `authorization: ${problem}`, 'authorization');
    });
  },
  { name: 'bpfdiff-auth', dependencies: ['bpfdiff-services'] },
);
