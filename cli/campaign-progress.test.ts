// The campaign's progress line: done/total, rate, agreed, divergences by class, ETA.
import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../store/index.ts';
import { duration, formatProgress } from './campaign-progress.ts';

const job = (over: Partial<JobRecord>, counts: Partial<JobRecord['counts']> = {}): JobRecord => ({
  id: '9bf2efb6-23af-477b-95b6-ecf26788e844',
  kind: 'campaign',
  params: { kind: 'campaign', kernels: ['7.2'], count: 1000, seed: 1 },
  state: 'running',
  createdAt: '2026-12-04T10:00:00.000Z',
  startedAt: '2026-12-04T10:00:00.000Z',
  counts: { batchesTotal: 20, batchesDone: 3, programs: 150, agreed: 147, divergences: 3, newSignatures: 2, byClass: { reason: 1, 'kernel-crash': 2 }, busyMs: 0, ...counts },
  ...over,
});

describe('campaign progress line', () => {
  it('running: done/total, programs/s, agreed, divergences by class (most first), ETA', () => {
    expect(formatProgress(job({}), 6.5)).toBe('campaign 9bf2efb6  150/1,000 programs  6.5/s  agreed 147  divergences 3 (kernel-crash 2, reason 1)  ETA 2m11s');
  });

  it('before the first batch and at the end', () => {
    expect(formatProgress(job({}, { programs: 0, agreed: 0, byClass: {} }), undefined)).toBe('campaign 9bf2efb6  0/1,000 programs  agreed 0  divergences 0  starting (guests boot)');
    expect(formatProgress(job({ state: 'completed', finishedAt: '2026-12-04T10:25:31.000Z' }, { programs: 1000, agreed: 990, byClass: { reason: 10 } }), 7)).toBe(
      'campaign 9bf2efb6  1,000/1,000 programs  7.0/s  agreed 990  divergences 10 (reason 10)  completed in 25m31s',
    );
    expect(duration(3 * 3600 + 125)).toBe('3h02m');
  });

  it('shows the coverage stored with the job: model rules hit of the total and distinct reason lines', () => {
    const coverage = { rulesHit: 171, rulesTotal: 363, reasonLines: 21, modelReasonLines: 21, mutated: 34 };
    expect(formatProgress(job({ coverage }), 6.5)).toBe('campaign 9bf2efb6  150/1,000 programs  6.5/s  agreed 147  divergences 3 (kernel-crash 2, reason 1)  rules 171/363 (47%)  reason lines 21  ETA 2m11s');
  });
});
