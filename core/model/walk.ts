// Path exploration (do_check, do_check_main, do_check_subprogs): walks every path of the program
// instruction by instruction, forking at undecided branches, pruning paths whose state is contained
// in an already fully explored one (is_state_visited), and detecting loops that make no progress.
import type { RawInsn } from '../isa/raw.ts';
import type { Program } from '../program/types.ts';
import { checkOutgoingStackArgs, clearCallerSaved, invalidateOutgoingStackArgs, stackArgRead, stackArgWrite, type SubprogInfo } from './calls.ts';
import { checkAtomic } from './atomic.ts';
import { E2BIG, EACCES, EFAULT, EINVAL, msg } from './messages.ts';
import { checkHelperCall } from './helper-call.ts';
import { helperChangesPktData } from './helpers.ts';
import { assignScalarId, checkMemAccess, regTypeStr, type MemEnv } from './memory.ts';
import { clearAllPktPointers, markPtrNotNull, markPtrOrNullRegs, pktPtrBranchTaken, referenceLeak, regNotNull, tryMatchPktPointers } from './pointers.ts';
import { ALU_OP_STRING, BPF_ADD, BPF_AND, BPF_ARSH, BPF_DIV, BPF_LSH, BPF_MOD, BPF_OR, BPF_RSH, BPF_XOR, BPF_REG_FP, BPF_ALU64, BPF_ATOMIC, BPF_CALL, BPF_END, BPF_EXIT, BPF_JA, BPF_JEQ, BPF_JMP, BPF_JMP32, BPF_JNE, BPF_K, BPF_LD, BPF_LDX, BPF_MEMSX, BPF_MOV, BPF_NEG, BPF_PSEUDO_CALL, BPF_PSEUDO_MAP_FD, BPF_ST, BPF_STX, BPF_SUB, BPF_X, isLdImm64, isStackArgLdx, isStackArgSt, isStackArgStx, opClass, opMode, opOp, opSource, sizeBytes } from '../isa/index.ts';
import { checkInsnFields, checkRegNumbers, reject, unknown, type CheckResult, type Subprog } from './precheck.ts';
import type { Profile } from './profile.ts';
import { recordStep, type WalkTrace } from './trace.ts';
import { adjustScalar } from './scalar/alu.ts';
import {
  boundsInsane, coerceRegToSizeSx, coerceSubregToSizeSx, markKnown, markUnknown, regBoundsSync, regWidth, smin, umax, umin, smax, zext32To64,
} from './scalar/bounds.ts';
import { scalarBranchTaken, isRegConst, regConstValue, flipOpcode, type BranchRegs } from './scalar/branch.ts';
import { C32, C64, cnumEquals } from './scalar/cnum.ts';
import { tnumAdd, tnumConst, tnumEquals, tnumIn, tnumIsConst, tnumSub, U32 } from './scalar/tnum.ts';
import {
  cloneState, curFrame, isPktPointer, isPktPointerAny, knownScalar, knownScalarImm, mayBeNull, newFrame, nextId, notInitReg, pointerReg, resetIds, unknownScalar,
  type Frame, type Reg, type VState,
} from './state.ts';

export interface WalkResult {
  result?: CheckResult;
  processed: number;
}

const BPF_MAX_VAR_OFF = 1n << 29n;
/** the model explores more than the kernel (no precision tracking); past this it answers unknown */
const MODEL_BUDGET = 250_000;
/**
 * State comparisons before the model gives up with `unknown`: a loop the kernel walks to its
 * 1M-insn limit keeps a growing list of states at its head, and comparing against all of them
 * makes the walk quadratic where the kernel's C is merely slow. With the kernel's eviction of
 * states that keep missing, a 17-function program the kernel verifies in 159k insns needs
 * between 100k and 150k comparisons (100k gave `unknown` on 9 of 10,000 programs of seed 1).
 */
const COMPARE_BUDGET = 1_000_000;

interface Checkpoint {
  parent: Checkpoint | undefined;
  /** live paths below this checkpoint */
  branches: number;
  insn: number;
  state: VState;
  /** pruning hits and misses at this state's insn (the kernel's hit_cnt, miss_cnt) */
  hits: number;
  misses: number;
}

interface Path {
  st: VState;
  cp: Checkpoint | undefined;
}

export class Walker {
  processed = 0;
  private jmpsProcessed = 0;
  private compared = 0;
  private prevJmps = 0;
  private prevProcessed = 0;
  private readonly hasBackEdge: boolean;
  readonly info: SubprogInfo[];
  private readonly explored = new Map<number, Checkpoint[]>();
  private readonly prunePoints: Uint8Array;
  /** global subprogs a call reached; verified after main (do_check_subprogs) */
  readonly calledGlobals = new Set<number>();
  /** subprograms whose BTF no longer describes how they are called */
  private readonly unreliable = new Set<number>();
  /** when set, every R0 state at the main program's exit is recorded (bounds soundness tests) */
  exitR0: Reg[] | undefined;
  /** when set, what the rewrite passes need (seen insns, pointer types, maps at calls) */
  trace: WalkTrace | undefined;
  /** called with the state before each instruction is checked (core/model/walk-log.ts) */
  onInsn: ((idx: number, st: VState) => void) | undefined;
  private readonly memEnv: MemEnv;
  /** subprog_info[].changes_pkt_data: the subprogram or one it calls may move packet data */
  private readonly changesPktData: boolean[];

