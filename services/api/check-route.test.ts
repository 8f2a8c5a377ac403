// POST /programs/check under load from one client: 11 checks at once all answer (one event
// listener for all of them, no MaxListenersExceededWarning), the answer names the program in
// brief instead of echoing it, and the per-client rate limit applies as on POST /jobs.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../../test/api-harness.ts';

let harness: ApiHarness;
let app: FastifyInstance;
let auth: ApiHarness['auth'];
beforeAll(async () => {
  harness = await startApiHarness({ checksPerMinute: 12, checkTimeoutMs: 20_000, kernels: ['7.2'], bodyLimit: 1 << 20 });
  ({ app, auth } = harness);
});
afterAll(async () => {
  await harness?.close();
});

describe('POST /programs/check under load', () => {
  it('11 concurrent checks all answer without a MaxListenersExceededWarning; the 13th in the minute is 429', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const asm = (i: number) => `r0 = ${i}\n${'r1 = 1\n'.repeat(2000)}exit`;
      const answers = await Promise.all(
        Array.from({ length: 11 }, (_, i) => app.inject({ method: 'POST', url: '/programs/check', headers: auth, payload: { asm: asm(i), kernels: ['7.2'] } })),
      );
      expect(answers.map((r) => r.statusCode)).toEqual(Array(11).fill(200));
      expect(answers.map((r) => r.json().kernels['7.2'].retval)).toEqual([...Array(11).keys()]);
      const first = answers[0].json();
      expect(first.program).toMatchObject({ insns: 2002, funcs: [{ name: 'main', start: 0, args: 1 }] });
      expect(first.program.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(answers[0].body.length).toBeLessThan(2000); // 2,002 instructions are not sent back
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => w.includes('MaxListeners'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
    const twelfth = await app.inject({ method: 'POST', url: '/programs/check', headers: auth, payload: { asm: 'r0 = 1\nexit', kernels: ['7.2'] } });
    expect(twelfth.statusCode).toBe(200);
    const limited = await app.inject({ method: 'POST', url: '/programs/check', headers: auth, payload: { asm: 'r0 = 1\nexit', kernels: ['7.2'] } });
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
  });
});
