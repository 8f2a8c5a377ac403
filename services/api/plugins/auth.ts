// Bearer-token auth from configuration: every mutating request needs it, reads only when
// reads are closed. The token is compared in constant time and never logged.
import { timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** always open: liveness probes, scrapers, the API documentation and the dashboard's own files
 *  (the page holds no data; it asks the API with the user's token when reads are closed) */
const OPEN_PATHS = [/^\/health$/, /^\/metrics$/, /^\/docs(\/|$)/, /^\/(index\.html)?$/, /^\/(views\/)?[\w-]+\.(js|css)$/];

function tokenMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer (.+)$/i.exec(header ?? '')?.[1];
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export default fp(
  async (app) => {
    const { apiToken, readsOpen } = app.config;
    app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      if (apiToken === undefined) return;
      const path = req.url.split('?')[0];
      const isRead = READ_METHODS.has(req.method);
      if (isRead && (readsOpen || OPEN_PATHS.some((p) => p.test(path)))) return;
      if (tokenMatches(req.headers.authorization, apiToken)) return;
      reply.header('www-authenticate', 'Bearer');
      return reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'authorization: a bearer token is required for this request', field: 'authorization' });
    });
  },
  { name: 'bpfdiff-auth', dependencies: ['bpfdiff-services'] },
);
