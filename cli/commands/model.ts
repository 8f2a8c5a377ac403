// `bpfdiff model FILE [--profile P ...]`: predicts, with the verifier model and interpreter, what each
// kernel profile does with each program; one Outcome JSON line per program per profile, program-major.
import type { Command } from 'commander';
import { CPU_MODELS, cpuModel } from '../../core/jit/index.ts';
import { PROFILE_IDS, resolveProfile, verify, type Profile } from '../../core/model/index.ts';
import { readProgramsToAnswer } from '../program-file.ts';
import { UserError } from '../user-error.ts';
import { collect } from '../options.ts';
import { formatCoverage, modelCoverage } from '../coverage-report.ts';

interface ModelOptions {
  profile: string[];
  kernel: string[];
  run: boolean;
  cpu: string;
  code: boolean;
  coverage?: boolean;
}

export function register(program: Command): void {
  program
    .command('model')
    .description('predict verifier verdict, reason line and retval with the model; one Outcome JSON line per program per profile')
    .argument('<file>', 'a program (.json or .s assembler source) or one program per line (.jsonl)')
    .option('-p, --profile <id>', `model profile (${PROFILE_IDS.join(', ')}) or kernel id (6.12, 7.2, 7.3); repeatable`, collect, [])
    // the other commands name kernels with -k/--kernel: the same words predict that kernel here
    .option('-k, --kernel <id>', 'the profile of a kernel id (6.12, 7.2, 7.3), as `run --kernel` names it; repeatable, after the --profile ones', collect, [])
    .option('--no-run', 'do not run accepted programs in the interpreter (no retval)')
    .option('--cpu <model>', `QEMU CPU model the JIT image is predicted for (${Object.keys(CPU_MODELS).join(', ')})`, 'qemu64')
    .option('--no-code', 'leave out the predicted rewritten program (xlated) and JIT image (jit)')
    .option('--coverage', 'instead of Outcome lines, the model\'s coverage of the programs per profile: rules hit / rules in the model, reject reason lines, rules never hit')
    .addHelpText('after', '\nDefault profile: linux-7.2. Lines are ordered by program, then by profile in the order given.\nAn accepted program\'s line carries xlated (hex) and jit {len, funcLens, image, masked, insnOffsets}: masked lists [byteOffset, length] of image bytes that hold run-time addresses.\n')
    .action(async (file: string, opts: ModelOptions) => {
      const names = [...opts.profile.map((n) => ['--profile', n] as const), ...opts.kernel.map((n) => ['--kernel', n] as const)];
      const profiles: Profile[] = (names.length ? names : [['--profile', 'linux-7.2'] as const]).map(([option, name]) => {
        const p = resolveProfile(name);
        if (!p) throw new UserError(`${option}: expected one of ${PROFILE_IDS.join(', ')} or a kernel id 6.12, 7.2, 7.3, got "${name}"`);
        return p;
      });
      if (!cpuModel(opts.cpu)) throw new UserError(`--cpu: expected one of ${Object.keys(CPU_MODELS).join(', ')}, got "${opts.cpu}"`);
      const programs = await readProgramsToAnswer(file);
      if (opts.coverage) {
        for (const profile of profiles) process.stdout.write(formatCoverage(modelCoverage(programs, profile)));
        return;
      }
      const out: string[] = [];
      for (const prog of programs) {
        for (const profile of profiles) out.push(JSON.stringify(verify(prog, profile, { run: opts.run, xlated: opts.code, jit: opts.code ? opts.cpu : false })));
        if (out.length >= 256) process.stdout.write(out.splice(0).join('\n') + '\n');
      }
      if (out.length) process.stdout.write(out.join('\n') + '\n');
    });
}