  constructor(
    private readonly prog: Program,
    private readonly profile: Profile,
    private readonly subprogs: Subprog[],
    private readonly subprogOf: Int32Array,
  ) {
    this.info = subprogs.map(() => ({ argCnt: 0, inStackArgs: 0, maxOutWritten: 0, stackArgCnt: 0, stackDepth: 0 }));
    resetIds();
    this.memEnv = { profile, progType: prog.progType, maps: prog.maps, onStackDepth: this.onStackDepth };
    this.changesPktData = changesPktData(prog, subprogs, subprogOf);
    const n = prog.insns.length;
    this.prunePoints = new Uint8Array(n + 1);
    let backEdge = false;
    prog.insns.forEach((insn, i) => {
      const c = opClass(insn.code);
      if (c !== BPF_JMP && c !== BPF_JMP32) return;
      const o = opOp(insn.code);
      if (o === BPF_EXIT) return;
      if (o === BPF_CALL) {
        this.prunePoints[i + 1] = 1;
        return;
      }
      const off = insn.code === (BPF_JMP32 | BPF_JA) ? insn.imm : insn.off;
      this.prunePoints[i + off + 1] = 1;
      if (off < 0) backEdge = true;
      if (o !== BPF_JA) this.prunePoints[i] = 1;
    });
    this.hasBackEdge = backEdge;
  }

  /** btf_prepare_func_args for a subprogram (not main): argument count rules */
  prepareFuncArgs(sub: number): CheckResult | 'unreliable' | undefined {
    const s = this.subprogs[sub]!;
    const info = this.info[sub]!;
    const n = s.args;
    info.argCnt = n;
    const f = this.profile.features;
    if (!f.stackArgs) {
      if (n > this.profile.limits.maxRegArgs) {
        if (s.linkage !== 'global') return 'unreliable';
        return reject(EINVAL, msg.globalTooManyArgs612(s.name, n, 5));
      }
      return undefined;
    }
    if (n > this.profile.limits.maxFuncArgs) return reject(EFAULT, msg.tooManyParams(this.profile.limits.maxFuncArgs, s.name, n));
    if (n > 5) {
      info.inStackArgs = n - 5;
      if (info.stackArgCnt < n - 5) info.stackArgCnt = n - 5;
    }
    if (s.linkage === 'global' && n > 5) return reject(EINVAL, msg.globalStackArgs(s.name, n, 5));
    return undefined;
  }

  /** do_check_common for `sub` (0 = main) */
  run(sub: number): CheckResult | undefined {
    const frame = newFrame(0, sub, -1);
    if (sub === 0) {
      frame.regs[1] = pointerReg('ptr_to_ctx', 0);
    } else {
      const prep = this.prepareFuncArgs(sub);
      if (prep && prep !== 'unreliable') return prep;
      const nregs = Math.min(this.subprogs[sub]!.args, 5);
      for (let r = 1; r <= nregs; r++) frame.regs[r] = unknownScalar();
    }
    const st: VState = { frames: [frame], refs: [], insnIdx: this.subprogs[sub]!.start, prevIdx: -1 };
    return this.explore({ st, cp: undefined });
  }

  private explore(first: Path): CheckResult | undefined {
    const pending: Path[] = [first];
    while (pending.length) {
      const path = pending.pop()!;
      const res = this.walkPath(path, pending);
      if (res) return res;
    }
    return undefined;
  }

  private finishPath(cp: Checkpoint | undefined): void {
    let node = cp;
    while (node) {
      node.branches--;
      if (node.branches > 0) break;
      node = node.parent;
    }
  }

  private walkPath(path: Path, pending: Path[]): CheckResult | undefined {
    const insns = this.prog.insns;
    const st = path.st;
    for (;;) {
      const idx = st.insnIdx;
      if (idx < 0 || idx >= insns.length) return reject(EFAULT, `invalid insn idx ${idx} insn_cnt ${insns.length}`);
      this.processed++;
      if (this.processed > this.profile.limits.complexityInsns) {
        // the kernel walks loops iteration by iteration as the model does; elsewhere it prunes more
        if (this.hasBackEdge) return reject(E2BIG, msg.complexity(this.processed));
        return unknown('state explosion (the model has no precision tracking to prune like the kernel)');
      }
      if (this.processed > MODEL_BUDGET && !this.hasBackEdge) return unknown('state explosion (the model has no precision tracking to prune like the kernel)');
      if (this.prunePoints[idx]) {
        const v = this.isStateVisited(path, idx);
        if (v === 'pruned') {
          this.finishPath(path.cp);
          return undefined;
        }
        if (v) return v;
      }
      const insn = insns[idx]!;
      if (this.trace) recordStep(this.trace, st, insn, idx);
      const ic = opClass(insn.code);
      if (ic === BPF_JMP || ic === BPF_JMP32) this.jmpsProcessed++;
      if (!this.profile.features.insnFieldsCheckedBeforeWalk) {
        const bad = checkRegNumbers612(insn) ?? checkInsnFields(insn);
        if (bad) return bad;
      }
      this.onInsn?.(idx, st);
      const out = this.step(st, insn, idx, pending, path);
      if (out === 'exit') {
        this.finishPath(path.cp);
        return undefined;
      }
      if (out) return out;
    }
  }

