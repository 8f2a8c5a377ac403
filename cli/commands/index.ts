import type { Command } from 'commander';

/** A subcommand module: `register(program)` adds the command, its options and its action. */
interface CommandModule {
  register(program: Command): void;
}

// One entry per subcommand module; keep alphabetical. Each loads only when its command runs (or
// for `--help`), so `bpfdiff asm` does not load the service, the queues or the VM pool.
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  asm: () => import('./asm.ts'),
  disasm: () => import('./disasm.ts'),
  export: () => import('./export.ts'),
  fuzz: () => import('./fuzz.ts'),
  gen: () => import('./gen.ts'),
  'import-selftests': () => import('./import-selftests.ts'),
  model: () => import('./model.ts'),
  reduce: () => import('./reduce.ts'),
  run: () => import('./run.ts'),
  serve: () => import('./serve.ts'),
  start: () => import('./start.ts'),
  validate: () => import('./validate.ts'),
  worker: () => import('./worker.ts'),
};

/** The modules to load for these arguments: the named command's alone, else all (help, a typo). */
export async function commandsFor(argv: readonly string[]): Promise<CommandModule[]> {
  const name = argv.find((a) => !a.startsWith('-'));
  const only = name !== undefined && Object.hasOwn(COMMANDS, name) ? [COMMANDS[name]] : Object.values(COMMANDS);
  return Promise.all(only.map((load) => load()));
}
