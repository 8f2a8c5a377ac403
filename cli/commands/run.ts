// `bpfdiff run FILE --kernel ID...`: runs programs on real kernels in QEMU guests and prints
// one Outcome JSON line per program per kernel, in input order (program-major: the lines of
// one program on every kernel sit together, in the order the kernels were given).
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { explainWithLog, judgedDifferently } from '../../core/diff/index.ts';
import { resolveProfile, verify } from '../../core/model/index.ts';
import type { Outcome, Program } from '../../core/program/index.ts';
import { KernelCatalogError, PoolBrokenError, VmBootError, VmPool, readCatalog, resolveKernel, type KernelImage } from '../../kernel/index.ts';
import { readProgramsToAnswer } from '../program-file.ts';
import { UserError } from '../user-error.ts';
import { collect, positiveInt } from '../options.ts';

interface RunOptions {
  kernel: string[];
  pool?: number;
  timeout: number;
  log?: boolean;
  logLevel: number;
  jitImage?: boolean;
  mem: number;
  append?: string;
  accel: 'auto' | 'kvm' | 'tcg';
  cpu?: string;
  explain: boolean;
}

export function register(program: Command): void {
  program
    .command('run')
    .description('run programs on real kernels booted in QEMU and print one Outcome JSON line per program per kernel')
    .argument('<file>', 'a program (.json or .s assembler source) or one program per line (.jsonl)')
    .requiredOption('-k, --kernel <id>', 'kernel id (6.12, 7.2, 7.3, or PATH[:PROFILE] of a bzImage); repeatable', collect)
    .option('--pool <n>', 'guests per kernel (default: cores / kernels, at most one per program)', positiveInt('--pool'))
    .option('--timeout <ms>', 'per-program timeout in milliseconds; one that runs out is tried once more with 6x the timeout before it counts as a hang', positiveInt('--timeout'), 10_000)
    .option('--log', 'print each verifier log (a crash\'s up to the crash) on stderr, and keep it on the outcome (field "log")')
    .option('--log-level <n>', 'verifier log level', positiveInt('--log-level'), 1)
    .option('--jit-image', 'include the JITed image (hex) in jit.image')
    .option('--mem <mib>', 'guest memory in MiB', positiveInt('--mem'), 512)
    .option('--append <cmdline>', 'extra kernel command line for the guests')
    .option('--accel <accel>', 'auto (KVM only after a probe boot works), kvm or tcg', 'auto')
    .option('--cpu <model>', 'QEMU -cpu model of the guests (affects the JIT output)')
    .option('--no-explain', 'do not compare with the model: by default a program the model judges differently (verdict or reason line) is loaded once more at log level 2 and the first instruction where the model and the kernel disagree is printed on stderr')
    .addHelpText('after', '\nOutput lines are ordered by program, then by kernel in the order given.\nA progress bar goes to stderr when it is a terminal.\n')
    .action(async (file: string, opts: RunOptions) => {
      if (!['auto', 'kvm', 'tcg'].includes(opts.accel)) throw new UserError(`--accel: expected auto, kvm or tcg, got "${opts.accel}"`);
      const programs = await readProgramsToAnswer(file);
      const kernels = resolveKernels(opts.kernel);
      await runOnKernels(programs, kernels, opts);
    });
}

function resolveKernels(ids: string[]): KernelImage[] {
  try {
    const catalog = readCatalog();
    return ids.map((id) => resolveKernel(id, catalog));
  } catch (err) {
    if (err instanceof KernelCatalogError) throw new UserError(`--kernel: ${err.message}`);
    throw err;
  }
}