  /** one instruction; advances st.insnIdx. Returns a verdict, 'exit' when the path ends, or undefined */
  private step(st: VState, insn: RawInsn, idx: number, pending: Path[], path: Path): CheckResult | 'exit' | undefined {
    const f = curFrame(st);
    const regs = f.regs;
    const c = opClass(insn.code);
    const r11 = this.profile.features.stackArgs ? this.profile.features.stackArgReg : -1;
    st.prevIdx = idx;
    switch (c) {
      case 0x04:
      case BPF_ALU64: {
        const res = this.checkAlu(st, insn, pending, path);
        if (res) return res;
        st.insnIdx = idx + 1;
        return undefined;
      }
      case BPF_LDX: {
        if (r11 >= 0 && isStackArgLdx(insn, r11)) {
          const e = writeReg(insn.dst);
          if (e) return e;
          const res = stackArgRead(st, this.info[f.subprog]!, insn.off, insn.dst);
          if (res) return res;
          st.insnIdx = idx + 1;
          return undefined;
        }
        const e = readReg(regs, insn.src) ?? writeReg(insn.dst);
        if (e) return e;
        const ptr = regs[insn.src]!;
        if (ptr.type === 'scalar') return reject(EACCES, msg.invalidMemAccess(`R${insn.src}`, 'scalar'));
        const res = checkMemAccess(st, { ...ptr }, { who: `R${insn.src}`, off: insn.off, size: sizeBytes(insn.code), write: false, valueRegno: insn.dst, ldsx: opMode(insn.code) === BPF_MEMSX }, this.memEnv);
        if (res) return res;
        st.insnIdx = idx + 1;
        return undefined;
      }
      case BPF_STX:
      case BPF_ST: {
        if (c === BPF_STX && opMode(insn.code) === BPF_ATOMIC) {
          const res = checkAtomic(st, insn, this.memEnv);
          if (res) return res;
          st.insnIdx = idx + 1;
          return undefined;
        }
        if (r11 >= 0 && (isStackArgSt(insn, r11) || isStackArgStx(insn, r11))) {
          let value: Reg | bigint = BigInt(insn.imm);
          if (c === BPF_STX) {
            const e = readReg(regs, insn.src);
            if (e) return e;
            value = regs[insn.src]!;
          }
          const res = stackArgWrite(f, this.info[f.subprog]!, insn.off, value);
          if (res) return res;
          st.insnIdx = idx + 1;
          return undefined;
        }
        const e = (c === BPF_STX ? readReg(regs, insn.src) : undefined) ?? readReg(regs, insn.dst);
        if (e) return e;
        const ptr = regs[insn.dst]!;
        if (ptr.type === 'scalar') return reject(EACCES, msg.invalidMemAccess(`R${insn.dst}`, 'scalar'));
        const res = checkMemAccess(
          st,
          { ...ptr },
          { who: `R${insn.dst}`, off: insn.off, size: sizeBytes(insn.code), write: true, valueRegno: c === BPF_STX ? insn.src : -1, imm: c === BPF_ST ? insn.imm : undefined, ldsx: false },
          this.memEnv,
        );
        if (res) return res;
        st.insnIdx = idx + 1;
        return undefined;
      }
      case BPF_LD: {
        if (!isLdImm64(insn)) return unknown('legacy packet access (BPF_LD_ABS/IND)');
        const e = writeReg(insn.dst);
        if (e) return e;
        const hi = this.prog.insns[idx + 1]!.imm;
        if (insn.src === 0) regs[insn.dst] = knownScalar((BigInt(hi >>> 0) << 32n) | BigInt(insn.imm >>> 0));
        else {
          // check_ld_imm: a map (src 1) or the value of a one-element array (src 2) at offset hi
          const r = pointerReg(insn.src === BPF_PSEUDO_MAP_FD ? 'map_ptr' : 'map_value', insn.src === BPF_PSEUDO_MAP_FD ? 0 : hi >>> 0);
          r.mapIdx = insn.imm;
          regs[insn.dst] = r;
        }
        st.insnIdx = idx + 2;
        return undefined;
      }
      case BPF_JMP:
      case BPF_JMP32: {
        const o = opOp(insn.code);
        if (o === BPF_CALL) {
          if (this.info[f.subprog]!.inStackArgs) f.noStackArgLoad = true;
          if (insn.src === BPF_PSEUDO_CALL) return this.checkFuncCall(st, insn, idx, pending, path);
          return checkHelperCall(st, insn.imm, idx, this.memEnv);
        }
        if (o === BPF_JA) {
          if (opSource(insn.code) === BPF_X) return unknown('indirect jumps (gotox)');
          st.insnIdx = idx + (c === BPF_JMP ? insn.off : insn.imm) + 1;
          return undefined;
        }
        if (o === BPF_EXIT) return this.exit(st);
        return this.condJmp(st, insn, idx, pending, path);
      }
      default:
        return reject(EINVAL, msg.unknownOpcode(insn.code));
    }
  }

  private readonly onStackDepth = (frame: Frame, bytes: number): void => {
    const info = this.info[frame.subprog]!;
    if (info.stackDepth < bytes) info.stackDepth = bytes;
  };

