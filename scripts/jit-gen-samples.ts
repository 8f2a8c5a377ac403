// Generate programs the verifier model accepts, for recording real JIT images:
//   node --import tsx scripts/jit-gen-samples.ts SEED COUNT > programs.jsonl
// then `bpfdiff run programs.jsonl --kernel 7.2 --jit-image > outcomes.jsonl` and
// scripts/jit-agreement.ts programs.jsonl outcomes.jsonl.
import { generateProgram } from '../core/gen/index.ts';
import { check, resolveProfile } from '../core/model/index.ts';
import { programToJsonText } from '../core/program/index.ts';

const seed = Number(process.argv[2] ?? 1);
const count = Number(process.argv[3] ?? 100);
const profile = resolveProfile('7.2');
let kept = 0;
for (let i = 0; kept < count && i < count * 20; i++) {
  const p = generateProgram(seed, i, { mutationRate: 0 });
  const out = check(p, profile);
  if (out.result) continue;
  process.stdout.write(programToJsonText(p).replace(/\n/g, '') + '\n');
  kept++;
}
