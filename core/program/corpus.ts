// Corpus entries: an assembler source per program plus the outcome each kernel is expected to
// give (corpus/<set>/expected.json, described in corpus/selftests/README.md). Pure: callers
// read the files and hand the text here.
import type { Program, Verdict } from './types.ts';
import { programFromAsm } from './assemble.ts';

export const CORPUS_KERNELS = ['7.2', '6.12'] as const;
type CorpusKernel = (typeof CORPUS_KERNELS)[number];

/** What a program needs beyond part 1 of the model (scalars, stack, calls, stack arguments). */
const CORPUS_NEEDS = ['maps', 'helpers', 'packet', 'refs'] as const;
type CorpusNeed = (typeof CORPUS_NEEDS)[number];

interface CorpusOutcome {
  verdict: Extract<Verdict, 'accept' | 'reject'>;
  /** BPF_PROG_LOAD errno of a reject */
  errno?: number;
  /** the verifier's reason line of a reject, exactly */
  message?: string;
  /** the test run's retval of an accept */
  retval?: number;
}

interface CorpusExpectation {
  /** the kernel file the test comes from */
  source: string;
  /** the program has a function with more than 5 arguments, so it must be loaded with BTF and func_info */
  btfRequired: boolean;
  /** `annotation`: the kernel test's __success/__msg/__retval; `derived`: worked out from the source, see `note` */
  basis: 'annotation' | 'derived';
  note?: string;
  needs: CorpusNeed[];
  outcomes: Record<CorpusKernel, CorpusOutcome>;
}

class CorpusFormatError extends Error {
  override readonly name = 'CorpusFormatError';
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseOutcome(v: unknown, field: string): CorpusOutcome {
  if (!isRecord(v)) throw new CorpusFormatError(`${field}: expected an object {verdict, errno?, message?, retval?}`);
  const { verdict, errno, message, retval } = v;
  if (verdict !== 'accept' && verdict !== 'reject') throw new CorpusFormatError(`${field}.verdict: expected "accept" or "reject"`);
  const out: CorpusOutcome = { verdict };
  if (errno !== undefined) {
    if (!Number.isInteger(errno)) throw new CorpusFormatError(`${field}.errno: expected an integer`);
    out.errno = errno as number;
  }
  if (message !== undefined) {
    if (typeof message !== 'string') throw new CorpusFormatError(`${field}.message: expected a string`);
    out.message = message;
  }
  if (retval !== undefined) {
    if (!Number.isInteger(retval) || (retval as number) < 0 || (retval as number) > 0xffffffff) {
      throw new CorpusFormatError(`${field}.retval: expected a u32`);
    }
    out.retval = retval as number;
  }
  if (verdict === 'reject' && out.message === undefined) throw new CorpusFormatError(`${field}.message: a reject needs its reason line`);
  return out;
}

/** Parse the contents of an expected.json; errors name the entry and field. */
export function parseCorpusExpectations(json: unknown): Map<string, CorpusExpectation> {
  if (!isRecord(json)) throw new CorpusFormatError('expected.json: expected an object mapping NAME to its expectation');
  const out = new Map<string, CorpusExpectation>();
  for (const [name, entry] of Object.entries(json)) {
    if (!isRecord(entry)) throw new CorpusFormatError(`${name}: expected an object`);
    if (typeof entry.source !== 'string') throw new CorpusFormatError(`${name}.source: expected the kernel file name`);
    if (typeof entry.btfRequired !== 'boolean') throw new CorpusFormatError(`${name}.btfRequired: expected true or false`);
    if (entry.basis !== 'annotation' && entry.basis !== 'derived') throw new CorpusFormatError(`${name}.basis: expected "annotation" or "derived"`);
    if (entry.note !== undefined && typeof entry.note !== 'string') throw new CorpusFormatError(`${name}.note: expected a string`);
    const needs = entry.needs ?? [];
    if (!Array.isArray(needs) || !needs.every((n) => (CORPUS_NEEDS as readonly unknown[]).includes(n))) {
      throw new CorpusFormatError(`${name}.needs: expected a list of ${CORPUS_NEEDS.join('|')}`);
    }
    const outcomes = {} as Record<CorpusKernel, CorpusOutcome>;
    for (const kernel of CORPUS_KERNELS) outcomes[kernel] = parseOutcome(entry[kernel], `${name}.${kernel}`);
    out.set(name, {
      source: entry.source,
      btfRequired: entry.btfRequired,
      basis: entry.basis,
      ...(entry.note === undefined ? {} : { note: entry.note as string }),
      needs: needs as CorpusNeed[],
      outcomes,
    });
  }
  return out;
}

/** Assemble one corpus source into a Program; `.type` is required, the input defaults to 64 zero bytes. */
export function corpusProgram(name: string, source: string): Program {
  return programFromAsm(source, { requireType: true, meta: { corpus: name } });
}