  private checkAlu(st: VState, insn: RawInsn, pending: Path[], path: Path): CheckResult | undefined {
    const regs = curFrame(st).regs;
    const o = opOp(insn.code);
    const alu64 = opClass(insn.code) === BPF_ALU64;
    const aluInsn = { op: o, alu32: !alu64, off: insn.off, imm: insn.imm, srcBit: opSource(insn.code) === BPF_X };
    if (o === BPF_END || o === BPF_NEG) {
      const e = readReg(regs, insn.dst);
      if (e) return e;
      const dst = regs[insn.dst]!;
      if (dst.type === 'scalar') {
        const e2 = writeReg(insn.dst);
        if (e2) return e2;
        adjustScalar(aluInsn, dst, dst);
      } else {
        // privileged: the pointer becomes an unknown scalar
        const e2 = writeReg(insn.dst);
        if (e2) return e2;
        markUnknown(dst);
      }
      return undefined;
    }
    if (o === BPF_MOV) {
      if (opSource(insn.code) === BPF_X) {
        if (insn.off === 1 && alu64) return unknown('arena address-space casts');
        const e = readReg(regs, insn.src);
        if (e) return e;
      }
      const e = writeReg(insn.dst);
      if (e) return e;
      if (opSource(insn.code) === BPF_X) {
        const s = regs[insn.src]!;
        if (alu64) {
          if (insn.off === 0) {
            assignScalarId(st, s);
            regs[insn.dst] = { ...s };
          } else if (s.type === 'scalar') {
            const noSext = umax(s) < 1n << BigInt(insn.off - 1);
            if (noSext) assignScalarId(st, s);
            const d = { ...s };
            if (!noSext) {
              d.id = 0;
              d.delta = 0;
            }
            coerceRegToSizeSx(d, insn.off >> 3);
            regs[insn.dst] = d;
          } else {
            regs[insn.dst] = unknownScalar();
          }
        } else {
          let d: Reg;
          if (s.type === 'scalar') {
            if (insn.off === 0) {
              const u32ok = regWidth(s) <= 32;
              if (u32ok) assignScalarId(st, s);
              d = { ...s };
              if (!u32ok) {
                d.id = 0;
                d.delta = 0;
              }
            } else {
              const noSext = umax(s) < 1n << BigInt(insn.off - 1);
              if (noSext) assignScalarId(st, s);
              d = { ...s };
              if (!noSext) {
                d.id = 0;
                d.delta = 0;
              }
              coerceSubregToSizeSx(d, insn.off >> 3);
            }
          } else {
            d = unknownScalar();
          }
          zext32To64(d);
          regBoundsSync(d);
          regs[insn.dst] = d;
        }
      } else {
        const d = unknownScalar();
        markKnown(d, alu64 ? BigInt(insn.imm) : BigInt(insn.imm >>> 0));
        regs[insn.dst] = d;
      }
      return undefined;
    }
    // all other ALU ops
    if (opSource(insn.code) === BPF_X) {
      const e = readReg(regs, insn.src);
      if (e) return e;
    }
    const e = readReg(regs, insn.dst);
    if (e) return e;
    if ((o === BPF_MOD || o === BPF_DIV) && opSource(insn.code) === BPF_K && insn.imm === 0) return reject(EINVAL, msg.divByZero());
    if ((o === BPF_LSH || o === BPF_RSH || o === BPF_ARSH) && opSource(insn.code) === BPF_K) {
      const size = alu64 ? 64 : 32;
      if (insn.imm < 0 || insn.imm >= size) return reject(EINVAL, msg.invalidShift(insn.imm));
    }
    const e2 = writeReg(insn.dst);
    if (e2) return e2;
    const dst = regs[insn.dst]!;
    const srcReg = opSource(insn.code) === BPF_X ? regs[insn.src]! : knownScalarImm(insn.imm);
    const opName = ALU_OP_STRING[o] ?? '?';
    if (dst.type !== 'scalar' || srcReg.type !== 'scalar') {
      if (opSource(insn.code) === BPF_X && srcReg.type !== 'scalar' && dst.type !== 'scalar') {
        if (o === BPF_SUB) {
          regs[insn.dst] = unknownScalar();
          return undefined;
        }
        return reject(EACCES, msg.ptrPtrProhibited(insn.dst, opName));
      }
      const ptr = dst.type !== 'scalar' ? dst : srcReg;
      const off = dst.type !== 'scalar' ? srcReg : dst;
      return this.adjustPtr(st, insn, ptr, off, dst.type === 'scalar');
    }
    const dstUmax = umax(dst);
    const fork = adjustScalar(aluInsn, dst, srcReg);
    if (fork) {
      const other = cloneState(st);
      curFrame(other).regs[insn.dst] = fork;
      other.insnIdx = st.prevIdx;
      this.pushPath(pending, path, other);
    }
    // linked registers: rX += const keeps the link with a delta (adjust_reg_min_max_vals)
    const isConstSrc = isRegConst(srcReg, !alu64);
    if ((o === BPF_ADD || o === BPF_SUB) && dst.id && isConstSrc && !(opSource(insn.code) === BPF_X && insn.src === insn.dst)) {
      const val = regConstValue(srcReg, !alu64);
      let offv = Number(BigInt.asIntN(32, val));
      const bad = (!alu64 && dstUmax > U32) || (alu64 && (BigInt.asIntN(64, val) < -(1n << 31n) || BigInt.asIntN(64, val) >= 1n << 31n));
      if (bad || (o === BPF_SUB && offv === -(2 ** 31)) || dst.id < 0) {
        dst.id = 0;
        dst.delta = 0;
      } else {
        if (o === BPF_SUB) offv = -offv;
        if (dst.delta !== 0 || dst.linked32 !== undefined) {
          dst.id = 0;
          dst.delta = 0;
          dst.linked32 = undefined;
        } else {
          dst.delta = offv;
          dst.linked32 = !alu64;
        }
      }
    } else {
      dst.id = 0;
      dst.delta = 0;
      dst.linked32 = undefined;
    }
    if (boundsInsane(dst)) return reject(EFAULT, `verifier bug: REG INVARIANTS VIOLATION (alu)`);
    return undefined;
  }

