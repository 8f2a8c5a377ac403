// The two plain-data records everything in bpfdiff passes around: a Program (what is loaded)
// and an Outcome (what a kernel or the model did with it). See docs/ARCHITECTURE.md for the JSON forms.
import type { RawInsn } from '../isa/raw.ts';
import type { FuncDecl, MapDecl, MapType, ProgType } from '../isa/decls.ts';

export { PROG_TYPES, MAP_TYPES, type ProgType, type Linkage, type FuncDecl, type MapDecl } from '../isa/decls.ts';

/** Kernel `enum bpf_prog_type` numbers for the program types bpfdiff loads. */
export const PROG_TYPE_IDS: Record<ProgType, number> = { socket_filter: 1, sched_cls: 3, xdp: 6 };
/** Kernel `enum bpf_map_type` numbers. */
export const MAP_TYPE_IDS: Record<MapType, number> = { hash: 1, array: 2 };

export interface Program {
  progType: ProgType;
  /** raw 8-byte records; an LD_IMM64 occupies two entries, as in the kernel */
  insns: RawInsn[];
  /** sorted by start; funcs[0].start === 0 is the main program */
  funcs: FuncDecl[];
  maps: MapDecl[];
  /** test-run packet bytes; default 64 zero bytes */
  input: Uint8Array;
  meta?: Record<string, unknown>;
}

export type Verdict = 'accept' | 'reject' | 'crash' | 'hang' | 'error' | 'unknown';

export interface JitFacts {
  /** total JITed length in bytes */
  len?: number;
  /** JITed length of each function, in func order */
  funcLens?: number[];
  /** hex of the JITed image, all functions in function order */
  image?: string;
  /** model side: [byteOffset, length] ranges of the image that depend on run-time addresses */
  masked?: Array<[number, number]>;
  /** model side: image offset where each xlated instruction's code starts (locates a difference) */
  insnOffsets?: number[];
}

export interface Outcome {
  verdict: Verdict;
  /** errno of BPF_PROG_LOAD (or of BTF load); 0 on accept */
  errno: number;
  /** the verifier's reason line (see docs/ARCHITECTURE.md); '' on accept */
  message: string;
  /** 7.3+: "<category>: <title>" of the structured report */
  report?: string;
  /** u32 from the test run, accept only */
  retval?: number;
  jit?: JitFacts;
  /** guest `uname -r`, or "model:<profile>" */
  kernel: string;
  /** oops/WARN excerpt for crash, hang, or warnings */
  console?: string;
  /** verdict 'unknown': what the model does not cover yet */
  unknown?: string;
  /** full verifier log, when kept */
  log?: string;
  verifiedInsns?: number;
  xlatedLen?: number;
  /** hex of the program after the verifier's rewrites (kernel: xlated_prog_insns with map
   *  ids replaced by the program's map indices; model: its prediction) */
  xlated?: string;
  /** model side: [instruction index, kernel function] of each xlated instruction a rewrite pass wrote */
  rewrites?: Array<[number, string]>;
  /** QEMU CPU model the kernel ran on (`qemu64` by default); the JIT's output depends on it */
  cpu?: string;
  /** the retval depends on something nondeterministic (prandom, uninitialised stack, ...) */
  unpredictable?: string;
}
