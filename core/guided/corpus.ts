// The campaign corpus of guided fuzzing: programs that reached a model rule or a reason line no
// earlier program of the campaign reached. Admission follows campaign order (batch by batch, in
// index order inside a batch), so the same campaign keeps the same corpus on every machine. The
// corpus is bounded: once full, the oldest entry makes room for the newest.
import type { Program } from '../program/index.ts';
import { CampaignCoverage, type ProgramCoverage } from './coverage.ts';

export const DEFAULT_CORPUS_CAPACITY = 256;

export interface CorpusEntry {
  program: Program;
  /** the program's index in its campaign */
  index: number;
}

export class GuidedCorpus {
  private readonly kept: CorpusEntry[] = [];
  /** admissions so far; entries past `capacity` pushed the oldest out */
  admitted = 0;

  constructor(
    readonly coverage: CampaignCoverage,
    readonly capacity: number = DEFAULT_CORPUS_CAPACITY,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`corpus capacity: expected a positive integer, got ${capacity}`);
  }

  /**
   * Adds the program's coverage to the campaign's; keeps the program when it brought something
   * new. Returns whether it was kept.
   */
  offer(program: Program, index: number, pc: ProgramCoverage): boolean {
    if (!this.coverage.add(pc)) return false;
    if (this.kept.length >= this.capacity) this.kept.shift();
    this.kept.push({ program, index });
    this.admitted++;
    return true;
  }

  /** A copy of the entries now, oldest first: what a later batch mutates. */
  snapshot(): readonly CorpusEntry[] {
    return this.kept.slice();
  }

  get size(): number {
    return this.kept.length;
  }
}
