// `bpfdiff disasm --jit`: the model's x86-64 image of each program next to the real kernel's.
// The real side comes from a recorded sample line (scripts/record-jit-samples.ts: program,
// xlated, image, funcLens) or from running the program on a kernel in a QEMU guest.
import { rawFromHex, rawToBytes } from '../core/isa/raw.ts';
import { cpuModel, funcStartsOf, jitFuncs, jitKernel, jitProgram, JitError } from '../core/jit/index.ts';
import { check, resolveProfile, type Profile } from '../core/model/index.ts';
import { predictXlated } from '../core/model/fixups/index.ts';
import { firstXlatedDifference } from '../core/diff/xlated.ts';
import type { RawInsn } from '../core/isa/raw.ts';
import { checkProgramJson, formatIssue, type Program } from '../core/program/index.ts';
import { jitSideBySide } from './jit-view.ts';
import { UserError } from './user-error.ts';

interface JitCase {
  program: Program;
  /** the kernel's xlated dump and image */
  xlated: string;
  image: string;
  funcLens: number[];
  /** uname -r, the kernel id (profile) and QEMU CPU model */
  kernel: string;
  kernelId: string;
  cpu: string;
}

/** Recorded sample lines, or undefined when the text is not in that form. */
export function casesFromSamples(text: string, path: string): JitCase[] | undefined {
  let lines = text.split('\n').filter((l) => l.trim() !== '');
  let first: Record<string, unknown>;
  try {
    first = JSON.parse(path.endsWith('.jsonl') ? (lines[0] ?? '{}') : text) as Record<string, unknown>;
  } catch {
    return undefined; // not a sample; the program reader reports what is wrong with the file
  }
  if (typeof first.image !== 'string' || typeof first.xlated !== 'string') return undefined;
  if (!path.endsWith('.jsonl')) lines = [JSON.stringify(first)];
  return lines.map((l, k) => {
    const s = JSON.parse(l) as Record<string, unknown>;
    const { program, issues } = checkProgramJson(s.program);
    if (!program) throw new UserError(`${path}: line ${k + 1}: program: ${issues[0] ? formatIssue(issues[0]) : 'missing'}`);
    for (const field of ['xlated', 'image'] as const) {
      if (typeof s[field] !== 'string') throw new UserError(`${path}: line ${k + 1}: ${field}: expected a hex string`);
    }
    if (!Array.isArray(s.funcLens)) throw new UserError(`${path}: line ${k + 1}: funcLens: expected an array of lengths`);
    return {
      program, xlated: s.xlated as string, image: s.image as string, funcLens: s.funcLens as number[],
      kernel: String(s.kernel ?? s.kernelId), kernelId: String(s.kernelId ?? '7.2'), cpu: String(s.cpu ?? 'qemu64'),
    };
  });
}

/** The rewritten program the prediction starts from: the model's, else the kernel's; and a line saying which. */
function xlatedFor(c: JitCase, profile: Profile, info: ReturnType<typeof check>): { insns: RawInsn[]; funcIds?: number[]; note: string } {
  const x = info.trace ? predictXlated(c.program, profile.id, info.trace) : { unknown: 'the model does not accept the program' };
  if (!('insns' in x)) return { insns: rawFromHex(c.xlated), note: `; predicted from the kernel's xlated (the model's: ${x.unknown})` };
  const d = firstXlatedDifference(rawToHexOf(x.insns), c.xlated);
  const note = d === undefined
    ? "; predicted from the model's xlated, which equals the kernel's outside address fields"
    : `; predicted from the model's xlated, which DIFFERS from the kernel's at insn ${d.index}: ${d.model ?? '(end)'} vs ${d.kernel ?? '(end)'}`;
  return { insns: x.insns, funcIds: x.funcIds, note };
}

const rawToHexOf = (insns: readonly RawInsn[]): string => Buffer.from(rawToBytes(insns)).toString('hex');

/** The listing of one case: which xlated the prediction used, then both images side by side. */
export function renderJitCase(c: JitCase): string[] {
  const profile = resolveProfile(c.kernelId);
  if (!profile) throw new UserError(`kernel ${c.kernelId}: no model profile`);
  const cpu = cpuModel(c.cpu);
  if (!cpu) throw new UserError(`--cpu: the JIT model knows qemu64 and Haswell, not "${c.cpu}"`);
  const checked = check(c.program, profile, { trace: true });
  const info = checked.subprogInfo ?? [];
  const { insns, funcIds, note } = xlatedFor(c, profile, checked);
  const starts = funcStartsOf(insns);
  const facts = funcIds ? funcIds.map((k) => info[k]!) : info;
  try {
    const pred = jitProgram(insns, jitFuncs(starts, facts), cpu, jitKernel(c.kernelId));
    return [note, ...jitSideBySide(pred, c.image, c.funcLens, insns, `kernel ${c.kernel} (${c.cpu})`)];
  } catch (e) {
    if (e instanceof JitError) return [note, `; the JIT model cannot predict this program: ${e.message}`];
    throw e;
  }
}

/** Run programs on one kernel (one guest) and keep what the JIT view needs of each accepted one. */
export async function casesFromKernel(programs: Program[], kernelId: string, cpu: string | undefined): Promise<Array<JitCase | string>> {
  const { VmPool, readCatalog, resolveKernel, KernelCatalogError } = await import('../kernel/index.ts');
  let kernel;
  try {
    kernel = resolveKernel(kernelId, readCatalog());
  } catch (err) {
    if (err instanceof KernelCatalogError) throw new UserError(`--kernel: ${err.message}`);
    throw err;
  }
  const pool = await VmPool.create({ kernel, size: 1, timeoutMs: 30_000, cpuModel: cpu });
  const out: Array<JitCase | string> = programs.map(() => '');
  try {
    await pool.run(programs, {
      onOutcome: (i, o) => {
        if (o.verdict !== 'accept' || !o.jit?.image || !o.xlated) {
          out[i] = `; not JITed on ${o.kernel}: ${o.verdict}${o.message ? ` (${o.message})` : ''}`;
          return;
        }
        out[i] = { program: programs[i]!, xlated: o.xlated, image: o.jit.image, funcLens: o.jit.funcLens ?? [], kernel: o.kernel, kernelId, cpu: o.cpu ?? cpu ?? 'qemu64' };
      },
    });
  } finally {
    await pool.close();
  }
  return out;
}
