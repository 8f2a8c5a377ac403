// Request bodies: JSON only (anything else is 415 naming content-type), parsed here so each
// problem is said plainly: text that is not JSON says where it breaks; a `__proto__` or
// `constructor.prototype` key, which could reach an object's prototype, is refused by name.
import type { FastifyInstance } from 'fastify';
import { badRequest } from './errors.ts';

/** The path of the first key that could reach a prototype, or undefined. */
function prototypeKey(value: unknown, path = 'body'): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const here = Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`;
    if (key === '__proto__') return here;
    if (key === 'constructor' && typeof child === 'object' && child !== null && Object.hasOwn(child, 'prototype')) return `${here}.prototype`;
    const deeper = prototypeKey(child, here);
    if (deeper) return deeper;
  }
  return undefined;
}

export function installJsonBody(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, text, done) => {
    const body = String(text);
    if (body.trim() === '') return done(badRequest('body', 'is empty; expected a JSON object'), undefined);
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (err) {
      return done(badRequest('body', `not valid JSON (${(err as Error).message})`), undefined);
    }
    const bad = prototypeKey(value);
    if (bad) return done(badRequest(bad, `a key named ${bad.endsWith('prototype') ? 'constructor.prototype' : '__proto__'} is not accepted (it could reach an object's prototype)`), undefined);
    done(null, value);
  });
}
