// `bpfdiff model FILE [--profile P ...]`: predicts, with the verifier model and interpreter, what each
// kernel profile does with each program; one Outcome JSON line per program per profile, program-major.
import type { Command } from 'commander';
import { PROFILE_IDS, resolveProfile, verify, type Profile } from '../../core/model/index.ts';
import { readProgramsToAnswer } from '../program-file.ts';
import { UserError } from '../user-error.ts';
import { collect } from '../options.ts';

interface ModelOptions {
  profile: string[];
  run: boolean;
}

export function register(program: Command): void {
  program
    .command('model')
    .description('predict verifier verdict, reason line and retval with the model; one Outcome JSON line per program per profile')
    .argument('<file>', 'a program (.json) or one program per line (.jsonl)')
    .option('-p, --profile <id>', `model profile (${PROFILE_IDS.join(', ')}) or kernel id (6.12, 7.2, 7.3); repeatable`, collect, [])
    .option('--no-run', 'do not run accepted programs in the interpreter (no retval)')
    .addHelpText('after', '\nDefault profile: linux-7.2. Lines are ordered by program, then by profile in the order given.\n')
    .action(async (file: string, opts: ModelOptions) => {
      const profiles: Profile[] = (opts.profile.length ? opts.profile : ['linux-7.2']).map((name) => {
        const p = resolveProfile(name);
        if (!p) throw new UserError(`--profile: expected one of ${PROFILE_IDS.join(', ')} or a kernel id 6.12, 7.2, 7.3, got "${name}"`);
        return p;
      });
      const programs = await readProgramsToAnswer(file);
      const out: string[] = [];
      for (const prog of programs) {
        for (const profile of profiles) out.push(JSON.stringify(verify(prog, profile, { run: opts.run })));
        if (out.length >= 256) process.stdout.write(out.splice(0).join('\n') + '\n');
      }
      if (out.length) process.stdout.write(out.join('\n') + '\n');
    });
}
