import { describe, expect, it } from 'vitest';
import { readSettings } from './index.ts';

describe('BPFDIFF_NIGHTLY_GUIDED_SHARE', () => {
  it('sets the nightly campaigns\' guided share, 0 turns guidance off, anything else outside 0..1 is an error naming it', () => {
    const env = { BPFDIFF_NIGHTLY_KERNELS: '7.2' };
    expect(readSettings(env).worker.nightly?.guidedShare).toBeUndefined();
    expect(readSettings({ ...env, BPFDIFF_NIGHTLY_GUIDED_SHARE: '0.5' }).worker.nightly?.guidedShare).toBe(0.5);
    expect(readSettings({ ...env, BPFDIFF_NIGHTLY_GUIDED_SHARE: '0' }).worker.nightly?.guidedShare).toBe(0);
    for (const bad of ['2', 'lots', '-0.1', ' ']) {
      expect(() => readSettings({ ...env, BPFDIFF_NIGHTLY_GUIDED_SHARE: bad })).toThrow(`BPFDIFF_NIGHTLY_GUIDED_SHARE: expected a number from 0 to 1 (0: unguided), got "${bad}"`);
    }
  });
});
