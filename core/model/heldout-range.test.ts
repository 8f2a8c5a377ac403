// The held-out range-analysis set (corpus/heldout-range, scripts/heldout-range.ts: programs written
// apart from core/gen) against the outcomes the real kernels gave (kernels.jsonl, recorded with
// `bpfdiff run --kernel 6.12 --kernel 7.2 --kernel 7.3`). The bar: unknown at most 5% per
// profile, verdict agreement at least 99%, identical reason line on at least 95% of rejects,
// retval on every accept whose result is predictable (not read from never-written stack). Today every one of the 600 agrees on all three.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseProgramsJsonl } from '../program/index.ts';
import { resolveProfile, verify } from './index.ts';

const dir = fileURLToPath(new URL('../../corpus/heldout-range/', import.meta.url));
const programs = parseProgramsJsonl(readFileSync(`${dir}programs.jsonl`, 'utf8'));
type Recorded = { verdict: string; errno: number; message?: string; retval?: number };
const recorded = readFileSync(`${dir}kernels.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, Recorded>);

describe('held-out range-analysis set: the model against real 6.12.118, 7.2.13 and 7.3-rc7', () => {
  it('has a recorded outcome per program', () => expect(recorded.length).toBe(programs.length));

  for (const kernel of ['6.12', '7.2', '7.3']) {
    it(`on ${kernel}: unknown <= 5%, verdicts >= 99%, reasons >= 95% of rejects, every retval`, () => {
      const profile = resolveProfile(kernel)!;
      let unknown = 0, answered = 0, same = 0, rejects = 0, sameReason = 0, accepts = 0, sameRetval = 0;
      const diffs: string[] = [];
      programs.forEach((p, i) => {
        const real = recorded[i]![kernel]!;
        const m = verify(p, profile);
        if (m.verdict === 'unknown') return void unknown++;
        answered++;
        if (m.verdict !== real.verdict) return void diffs.push(`#${i}: model ${m.verdict} "${m.message}", kernel ${real.verdict} "${real.message ?? ''}"`);
        same++;
        if (real.verdict === 'reject') {
          rejects++;
          if (m.message === real.message) sameReason++;
          else diffs.push(`#${i}: model "${m.message}", kernel "${real.message}"`);
        } else {
          // a run that reads never-written stack returns whatever was there: the model says so
          // (unpredictable) instead of a number, and only predictable runs are compared
          if (m.unpredictable) return;
          accepts++;
          if (m.retval === real.retval) sameRetval++;
          else diffs.push(`#${i}: retval model ${m.retval}, kernel ${real.retval}`);
        }
      });
      expect(unknown / programs.length, `unknown ${unknown}`).toBeLessThanOrEqual(0.05);
      expect(same / answered, diffs.join('\n')).toBeGreaterThanOrEqual(0.99);
      expect(sameReason / rejects, diffs.join('\n')).toBeGreaterThanOrEqual(0.95);
      expect(sameRetval, diffs.join('\n')).toBe(accepts);
    });
  }
});