  /** adjust_ptr_min_max_vals for the pointer kinds the model covers */
  private adjustPtr(st: VState, insn: RawInsn, ptr: Reg, offReg: Reg, scalarDst: boolean): CheckResult | undefined {
    const regs = curFrame(st).regs;
    const dstno = insn.dst;
    const o = opOp(insn.code);
    const known = tnumIsConst(offReg.varOff);
    const sminv = smin(offReg), smaxv = smax(offReg), uminv = umin(offReg), umaxv = umax(offReg);
    const typeStr = regTypeStr(ptr);
    if ((known && (sminv !== smaxv || uminv !== umaxv)) || sminv > smaxv || uminv > umaxv) {
      regs[dstno] = unknownScalar();
      return undefined;
    }
    if (opClass(insn.code) !== BPF_ALU64) {
      if (o === BPF_SUB) {
        regs[dstno] = unknownScalar();
        return undefined;
      }
      return reject(EACCES, msg.ptrArith32(dstno));
    }
    if (mayBeNull(ptr.type)) return reject(EACCES, `R${dstno} pointer arithmetic on ${typeStr} prohibited, null-check it first`);
    switch (ptr.type) {
      case 'ptr_to_ctx':
      case 'ptr_to_stack':
      case 'map_value':
      case 'pkt':
      case 'pkt_meta':
        break;
      default:
        // CONST_PTR_TO_MAP only takes `+= 0`
        if (ptr.type === 'map_ptr' && known && sminv === 0n && o === BPF_ADD) break;
        return reject(EACCES, `R${dstno} pointer arithmetic on ${typeStr} prohibited`);
    }
    // check_reg_sane_offset_scalar / _ptr
    const val = BigInt.asIntN(64, offReg.varOff.value);
    if (known && (val >= BPF_MAX_VAR_OFF || val <= -BPF_MAX_VAR_OFF)) return reject(EINVAL, msg.mathPtrConst(typeStr, val));
    if (sminv === -(1n << 63n)) return reject(EINVAL, msg.mathPtrUnbounded(typeStr));
    if (sminv >= BPF_MAX_VAR_OFF || sminv <= -BPF_MAX_VAR_OFF) return reject(EINVAL, msg.valueMakesPtrOob(sminv, typeStr));
    const pval = BigInt.asIntN(64, ptr.varOff.value);
    if ((tnumIsConst(ptr.varOff) && (pval >= BPF_MAX_VAR_OFF || pval <= -BPF_MAX_VAR_OFF)) || smin(ptr) >= BPF_MAX_VAR_OFF || smin(ptr) <= -BPF_MAX_VAR_OFF)
      return reject(EINVAL, msg.ptrOffsetNotAllowed(typeStr, tnumIsConst(ptr.varOff) ? pval : smin(ptr)));
    const d: Reg = { ...ptr, r32: C32.UNBOUNDED };
    const pkt = isPktPointer(ptr.type);
    // 6.12 kept constants in reg->off and variable parts in var_off (for its messages)
    if (known) d.fixedOff = ptr.fixedOff + Number(o === BPF_SUB ? -val : val);
    else d.varPart = (o === BPF_SUB ? tnumSub : tnumAdd)(ptr.varPart ?? tnumConst(0n), offReg.varOff);
    if (o === BPF_ADD) {
      d.r64 = C64.add(ptr.r64, offReg.r64);
      d.varOff = tnumAdd(ptr.varOff, offReg.varOff);
      // an unknown addend makes a new packet base without a checked range; any arithmetic
      // forgets AT_PKT_END / BEYOND_PKT_END
      if (pkt && !known) d.id = nextId();
      if (pkt && (!known || d.range < 0)) d.range = 0;
    } else if (o === BPF_SUB) {
      if (scalarDst) return reject(EACCES, msg.subPtrFromScalar(dstno));
      if (ptr.type === 'ptr_to_stack') return reject(EACCES, msg.subFromStackPtr(dstno));
      d.r64 = C64.add(ptr.r64, C64.negate(offReg.r64));
      d.varOff = tnumSub(ptr.varOff, offReg.varOff);
      if (pkt && !known) d.id = nextId();
      if (pkt && ((!known && sminv < 0n) || d.range < 0)) d.range = 0;
    } else if (o === BPF_AND || o === BPF_OR || o === BPF_XOR) {
      return reject(EACCES, msg.ptrBitwise(dstno, ALU_OP_STRING[o]!));
    } else {
      return reject(EACCES, msg.ptrArithOp(dstno, ALU_OP_STRING[o]!));
    }
    const dv = BigInt.asIntN(64, d.varOff.value);
    if ((tnumIsConst(d.varOff) && (dv >= BPF_MAX_VAR_OFF || dv <= -BPF_MAX_VAR_OFF)) || smin(d) >= BPF_MAX_VAR_OFF || smin(d) <= -BPF_MAX_VAR_OFF)
      return reject(EINVAL, msg.ptrOffsetNotAllowed(typeStr, tnumIsConst(d.varOff) ? dv : smin(d)));
    regBoundsSync(d);
    regs[dstno] = d;
    return undefined;
  }

  private pushPath(pending: Path[], path: Path, st: VState): void {
    if (path.cp) path.cp.branches++;
    pending.push({ st, cp: path.cp });
  }

  private condJmp(st: VState, insn: RawInsn, idx: number, pending: Path[], path: Path): CheckResult | undefined {
    const regs = curFrame(st).regs;
    const o = opOp(insn.code);
    if (o > 0xd0) return reject(EINVAL, `invalid BPF_JMP/JMP32 opcode ${o.toString(16)}`);
    if (regs[insn.dst]!.type === 'not_init') return reject(EACCES, msg.notReadOk(insn.dst));
    const isX = opSource(insn.code) === BPF_X;
    if (isX && regs[insn.src]!.type === 'not_init') return reject(EACCES, msg.notReadOk(insn.src));
    const jmp32 = opClass(insn.code) === BPF_JMP32;
    const dst = regs[insn.dst]!;
    const srcReg = isX ? regs[insn.src]! : knownScalarImm(insn.imm);
    const b: BranchRegs = { true1: { ...dst }, true2: { ...srcReg }, false1: { ...dst }, false2: { ...srcReg } };
    let pred: -1 | 0 | 1;
    if (dst.type === 'scalar' && srcReg.type === 'scalar') pred = scalarBranchTaken(dst, srcReg, isX && insn.src === insn.dst, o, jmp32, b);
    else pred = pointerBranchTaken(dst, srcReg, o, jmp32);
    const target = idx + insn.off + 1;
    if (pred === 1) {
      st.insnIdx = target;
      return undefined;
    }
    if (pred === 0) {
      st.insnIdx = idx + 1;
      return undefined;
    }
    for (const r of [b.true1, b.true2, b.false1, b.false2]) if (r.type === 'scalar' && boundsInsane(r)) return reject(EFAULT, 'verifier bug: REG INVARIANTS VIOLATION');
    const other = cloneState(st);
    const oregs = curFrame(other).regs;
    regs[insn.dst] = b.false1;
    if (isX) regs[insn.src] = b.false2;
    oregs[insn.dst] = b.true1;
    if (isX) oregs[insn.src] = b.true2;
    if (isX && insn.src === insn.dst) {
      // both names refer to one register: the kernel writes dst last
      regs[insn.dst] = b.false1;
      oregs[insn.dst] = b.true1;
    }
    if (isX && srcReg.type === 'scalar' && srcReg.id) {
      syncLinked(st, regs[insn.src]!);
      syncLinked(other, oregs[insn.src]!);
    }
    if (dst.type === 'scalar' && dst.id) {
      syncLinked(st, regs[insn.dst]!);
      syncLinked(other, oregs[insn.dst]!);
    }
    if (!jmp32 && dst.type !== 'scalar') this.learnFromPointerJmp(insn, o, dst, srcReg, st, other);
    other.insnIdx = target;
    st.insnIdx = idx + 1;
    this.pushPath(pending, path, other);
    return undefined;
  }

