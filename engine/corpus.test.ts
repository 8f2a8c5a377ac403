import { describe, expect, it } from 'vitest';
import { loadCorpus, SUITE_DIRS } from './corpus.ts';

describe('the replay corpus', () => {
  it('holds the reproducers and hand-written programs, not the suites scored by their own replays', async () => {
    const corpus = await loadCorpus();
    expect(corpus.some((c) => c.path.startsWith('regressions/'))).toBe(true);
    for (const dir of SUITE_DIRS) expect(corpus.filter((c) => c.path.startsWith(`${dir}/`))).toEqual([]);
    // the nightly replays these on every kernel: keep it to the size of a batch or two, not 1,600
    expect(corpus.length).toBeLessThan(400);
  });
});
