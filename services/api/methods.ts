// 405 Method Not Allowed with an `Allow` header for a method a route does not have (PUT /jobs,
// TRACE /jobs, OPTIONS /jobs): the path exists, so 404 would mislead. The API's routes are
// recorded while they register; then each path gets one extra route for every other method.
import type { FastifyInstance } from 'fastify';
import { sendError } from './errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** a route that only answers 405: no auth, no rate limit */
    methodNotAllowed?: boolean;
  }
}

interface RouteRecorder {
  /** registers the 405 routes for every path recorded so far and stops recording */
  finish(): void;
}

export function recordRoutes(app: FastifyInstance): RouteRecorder {
  const methods = new Map<string, Set<string>>();
  let recording = true;
  app.addHook('onRoute', (route) => {
    if (!recording || route.config?.methodNotAllowed) return;
    const set = methods.get(route.url) ?? new Set<string>();
    for (const m of [route.method].flat()) set.add(m);
    methods.set(route.url, set);
  });
  return {
    finish() {
      recording = false;
      for (const [url, set] of methods) {
        if (set.has('GET')) set.add('HEAD');
        const allow = [...set].sort().join(', ');
        const others = app.supportedMethods.filter((m) => !set.has(m));
        if (others.length === 0) continue;
        app.route({
          method: others,
          url,
          config: { methodNotAllowed: true },
          schema: { hide: true },
          handler: (req, reply) => {
            reply.header('allow', allow);
            return sendError(reply, 405, `method: ${req.method} is not allowed on ${url}; allowed: ${allow}`, 'method');
          },
        });
      }
    },
  };
}
