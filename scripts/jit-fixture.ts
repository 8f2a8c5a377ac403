// Writes a JIT test fixture from recorded samples (scripts/record-jit-samples.ts): each line
// keeps what core/jit needs and what the real kernel produced, nothing else, so the tests do
// not depend on the verifier model:
//   {"name", "kernel", "cpu", "xlated", "funcs": JitFunc[], "image", "funcLens"}
//   node --import tsx scripts/jit-fixture.ts OUT.jsonl [--max-bytes N] [--per-set N] SAMPLES.jsonl...
import { readFileSync, writeFileSync } from 'node:fs';
import { funcStartsOf, jitFuncs } from '../core/jit/index.ts';
import { rawFromHex } from '../core/isa/raw.ts';
import { check, resolveProfile } from '../core/model/index.ts';
import { parseProgram } from '../core/program/index.ts';

const args = process.argv.slice(2);
const out = args.shift()!;
let maxBytes = Infinity;
let perSet = Infinity;
const files: string[] = [];
while (args.length) {
  const a = args.shift()!;
  if (a === '--max-bytes') maxBytes = Number(args.shift());
  else if (a === '--per-set') perSet = Number(args.shift());
  else files.push(a);
}
const lines: string[] = [];
for (const f of files) {
  const taken = new Map<string, number>();
  for (const l of readFileSync(f, 'utf8').trim().split('\n')) {
    const s = JSON.parse(l);
    const set = String(s.program.meta?.rule ?? (String(s.set).startsWith('corpus:') ? 'corpus' : s.set));
    if (s.image.length / 2 > maxBytes || (taken.get(set) ?? 0) >= perSet) continue;
    taken.set(set, (taken.get(set) ?? 0) + 1);
    const info = check(parseProgram(s.program), resolveProfile(s.kernelId)!).subprogInfo ?? [];
    const funcs = jitFuncs(funcStartsOf(rawFromHex(s.xlated)), info);
    lines.push(JSON.stringify({ name: set, kernel: s.kernelId, cpu: s.cpu, xlated: s.xlated, funcs, image: s.image, funcLens: s.funcLens }));
  }
}
writeFileSync(out, lines.join('\n') + '\n');
process.stderr.write(`${lines.length} lines to ${out}\n`);
