import type { Command } from 'commander';
import { register as asm } from './asm.ts';
import { register as disasm } from './disasm.ts';
import { register as fuzz } from './fuzz.ts';
import { register as importSelftests } from './import-selftests.ts';
import { register as model } from './model.ts';
import { register as reduce } from './reduce.ts';
import { register as run } from './run.ts';
import { register as serve } from './serve.ts';
import { register as start } from './start.ts';
import { register as validate } from './validate.ts';
import { register as worker } from './worker.ts';

// One entry per subcommand module; keep alphabetical.
export const commands: Array<(program: Command) => void> = [asm, disasm, fuzz, importSelftests, model, reduce, run, serve, start, validate, worker];
