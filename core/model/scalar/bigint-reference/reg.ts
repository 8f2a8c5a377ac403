// The BigInt implementation of the scalar transfer functions, frozen when the model moved to int32
// word pairs (../u64.ts): the exactness oracle of scalar.reference.test.ts. Not used by the model.
import type { Cnum } from './cnum.ts';
import type { Tnum } from './tnum.ts';

export interface Reg {
  type: string;
  varOff: Tnum;
  r64: Cnum;
  r32: Cnum;
  frameno: number;
  id: number;
  delta: number;
  linked32?: boolean;
  mapIdx: number;
  range: number;
}