  /**
   * check_cond_jmp_op after the fork, for a pointer in dst: pointer == pointer lifts a NULL
   * possibility, `if (p == 0)` resolves one in both branches, a comparison with pkt_end gives
   * packet pointers their range. `st` falls through, `other` takes the jump.
   */
  private learnFromPointerJmp(insn: RawInsn, o: number, dst: Reg, srcReg: Reg, st: VState, other: VState): void {
    const isX = opSource(insn.code) === BPF_X;
    if (isX && srcReg.type !== 'scalar' && (o === BPF_JEQ || o === BPF_JNE)) {
      const eq = curFrame(o === BPF_JEQ ? other : st).regs;
      if (regNotNull(dst) && mayBeNull(srcReg.type)) markPtrNotNull(eq[insn.src]!);
      if (regNotNull(srcReg) && mayBeNull(dst.type)) markPtrNotNull(eq[insn.dst]!);
    }
    const againstZero = isX ? srcReg.type === 'scalar' && tnumIsConst(srcReg.varOff) && srcReg.varOff.value === 0n : insn.imm === 0;
    if ((o === BPF_JEQ || o === BPF_JNE) && mayBeNull(dst.type) && againstZero) {
      markPtrOrNullRegs(st, dst.id, o === BPF_JNE);
      markPtrOrNullRegs(other, dst.id, o === BPF_JEQ);
    } else if (isX) {
      tryMatchPktPointers(o, insn.dst, insn.src, dst, srcReg, st, other);
    }
  }

  private checkFuncCall(st: VState, insn: RawInsn, idx: number, _pending: Path[], _path: Path): CheckResult | undefined {
    const target = idx + insn.imm + 1;
    const callee = this.subprogOf[target]!;
    const sub = this.subprogs[callee]!;
    const caller = curFrame(st);
    const info = this.info[callee]!;
    // btf_check_subprog_call → btf_check_func_arg_match; a mismatch marks the function's BTF
    // unreliable for the rest of the verification (func_info_aux[].unreliable), skipping later checks
    let err: CheckResult | undefined;
    if (this.unreliable.has(callee)) err = reject(EINVAL, '');
    else {
      const prep = this.prepareFuncArgs(callee);
      if (prep === 'unreliable') err = reject(EINVAL, '');
      else if (prep) {
        if (prep.kind === 'reject' && prep.errno === EFAULT) {
          // more than MAX_BPF_FUNC_ARGS: 7.2.13 still checks the outgoing slots of a caller that
          // wrote any (measured: 13 declared, 7 written -> "callee expects 13 args, stack arg8 ...";
          // 20 declared, none written -> the parameter-count line)
          if (info.argCnt > 5 && caller.outArgs.length > 0) {
            const e = checkOutgoingStackArgs(caller, info.argCnt);
            if (e) return e;
          }
          return prep;
        }
        if (info.inStackArgs > 0) {
          const e = checkOutgoingStackArgs(caller, info.argCnt);
          if (e) return e;
        }
        err = prep;
      } else {
        const e = checkOutgoingStackArgs(caller, info.argCnt);
        if (e) return e;
        for (let i = 0; i < info.argCnt; i++) {
          const r = i < 5 ? caller.regs[i + 1]! : caller.outArgs[i - 5]!;
          if (r.type !== 'scalar') {
            err = reject(EINVAL, `${i < 5 ? `R${i + 1}` : `*(R11-${(i - 4) * 8})`} is not a scalar`);
            break;
          }
        }
      }
      if (err) this.unreliable.add(callee);
    }
    if (sub.linkage === 'global') {
      if (err) return reject(err.kind === 'reject' ? err.errno : EINVAL, msg.callerPassesInvalidArgs(callee, sub.name));
      this.calledGlobals.add(callee);
      if (this.changesPktData[callee]) clearAllPktPointers(st);
      clearCallerSaved(caller);
      invalidateOutgoingStackArgs(caller);
      caller.regs[0] = unknownScalar();
      st.insnIdx = idx + 1;
      return undefined;
    }
    const callerInfo = this.info[caller.subprog]!;
    const total = callerInfo.inStackArgs + info.inStackArgs;
    if (total > callerInfo.stackArgCnt) callerInfo.stackArgCnt = total;
    // setup_func_entry
    if (st.frames.length >= this.profile.limits.maxCallFrames) return reject(E2BIG, msg.callStackTooDeep(st.frames.length + 1));
    const frame = newFrame(st.frames.length, callee, idx);
    for (let r = 1; r <= 5; r++) frame.regs[r] = { ...caller.regs[r]! };
    st.frames.push(frame);
    clearCallerSaved(caller);
    st.insnIdx = sub.start;
    return undefined;
  }

