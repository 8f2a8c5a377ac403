// The frozen BigInt implementation of the scalar transfer functions (see reg.ts): the oracle of
// ../reference.test.ts.
export * from './tnum.ts';
export * from './cnum.ts';
export { adjustScalar } from './alu.ts';
export {
  boundsInsane,
  coerceRegToSize,
  coerceRegToSizeSx,
  coerceSubregToSizeSx,
  regBoundsSync,
  regWidth,
  s32max,
  s32min,
  smax,
  smin,
  u32max,
  u32min,
  umax,
  umin,
  updateRegBounds,
  zext32To64,
} from './bounds.ts';
export { refineCondOp, scalarBranchTaken, type BranchRegs } from './branch.ts';
export type { Reg } from './reg.ts';
