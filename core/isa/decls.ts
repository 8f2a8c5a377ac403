// What a program declares besides its instructions, as the assembler's directives write it
// (.type, .func, .map): the program type, its functions and their signatures, its maps.
// core/program builds the Program record on these; they live here so the assembler needs
// nothing from core/program.

export const PROG_TYPES = ['socket_filter', 'sched_cls', 'xdp'] as const;
import type { ArgType } from './arg-types.ts';

export type ProgType = (typeof PROG_TYPES)[number];

export type Linkage = 'static' | 'global';

export interface FuncDecl {
  name: string;
  /** instruction index of the function's first instruction (LD_IMM64 counts as two) */
  start: number;
  /** number of arguments its BTF declares (0..BTF_MAX_VLEN); arguments 6..12 use the r11 stack-argument area, the kernel refuses more than 12 */
  args: number;
  linkage: Linkage;
  /** the BTF type of each argument (`args` entries, see arg-types.ts); absent: every argument is a scalar */
  argTypes?: ArgType[];
}

/** BTF_MAX_VLEN: the most parameters a BTF FUNC_PROTO can carry. Any count is a legal input; the
 * verifier refuses more than MAX_BPF_FUNC_ARGS (12) itself, and the model predicts that. */
export const MAX_FUNC_ARGS = 0xffffff;

export const MAP_TYPES = ['hash', 'array'] as const;
export type MapType = (typeof MAP_TYPES)[number];

export interface MapDecl {
  type: MapType;
  keySize: number;
  valueSize: number;
  maxEntries: number;
}