  private exit(st: VState): CheckResult | 'exit' | undefined {
    const f = curFrame(st);
    if (st.frames.length > 1) {
      // prepare_func_exit
      const r0 = f.regs[0]!;
      if (r0.type === 'ptr_to_stack') return reject(EINVAL, 'cannot return stack pointer to the caller');
      st.frames.pop();
      const caller = curFrame(st);
      caller.regs[0] = { ...r0 };
      invalidateOutgoingStackArgs(caller);
      st.insnIdx = f.callsite + 1;
      return undefined;
    }
    // process_bpf_exit_full: references still held at an exit of frame 0 come first
    const leak = referenceLeak(st, this.profile);
    if (leak) return reject(EINVAL, leak);
    const r0 = f.regs[0]!;
    if (f.subprog !== 0) {
      if (r0.type === 'not_init') return reject(EACCES, msg.notReadOk(0));
      if (r0.type !== 'scalar') return reject(EINVAL, msg.subprogExitR0(regTypeStr(r0)));
      return 'exit';
    }
    if (r0.type === 'not_init') return reject(EACCES, msg.notReadOk(0));
    this.exitR0?.push({ ...r0 });
    return 'exit';
  }

  // ---- state pruning -------------------------------------------------------------------------
  private isStateVisited(path: Path, idx: number): CheckResult | 'pruned' | undefined {
    const list = this.explored.get(idx) ?? [];
    const cur = path.st;
    // the kernel only keeps a new state after at least 2 jumps and 8 insns since the last one
    let addNew = this.jmpsProcessed - this.prevJmps >= 2 && this.processed - this.prevProcessed >= 8;
    this.compared += list.length;
    if (this.compared > COMPARE_BUDGET) return unknown(`loop exploration: more than ${COMPARE_BUDGET} state comparisons at ${this.processed} insns`);
    // newest first, as the kernel adds each new state at the head of the insn's list
    for (let i = list.length - 1; i >= 0; i--) {
      const cp = list[i]!;
      if (cp.branches > 0) {
        if (statesEqual(cp.state, cur, true)) return reject(EINVAL, `infinite loop detected at insn ${idx}`);
        if (this.jmpsProcessed - this.prevJmps < 20 && this.processed - this.prevProcessed < 100) addNew = false;
      } else if (statesEqual(cp.state, cur, false)) {
        cp.hits++;
        return 'pruned';
      }
      // a miss counts only when a new state will be kept; a state that keeps missing is dropped
      // from the list (is_state_visited's eviction: miss_cnt > hit_cnt * 3 + 3)
      if (addNew) cp.misses++;
      if (cp.misses > cp.hits * 3 + 3) list.splice(i, 1);
    }
    if (!addNew) return undefined;
    this.prevJmps = this.jmpsProcessed;
    this.prevProcessed = this.processed;
    const cp: Checkpoint = { parent: path.cp, branches: 1, insn: idx, state: cloneState(cur), hits: 0, misses: 0 };
    list.push(cp);
    // a list evicted down to nothing is still the one in the map; only a new list needs adding
    if (list.length === 1) this.explored.set(idx, list);
    path.cp = cp;
    return undefined;
  }
}

/**
 * mark_subprog_changes_pkt_data (check_cfg): a subprogram that calls a helper moving packet data,
 * or calls a subprogram that does, invalidates the caller's packet pointers (for global calls).
 */
function changesPktData(prog: Program, subprogs: Subprog[], subprogOf: Int32Array): boolean[] {
  const own = subprogs.map((s) => {
    for (let i = s.start; i < s.end; i++) {
      const insn = prog.insns[i]!;
      if (insn.code === (BPF_JMP | BPF_CALL) && insn.src === 0 && helperChangesPktData(insn.imm)) return true;
    }
    return false;
  });
  const memo = new Map<number, boolean>();
  const visit = (k: number, seen: Set<number>): boolean => {
    const known = memo.get(k);
    if (known !== undefined) return known;
    let v = own[k]!;
    seen.add(k);
    const s = subprogs[k]!;
    for (let i = s.start; i < s.end && !v; i++) {
      const insn = prog.insns[i]!;
      if (insn.code !== (BPF_JMP | BPF_CALL) || insn.src !== BPF_PSEUDO_CALL) continue;
      const callee = subprogOf[i + insn.imm + 1]!;
      if (!seen.has(callee)) v = visit(callee, seen);
    }
    memo.set(k, v);
    return v;
  };
  return subprogs.map((_, k) => visit(k, new Set()));
}

/** is_branch_taken when a pointer is involved: only packet pointers against pkt_end and a non-NULL pointer against 0 */
function pointerBranchTaken(dst: Reg, srcReg: Reg, o: number, jmp32: boolean): -1 | 0 | 1 {
  if (isPktPointerAny(dst.type) && isPktPointerAny(srcReg.type) && !jmp32) return pktPtrBranchTaken(dst, srcReg, o);
  // the low 32 bits of a valid pointer may well be zero
  if (jmp32) return -1;
  const isConst = (r: Reg): boolean => r.type === 'scalar' && tnumIsConst(r.varOff);
  let r1 = dst, r2 = srcReg, opc = o;
  if (!isConst(r2)) {
    opc = flipOpcode(opc);
    [r1, r2] = [r2, r1];
  }
  if (!isConst(r2) || !regNotNull(r1) || r2.varOff.value !== 0n) return -1;
  return opc === BPF_JEQ ? 0 : opc === BPF_JNE ? 1 : -1;
}

/** check_reg_arg(SRC_OP) */
function readReg(regs: Reg[], r: number): CheckResult | undefined {
  return regs[r]!.type === 'not_init' ? reject(EACCES, msg.notReadOk(r)) : undefined;
}

/** check_reg_arg(DST_OP) */
function writeReg(r: number): CheckResult | undefined {
  return r === BPF_REG_FP ? reject(EACCES, msg.fpReadOnly()) : undefined;
}

/** 6.12 checks register numbers as the walk reaches each insn (check_reg_arg) */
function checkRegNumbers612(insn: RawInsn): CheckResult | undefined {
  if (insn.dst >= 11) return reject(EINVAL, msg.regInvalid(insn.dst));
  if (insn.src >= 11) return reject(EINVAL, msg.regInvalid(insn.src));
  return undefined;
}
void checkRegNumbers;