async function runOnKernels(programs: Program[], kernels: KernelImage[], opts: RunOptions): Promise<void> {
  const size = opts.pool ?? Math.max(1, Math.min(programs.length, Math.floor(availableParallelism() / kernels.length)));
  const results: Array<Array<Outcome | undefined>> = programs.map(() => kernels.map(() => undefined));
  let printed = 0;
  const bar = process.stderr.isTTY ? new ProgressBar(programs.length * kernels.length) : undefined;
  // print every program whose outcomes on all kernels are in, in input order
  const flush = () => {
    while (printed < programs.length && results[printed].every((o) => o !== undefined)) {
      bar?.clear();
      results[printed].forEach((o, k) => {
        process.stdout.write(`${JSON.stringify(o)}\n`);
        if (opts.log && o) process.stderr.write(logBlock(o, printed, programs.length, kernels[k].id));
      });
      printed++;
    }
    bar?.draw();
  };

  const pools: VmPool[] = [];
  const explanations: Array<Map<number, string> | undefined> = kernels.map(() => undefined);
  let interrupted = false;
  // `on`, not `once`: execa's exit hook re-raises the signal (killing us before the guests are
  // closed) when it finds itself the only listener left
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    bar?.clear();
    process.stderr.write('bpfdiff: interrupted, stopping guests\n');
    void Promise.all(pools.map((p) => p.close())).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await Promise.all(
      kernels.map(async (kernel, k) => {
        const pool = await VmPool.create({
          kernel,
          size,
          timeoutMs: opts.timeout,
          keepLog: opts.log,
          logLevel: opts.logLevel,
          wantJitImage: opts.jitImage,
          memMiB: opts.mem,
          append: opts.append,
          accel: opts.accel,
          cpuModel: opts.cpu,
        });
        pools.push(pool);
        await pool.run(programs, {
          onOutcome: (i, o) => {
            results[i][k] = o;
            bar?.tick();
            flush();
          },
        });
        if (opts.explain) explanations[k] = await explainKernel(programs, results.map((r) => r[k]!), kernel, pool, opts);
      }),
    );
    bar?.clear();
    // after every outcome line, in program-major order like them
    programs.forEach((_, i) => kernels.forEach((_, k) => {
      const line = explanations[k]?.get(i);
      if (line) process.stderr.write(`${programs.length > 1 ? `program ${i + 1}, ` : ''}kernel ${kernels[k]!.id}: ${line}\n`);
    }));
  } catch (err) {
    if (err instanceof VmBootError || err instanceof PoolBrokenError) throw new UserError(err.message);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await Promise.all(pools.map((p) => p.close()));
    bar?.clear();
  }
}

/**
 * For each program the model (under the kernel's profile) judges differently from the kernel:
 * `model accept, kernel reject (...): model and kernel first disagree at insn 8: R0 ...`, from
 * the program's log at level 2 (the one kept, or a second load).
 */
async function explainKernel(programs: Program[], outcomes: Outcome[], kernel: KernelImage, pool: VmPool, opts: RunOptions): Promise<Map<number, string>> {
  const profile = resolveProfile(kernel.profile);
  const lines = new Map<number, string>();
  if (!profile) return lines;
  const diverging = programs.flatMap((p, i) => {
    const model = verify(p, profile, { run: false, xlated: false, jit: false });
    return judgedDifferently(model, outcomes[i]!) ? [{ i, model }] : [];
  });
  if (!diverging.length) return lines;
  const kept = opts.log && opts.logLevel >= 2;
  const logs = kept ? diverging.map(({ i }) => outcomes[i]!.log) : (await pool.run(diverging.map(({ i }) => programs[i]!), { settings: { logLevel: 2 }, keepLog: true })).map((o) => o.log);
  const says = (o: Outcome) => `${o.verdict}${o.message ? ` (${o.message})` : ''}`;
  diverging.forEach(({ i, model }, j) => {
    const log = logs[j];
    const d = log ? explainWithLog(programs[i]!, kernel.profile, log) : undefined;
    lines.set(i, `model ${says(model)}, kernel ${says(outcomes[i]!)}: ${d ? d.text : 'no states in the level-2 log to compare'}`);
  });
  return lines;
}

/** One verifier log as text, with a line saying whose it is. */
function logBlock(o: Outcome, index: number, total: number, kernel: string): string {
  const whose = `${total > 1 ? `program ${index + 1}, ` : ''}kernel ${kernel}: ${o.verdict}${o.message ? ` (${o.message})` : ''}`;
  if (!o.log) return `--- no verifier log: ${whose}\n`;
  const when = o.verdict === 'crash' ? ', up to the crash' : '';
  return `--- verifier log${when}: ${whose}\n${o.log.replace(/\n?$/, '\n')}--- end of log\n`;
}

/** A one-line progress bar on stderr, redrawn at most every 100 ms. */
class ProgressBar {
  private done = 0;
  private lastDraw = 0;
  private readonly started = Date.now();

  constructor(private readonly total: number) {}

  tick(): void {
    this.done++;
  }

  draw(): void {
    const now = Date.now();
    if (now - this.lastDraw < 100 && this.done < this.total) return;
    this.lastDraw = now;
    const width = 30;
    const filled = Math.round((this.done / this.total) * width);
    const rate = this.done / Math.max(0.001, (now - this.started) / 1000);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total} ${rate.toFixed(0)}/s`);
  }

  clear(): void {
    process.stderr.write('\r\x1b[K');
  }
}
