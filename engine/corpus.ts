// The corpus as programs: every program file under corpus/ (.json, .jsonl, and assembler .s
// sources), each with the path it came from. Replays run these.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseProgram, parseProgramsJsonl, programFromAsm, PROGRAM_FORMAT, type Program } from '../core/program/index.ts';

export const DEFAULT_CORPUS_DIR = fileURLToPath(new URL('../corpus/', import.meta.url));

/**
 * Suites with expectations of their own, scored by their own replays (test/selftests-suite.test.ts,
 * core/model/heldout-range.test.ts, scripts/selftests-report.ts): the kernel's selftests and the
 * held-out range-analysis set. A nightly replay of the corpus leaves them out: 1,600 programs more a
 * night, and their allowed differences are listed against annotations, not against the model.
 */
export const SUITE_DIRS = ['kernel-selftests', 'heldout-range'];

export interface CorpusEntry {
  path: string;
  program: Program;
}

export async function loadCorpus(dir: string = DEFAULT_CORPUS_DIR): Promise<CorpusEntry[]> {
  const out: CorpusEntry[] = [];
  let entries: string[];
  try {
    entries = (await readdir(dir, { recursive: true })).sort();
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (SUITE_DIRS.some((d) => entry === d || entry.startsWith(`${d}/`))) continue;
    const file = join(dir, entry);
    const path = relative(dir, file);
    if (entry.endsWith('.jsonl')) {
      parseProgramsJsonl(await readFile(file, 'utf8')).forEach((program, i) => out.push({ path: `${path}:${i + 1}`, program }));
    } else if (entry.endsWith('.json')) {
      const json = JSON.parse(await readFile(file, 'utf8')) as { format?: unknown };
      // expectation tables and other data sit beside the programs; only program files count
      if (json.format === PROGRAM_FORMAT) out.push({ path, program: parseProgram(json) });
    } else if (entry.endsWith('.s')) {
      const source = await readFile(file, 'utf8');
      out.push({ path, program: programFromAsm(source) });
    }
  }
  return out;
}