/** sync_linked_regs: registers sharing a scalar id learn the refined bounds (with their delta) */
function syncLinked(st: VState, known: Reg): void {
  const id = known.id;
  const visit = (r: Reg): Reg => {
    if (r === known || r.type !== 'scalar' || r.id !== id) return r;
    if (r.delta === known.delta) return { ...known, delta: r.delta, linked32: r.linked32 };
    const copy: Reg = { ...known, delta: r.delta, id: r.id, linked32: r.linked32 };
    const k = knownScalar(BigInt(r.delta - known.delta));
    copy.r32 = C32.add(copy.r32, k.r32);
    copy.r64 = C64.add(copy.r64, k.r64);
    copy.varOff = tnumAdd(copy.varOff, k.varOff);
    if (r.linked32 || known.linked32) zext32To64(copy);
    regBoundsSync(copy);
    return copy;
  };
  for (const f of st.frames) {
    for (let i = 0; i < BPF_REG_FP; i++) f.regs[i] = visit(f.regs[i]!);
    for (const s of f.stack) if (s.types[7] === 'spill') s.spilled = visit(s.spilled);
  }
}

/** check_ids: the pointer ids of the old state map one-to-one onto those of the current one */
const idPairs: number[] = [];
function checkIds(oldId: number, curId: number): boolean {
  if ((oldId === 0) !== (curId === 0)) return false;
  if (oldId === 0) return true;
  for (let i = 0; i < idPairs.length; i += 2) {
    if (idPairs[i] === oldId) return idPairs[i + 1] === curId;
    if (idPairs[i + 1] === curId) return false;
  }
  idPairs.push(oldId, curId);
  return true;
}

const sameBounds = (old: Reg, cur: Reg): boolean => tnumEquals(old.varOff, cur.varOff) && cnumEquals(old.r64, cur.r64) && cnumEquals(old.r32, cur.r32);
const withinBounds = (old: Reg, cur: Reg): boolean =>
  C64.isSubset(old.r64, cur.r64) && C32.isSubset(old.r32, cur.r32) && tnumIn(old.varOff, cur.varOff);

/** regs_exact */
function regsExact(old: Reg, cur: Reg): boolean {
  if (old.type !== cur.type || !sameBounds(old, cur) || old.frameno !== cur.frameno || old.mapIdx !== cur.mapIdx || old.range !== cur.range) return false;
  if (old.type === 'scalar') return old.delta === cur.delta && (old.id === 0) === (cur.id === 0);
  return checkIds(old.id, cur.id);
}

/** regsafe: a path reaching `cur` is safe when one from `old` was */
function regsafe(old: Reg, cur: Reg, exact: boolean): boolean {
  if (exact) return regsExact(old, cur);
  if (old.type === 'not_init') return true;
  if (old.type !== cur.type) return false;
  switch (old.type) {
    case 'scalar':
      // linked scalars: be exact about links (the kernel checks id maps)
      if ((old.id === 0) !== (cur.id === 0) || old.delta !== cur.delta) return false;
      return withinBounds(old, cur);
    case 'map_value':
      return old.mapIdx === cur.mapIdx && withinBounds(old, cur) && checkIds(old.id, cur.id);
    case 'pkt':
    case 'pkt_meta':
      // at least the old range; AT_PKT_END / BEYOND_PKT_END only as they were
      if (old.range < 0 || cur.range < 0 ? old.range !== cur.range : old.range > cur.range) return false;
      if (!checkIds(old.id, cur.id)) return false;
      if (old.id && old.r64.base !== cur.r64.base) return false;
      return withinBounds(old, cur);
    default:
      return regsExact(old, cur);
  }
}

function statesEqual(old: VState, cur: VState, exact: boolean): boolean {
  if (old.frames.length !== cur.frames.length) return false;
  idPairs.length = 0;
  // refsafe
  if (old.refs.length !== cur.refs.length) return false;
  for (let i = 0; i < old.refs.length; i++) if (!checkIds(old.refs[i]!.id, cur.refs[i]!.id)) return false;
  for (let i = 0; i < old.frames.length; i++) {
    const a = old.frames[i]!, b = cur.frames[i]!;
    if (a.callsite !== b.callsite || a.subprog !== b.subprog) return false;
    for (let r = 0; r < BPF_REG_FP; r++) if (!regsafe(a.regs[r]!, b.regs[r]!, exact)) return false;
    if (!a.noStackArgLoad && b.noStackArgLoad) return false;
    if (exact && a.noStackArgLoad !== b.noStackArgLoad) return false;
    const nArgs = Math.max(a.outArgs.length, b.outArgs.length);
    for (let s = 0; s < nArgs; s++) {
      const ra = a.outArgs[s] ?? notInitReg(), rb = b.outArgs[s] ?? notInitReg();
      if (exact ? !regsafe(ra, rb, true) : ra.type !== 'not_init' && !regsafe(ra, rb, false)) return false;
      if (!exact && ra.type === 'not_init' && rb.type !== 'not_init') return false;
    }
    const n = Math.max(a.stack.length, b.stack.length);
    for (let s = 0; s < n; s++) {
      const sa = a.stack[s], sb = b.stack[s];
      for (let k = 0; k < 8; k++) {
        const ta = sa?.types[k] ?? 'invalid', tb = sb?.types[k] ?? 'invalid';
        if (exact) {
          if (ta !== tb) return false;
          continue;
        }
        if (ta === 'invalid') continue;
        if (ta === 'misc') continue;
        if (ta !== tb) return false;
      }
      if (sa && sa.types[7] === 'spill') {
        if (!sb || !regsafe(sa.spilled, sb.spilled, exact)) return false;
      }
    }
  }
  return true;
}
