// What every body feature (statements, fillers, call sites) sees while one function's body is
// drawn: the random source, the options, the function's plan and frame, and where ops go.
import type { Op } from '../isa/index.ts';
import type { Prng } from './prng.ts';
import type { ProgramOptions } from './options.ts';
import type { FuncPlan, ProgramPlan } from './plan.ts';

/** The function's stack frame: offsets (negative, from r10) of what it keeps there. */
export interface Frame {
  /** the spilled ctx pointer, 0 when the function holds no ctx */
  ctxSlot: number;
  /** spilled received stack pointers */
  ptrSlots: number[];
  /** scalar locals */
  locals: number[];
  /** spilled received pointers to map values, with the map each points into */
  mapSlots: Array<{ off: number; map: number }>;
  /** the frame's free slots below everything else, from the highest down (contiguous): buffers for helpers */
  scratch: number[];
}

export interface BodyCtx {
  readonly rng: Prng;
  readonly opts: ProgramOptions;
  readonly program: ProgramPlan;
  /** the function being drawn */
  readonly plan: FuncPlan;
  readonly frame: Frame;
  emit(...ops: Op[]): void;
  /** mixes register `v` into the checksum */
  fold(v: number): void;
  /** a jump label unique in the program */
  newLabel(): number;
}
