// The socket and skb helpers the model learned for the kernel selftests (core/model/helpers.ts):
// hand-written programs run on the real Debian 7.2 and 6.12 kernels, and the model must give what
// each kernel gives (verdict, errno, reason line; the retval of an accepted run).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILES, verify } from '../core/model/index.ts';
import { programFromAsm } from '../core/program/assemble.ts';
import type { Outcome, Program } from '../core/program/index.ts';
import { VmPool, readCatalog, resolveKernel } from '../kernel/index.ts';

const fixture = (name: string): Program => programFromAsm(readFileSync(new URL(`./fixtures/sock-helpers/${name}.s`, import.meta.url), 'utf8'));
const facts = (o: Pick<Outcome, 'verdict' | 'errno' | 'message' | 'retval'>) => ({ verdict: o.verdict, errno: o.errno, message: o.message, retval: o.retval });

/** programs whose outcome the model predicts on both kernels */
const BOTH = [
  'tcp-sock-fields', 'tcp-sock-narrow', 'fullsock-type', 'skc-lookup-unchecked', 'skc-lookup-listener',
  'skc-to-tcp-sock-unchecked', 'strtoul', 'netns-cookie-socket-filter', 'netns-cookie-tc',
  // casts of a referenced socket: 7.2 shares the id, 6.12 keeps the reference in ref_obj_id
  'cast-after-release', 'skc-to-tcp-sock-release', 'fullsock-release-via-cast',
  'trace-printk', 'trace-printk-scalar',
];

describe('socket and skb helpers, model against real kernels', () => {
  const pools = new Map<string, VmPool>();
  beforeAll(async () => {
    const catalog = readCatalog();
    for (const id of ['7.2', '6.12']) pools.set(id, await VmPool.create({ kernel: resolveKernel(id, catalog), size: 1, timeoutMs: 30_000 }));
  });
  afterAll(async () => {
    await Promise.all([...pools.values()].map((p) => p.close()));
  });

  it('7.2 and 6.12 give what the model gives for each program', async () => {
    const programs = BOTH.map(fixture);
    for (const [kernel, profile] of [['7.2', PROFILES['linux-7.2']], ['6.12', PROFILES['linux-6.12']]] as const) {
      const real = await pools.get(kernel)!.run(programs);
      const model = programs.map((p) => verify(p, profile));
      expect(model.map((m) => m.verdict), kernel).not.toContain('unknown');
      expect(real.map(facts), kernel).toEqual(model.map(facts));
    }
  });

  it('bpf_get_netns_cookie: 7.2 lets socket filters and tc call it, 6.12 refuses', async () => {
    const p = fixture('netns-cookie-socket-filter');
    const [[on72], [on612]] = await Promise.all([pools.get('7.2')!.run([p]), pools.get('6.12')!.run([p])]);
    expect(on72).toMatchObject({ verdict: 'accept' });
    expect(on612).toMatchObject({ verdict: 'reject', message: 'program of this type cannot use helper bpf_get_netns_cookie#122' });
  });
});
