// `bpfdiff disasm FILE.json|FILE.jsonl`: each instruction as the 7.2 kernel prints it in its
// verifier log (`N: (op) text`), with function starts marked by comments so the output
// can be compared with a kernel log line for line and still assembles.
import type { Command } from 'commander';
import { disassemble } from '../../core/isa/index.ts';
import { programToJson, type Program } from '../../core/program/index.ts';
import { readProgramFile } from '../program-file.ts';

/** The listing of one program: a `; func NAME args=N` comment before each function, then
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
      lines.push(`${asSource ? '.func' : '; func'} ${f.name} args=${f.args}${global}`);
    }
    lines.push(`${index}: ${text}`);
  }
  return lines;
}

export function register(program: Command): void {
  program
    .command('disasm')
    .description('print the instructions of a program file the way the 7.2 kernel prints them in its verifier log')
    .argument('<file>', 'program file: .json, or .jsonl with one program per line')
    .option('--source', 'print .type/.map/.input/.func directives instead of comments, so `bpfdiff asm` rebuilds the same program')
    .addHelpText(
      'after',
      '\nEach function starts with a "; func NAME args=N" comment line; with several programs,\neach starts with a "; program K of N" comment line.\n',
    )
    .action(async (file: string, opts: { source?: boolean }) => {
      const programs = await readProgramFile(file);
      const out: string[] = [];
      programs.forEach((p, k) => {
        if (programs.length > 1) out.push(`; program ${k + 1} of ${programs.length}`);
        out.push(...programListing(p, opts.source === true));
      });
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
