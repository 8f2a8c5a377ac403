// Why a concrete run stopped without a result. Each names what happened so the caller can
// tell a model gap (InterpUnsupported) from a program the verifier should not have accepted.

/** The program uses something the interpreter does not model yet (a helper, maps, kfuncs, ...). */
export class InterpUnsupported extends Error {
  override readonly name = 'InterpUnsupported';
  constructor(readonly feature: string, readonly pc?: number) {
    super(pc === undefined ? `interpreter does not support ${feature}` : `interpreter does not support ${feature} (insn ${pc})`);
  }
}

/** The run did something no verified program can do (bad opcode, wild memory access, ...). */
export class InterpFault extends Error {
  override readonly name = 'InterpFault';
  constructor(message: string, readonly pc: number) {
    super(`insn ${pc}: ${message}`);
  }
}

/** The run executed more instructions than allowed: a runaway loop. */
export class InterpStepLimit extends Error {
  override readonly name = 'InterpStepLimit';
  constructor(readonly limit: number, readonly pc: number) {
    super(`step limit of ${limit} instructions reached at insn ${pc} (runaway loop?)`);
  }
}

/** BPF_PROG_TEST_RUN itself would refuse the input before running the program. */
export class TestRunRejected extends Error {
  override readonly name = 'TestRunRejected';
  constructor(readonly errno: number, reason: string) {
    super(`test run rejected (errno ${errno}): ${reason}`);
  }
}
