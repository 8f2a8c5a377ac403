import { describe, expect, it } from 'vitest';
import { crashOutcome, outcomeFromRun } from './outcome.ts';
import { RunStage } from './protocol.ts';

const kernel = '7.3.0-0.rc7.1-amd64';

describe('outcomeFromRun', () => {
  it('maps an accepted, test-run program to accept with retval and JIT facts', () => {
    const o = outcomeFromRun(
      { stage: RunStage.DONE, errno: 0, log: 'processed 14 insns', retval: 1315, jitedLen: 129, jitedFuncLens: [50, 79], jitedImage: new Uint8Array([0xcc, 0x90]), verifiedInsns: 14, xlatedLen: 112 },
      { kernel },
    );
    expect(o).toEqual({ verdict: 'accept', errno: 0, message: '', retval: 1315, jit: { len: 129, funcLens: [50, 79], image: 'cc90' }, kernel, verifiedInsns: 14, xlatedLen: 112 });
  });

  it('maps a verifier reject to the reason line and the 7.3 report', () => {
    const log = ['4: (85) call pc+2', 'callee expects 7 args, stack arg7 is not initialized', '', 'Verification failed: Register Type Safety: Missing stack argument', '', 'Reason:', '  x', 'processed 5 insns (limit 1000000)'].join('\n');
    const o = outcomeFromRun({ stage: RunStage.PROG_LOAD, errno: 13, log }, { kernel, keepLog: true });
    expect(o).toMatchObject({
      verdict: 'reject',
      errno: 13,
      message: 'callee expects 7 args, stack arg7 is not initialized',
      report: 'Register Type Safety: Missing stack argument',
      log,
    });
    expect(o.retval).toBeUndefined();
  });

  it('maps a BTF load failure to a reject with the BTF log reason', () => {
    const o = outcomeFromRun({ stage: RunStage.BTF_LOAD, errno: 22, log: '', btfLog: 'magic: 0xeb9f\n[2] FUNC_PROTO (anon) return=1 args=(1 a)\nInvalid arg#1\n' }, { kernel });
    expect(o).toEqual({ verdict: 'reject', errno: 22, message: 'Invalid arg#1', kernel });
  });

  it('keeps a WARN console excerpt on an otherwise normal outcome', () => {
    const o = outcomeFromRun({ stage: RunStage.PROG_LOAD, errno: 22, log: 'R11 is invalid\nprocessed 0 insns' }, { kernel, console: 'WARNING: CPU: 0 PID: 1 at x' });
    expect(o).toMatchObject({ verdict: 'reject', message: 'R11 is invalid', console: 'WARNING: CPU: 0 PID: 1 at x' });
  });

  it('names the errno when a load fails with an empty log, and a failed test run is an error', () => {
    expect(outcomeFromRun({ stage: RunStage.PROG_LOAD, errno: 7, log: '' }, { kernel }).message).toMatch(/E2BIG/);
    expect(outcomeFromRun({ stage: RunStage.TEST_RUN, errno: 0, testErrno: 22, log: '' }, { kernel })).toMatchObject({ verdict: 'error', errno: 22, message: 'BPF_PROG_TEST_RUN failed: EINVAL' });
  });
});

describe('crashOutcome', () => {
  it('uses the panic line as the message and keeps the excerpt', () => {
    const c = '[    4.1] sysrq: Trigger a crash\n[    4.122663] Kernel panic - not syncing: sysrq triggered crash\nCPU: 0 PID: 50';
    expect(crashOutcome(kernel, c)).toEqual({ verdict: 'crash', errno: 0, message: 'Kernel panic - not syncing: sysrq triggered crash', kernel, console: c });
  });
});
