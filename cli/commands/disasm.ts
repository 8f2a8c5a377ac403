// `bpfdiff disasm FILE.json|FILE.jsonl`: each instruction as the 7.2 kernel prints it in its
// verifier log (`N: (op) text`), with function starts marked by comments so the output
// can be compared with a kernel log line for line and still assembles.
import type { Command } from 'commander';
import { disassemble } from '../../core/isa/index.ts';
import { programToJson, type Program } from '../../core/program/index.ts';
import { readProgramFile, readTextFile } from '../program-file.ts';
import { casesFromKernel, casesFromSamples, renderJitCase } from '../jit-disasm.ts';
import { UserError } from '../user-error.ts';

/** The listing of one program: a `; func NAME args=N [global] [types=...]` comment before each function, then
 *  its lines. With `asSource`, `.type`/`.map`/`.input`/`.func` directives take the comments'
 *  place, so `bpfdiff asm` turns the listing back into the very same program. */
export function programListing(program: Program, asSource = false): string[] {
  const lines: string[] = [];
  if (asSource) {
    lines.push(`.type ${program.progType}`);
    for (const m of program.maps) lines.push(`.map ${m.type} ${m.keySize} ${m.valueSize} ${m.maxEntries}`);
    const json = programToJson(program);
    if (json.input !== undefined) lines.push(`.input ${json.input}`);
  }
  const funcAt = new Map(program.funcs.map((f) => [f.start, f]));
  const inferred = (program.meta?.funcsInferred ?? {}) as Record<string, unknown>;
  for (const { index, text } of disassemble(program.insns)) {
    const f = funcAt.get(index);
    if (f !== undefined) {
      const global = f.linkage === 'global' ? ' global' : '';
      const note = inferred[f.name];
      if (typeof note === 'string') lines.push(`; ${f.name} args=${f.args}: ${note}`);
      const types = f.argTypes !== undefined ? ` types=${f.argTypes.join(',')}` : '';
      lines.push(`${asSource ? '.func' : '; func'} ${f.name} args=${f.args}${global}${types}`);
    }
    lines.push(`${index}: ${text}`);
  }
  return lines;
}

export function register(program: Command): void {
  program
    .command('disasm')
    .description('print the instructions of a program file the way the 7.2 kernel prints them in its verifier log')
    .argument('<file>', 'program file: .json, .jsonl with one program per line, or .s (assembler source)')
    .option('--source', 'print .type/.map/.input/.func directives instead of comments, so `bpfdiff asm` rebuilds the same program')
    .option('--jit', "the model's x86-64 image beside the kernel's, by BPF instruction, the first difference marked (FILE: recorded samples with program/xlated/image/funcLens, or programs run with --kernel)")
    .option('-k, --kernel <id>', 'with --jit and program files: the kernel to run them on (7.2, 7.3)')
    .option('--cpu <model>', 'with --jit --kernel: QEMU -cpu model of the guest (qemu64, Haswell)')
    .addHelpText(
      'after',
      '\nEach function starts with a "; func NAME args=N" comment line; with several programs,\neach starts with a "; program K of N" comment line.\n',
    )
    .action(async (file: string, opts: { source?: boolean; jit?: boolean; kernel?: string; cpu?: string }) => {
      if (opts.jit) {
        await disasmJit(file, opts);
        return;
      }
      const programs = await readProgramFile(file);
      const out: string[] = [];
      programs.forEach((p, k) => {
        if (programs.length > 1) out.push(`; program ${k + 1} of ${programs.length}`);
        out.push(...programListing(p, opts.source === true));
      });
      process.stdout.write(`${out.join('\n')}\n`);
    });
}

async function disasmJit(file: string, opts: { kernel?: string; cpu?: string }): Promise<void> {
  const samples = casesFromSamples(await readTextFile(file), file);
  let cases;
  if (samples) cases = samples;
  else {
    if (!opts.kernel) throw new UserError('--jit: FILE holds programs, so --kernel ID is needed to get the real image');
    cases = await casesFromKernel(await readProgramFile(file), opts.kernel, opts.cpu);
  }
  const out: string[] = [];
  cases.forEach((c, k) => {
    if (cases.length > 1) out.push(`; program ${k + 1} of ${cases.length}`);
    out.push(...(typeof c === 'string' ? [c] : renderJitCase(c)));
  });
  process.stdout.write(`${out.join('\n')}\n`);
}
