// Path exploration (do_check, do_check_main, do_check_subprogs in kernel/bpf/verifier.c): walks
// every path of the program instruction by instruction, forking at undecided branches and
// handing each instruction class to its check: ALU (check-alu.ts), memory (memory.ts,
// atomic.ts, the r11 area in calls.ts), calls and exits (func-call.ts, helper-call.ts),
// conditional jumps (cond-jmp.ts). Pruning against explored states is states.ts.
import type { RawInsn } from '../isa/raw.ts';
import {
  BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_CALL, BPF_EXIT, BPF_JA, BPF_JMP, BPF_JMP32, BPF_LD, BPF_LDX, BPF_MEMSX, BPF_PSEUDO_CALL, BPF_PSEUDO_MAP_FD,
  BPF_ST, BPF_STX, BPF_X, isLdAbsInd, isLdImm64, isStackArgLdx, isStackArgSt, isStackArgStx, opClass, opMode, opOp, opSource, sizeBytes,
} from '../isa/index.ts';
import type { Program } from '../program/types.ts';
import { checkAtomic } from './atomic.ts';
import { stackArgRead, stackArgWrite, type SubprogInfo } from './calls.ts';
import { checkAluOp } from './check-alu.ts';
import { checkCondJmpOp } from './cond-jmp.ts';
import type { LinkedRegsRules } from './linked-regs.ts';
import { saveAuxPtrType } from './aux-ptr-type.ts';
import { checkLdAbs } from './ld-abs.ts';
import { changesPktData, checkFuncCall, prepareFuncArgs, processExit, type CallEnv } from './func-call.ts';
import { calleeArgState } from './global-args.ts';
import { checkHelperCall } from './helper-call.ts';
import { checkMemAccess, type MemEnv } from './memory.ts';
import { E2BIG, EACCES, EFAULT, EINVAL, msg } from './messages.ts';
import { checkInsnFields, checkRegNumbers, reject, unknown, type CheckResult, type Subprog } from './precheck.ts';
import type { Profile } from './profile.ts';
import { readReg, writeReg } from './reg-args.ts';
import { ExploredStates, finishPath, type Path } from './states.ts';
import { cleanDeadRegs, computeLiveRegs } from './live-regs.ts';
import { helperAvailable, helperProto } from './helpers.ts';
import { knownScalar, newFrame, pointerReg, resetIds, unknownScalar, curFrame, type Frame, type Reg, type RegType, type VState } from './state.ts';
import { recordStep, type WalkTrace } from './trace.ts';
import { markZextReads, recordDef } from './subreg-def.ts';
import { cover } from './coverage.ts';

/** the model explores more than the kernel (no precision tracking); past this it answers unknown */
const MODEL_BUDGET = 250_000;

export class Walker implements CallEnv {
  processed = 0;
  private jmpsProcessed = 0;
  private readonly hasBackEdge: boolean;
  readonly info: SubprogInfo[];
  private readonly explored: ExploredStates;
  private readonly prunePoints: Uint8Array;
  /** live_regs_before of each insn, when the current state is cleaned with it at prune points (7.x) */
  private readonly cleanCurrent: Uint16Array | undefined;
  /** insn_aux_data.ptr_type: the pointer type each load or store went through first */
  private readonly auxPtrType = new Map<number, RegType>();
  /** which registers a conditional jump links (collect_linked_regs) */
  private readonly linkedRules: LinkedRegsRules;
  /** global subprogs a call reached; verified after main (do_check_subprogs) */
  readonly calledGlobals = new Set<number>();
  /** subprograms whose BTF no longer describes how they are called */
  readonly unreliable = new Set<number>();
  /** when set, every R0 state at the main program's exit is recorded (bounds soundness tests) */
  exitR0: Reg[] | undefined;
  /** when set, what the rewrite passes need (seen insns, pointer types, maps at calls) */
  trace: WalkTrace | undefined;
  /** called with the state before each instruction is checked (core/model/walk-log.ts) */
  onInsn: ((idx: number, st: VState) => void) | undefined;
  readonly memEnv: MemEnv;
  /** subprog_info[].changes_pkt_data: the subprogram or one it calls may move packet data */
  readonly changesPktData: boolean[];

  constructor(
    private readonly prog: Program,
    readonly profile: Profile,
    readonly subprogs: Subprog[],
    readonly subprogOf: Int32Array,
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
        // visit_func_call_insn: the insn after any call; a bpf-to-bpf call also at the call itself
        // and (a BRANCH edge in push_insn) at the callee's first insn
        this.prunePoints[i + 1] = 1;
        if (insn.src === BPF_PSEUDO_CALL && !process.env.NOPP) {
          this.prunePoints[i] = 1;
          if (i + insn.imm + 1 >= 0 && i + insn.imm + 1 < n) this.prunePoints[i + insn.imm + 1] = 1;
        }
        return;
      }
      const off = insn.code === (BPF_JMP32 | BPF_JA) ? insn.imm : insn.off;
      this.prunePoints[i + off + 1] = 1;
      if (off < 0) backEdge = true;
      if (o !== BPF_JA) this.prunePoints[i] = 1;
    });
    this.hasBackEdge = backEdge;
    // 6.12 marks what explored paths read; the may-live registers of the CFG are a superset of those
    const live = computeLiveRegs(prog.insns, subprogs.map((s) => s.start), profile.features.stackArgReg, (id) =>
      helperAvailable(prog.progType, id) ? helperProto(id)?.args.length : undefined, profile.features.liveRegsFolded);
    // 7.x cleans the current state at each prune point; 6.12 an explored state once it is complete
    this.cleanCurrent = profile.features.liveRegsFolded ? live : undefined;
    this.linkedRules = { max: profile.limits.linkedRegsMax, live: this.cleanCurrent };
    this.explored = new ExploredStates(profile.features.clearSingularIds, prog.insns.length, this.cleanCurrent ? undefined : (st, idx) => cleanDeadRegs(st, idx, live));
  }

  /** do_check_common for `sub` (0 = main) */
  run(sub: number): CheckResult | undefined {
    const frame = newFrame(0, sub, -1);
    if (sub === 0) {
      frame.regs[1] = pointerReg('ptr_to_ctx', 0);
    } else {
      const prep = prepareFuncArgs(this, sub);
      if (prep && prep !== 'unreliable') return prep;
      const nregs = Math.min(this.subprogs[sub]!.args, 5);
      const args = this.info[sub]!.args;
      for (let r = 1; r <= nregs; r++) frame.regs[r] = args ? calleeArgState(args[r - 1]!) : unknownScalar();
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
        if (this.cleanCurrent) cleanDeadRegs(st, idx, this.cleanCurrent);
        const v = this.explored.visit(path, idx, this.processed, this.jmpsProcessed);
        if (v === 'pruned') {
          finishPath(path.cp);
          return undefined;
        }
        if (v) return v;
      }
      const insn = insns[idx]!;
      if (this.trace) recordStep(this.trace, st, insn, idx);
      const ic = opClass(insn.code);
      if (ic === BPF_JMP || ic === BPF_JMP32) this.jmpsProcessed++;
      // the kernel logs the instruction before it checks its fields (do_check), so does the walk log
      this.onInsn?.(idx, st);
      if (!this.profile.features.insnFieldsCheckedBeforeWalk) {
        const bad = checkRegNumbers(insn, this.profile) ?? checkInsnFields(insn);
        if (bad) return bad;
      }
      if (this.trace) markZextReads(st, insn, this.trace.zextDst);
      const out = this.step(st, insn, idx, pending, path);
      if (out === undefined && this.trace) recordDef(st, insn, idx);
      if (out === 'exit') {
        finishPath(path.cp);
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
      case BPF_ALU:
      case BPF_ALU64: {
        const res = checkAluOp(st, insn, (other) => this.pushPath(pending, path, other), !this.profile.features.cnumBounds, !this.profile.features.boundsSync7x);
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
        const ldsx = opMode(insn.code) === BPF_MEMSX;
        cover(ldsx ? 'do_check:ldx-memsx' : 'do_check:ldx-mem');
        const res = checkMemAccess(st, { ...ptr }, { who: `R${insn.src}`, off: insn.off, size: sizeBytes(insn.code), write: false, valueRegno: insn.dst, ldsx }, this.memEnv)
          ?? saveAuxPtrType(this.auxPtrType, idx, ptr.type, true);
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
        cover(c === BPF_STX ? 'do_check:stx-mem' : 'do_check:st-mem');
        const res = checkMemAccess(
          st,
          { ...ptr },
          { who: `R${insn.dst}`, off: insn.off, size: sizeBytes(insn.code), write: true, valueRegno: c === BPF_STX ? insn.src : -1, imm: c === BPF_ST ? insn.imm : undefined, ldsx: false },
          this.memEnv,
        ) ?? saveAuxPtrType(this.auxPtrType, idx, ptr.type, false);
        if (res) return res;
        st.insnIdx = idx + 1;
        return undefined;
      }
      case BPF_LD: {
        if (!isLdImm64(insn)) {
          if (!isLdAbsInd(insn)) return reject(EINVAL, 'invalid BPF_LD mode');
          const res = checkLdAbs(st, insn, this.prog.progType, this.profile, (other) => this.pushPath(pending, path, other), (s) => {
            const out = processExit(this, s);
            return out === 'exit' ? undefined : out;
          });
          return res;
        }
        const e = writeReg(insn.dst);
        if (e) return e;
        const hi = this.prog.insns[idx + 1]!.imm;
        if (insn.src === 0) regs[insn.dst] = knownScalar((BigInt(hi >>> 0) << 32n) | BigInt(insn.imm >>> 0));
        else {
          // check_ld_imm: a map (src 1) or the value of a one-element array (src 2) at offset hi
          cover(insn.src === BPF_PSEUDO_MAP_FD ? 'do_check:ld-imm64-map-ptr' : 'do_check:ld-imm64-map-value');
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
          if (insn.src === BPF_PSEUDO_CALL) return checkFuncCall(this, st, insn, idx);
          return checkHelperCall(st, insn.imm, idx, this.memEnv, (other) => this.pushPath(pending, path, other));
        }
        if (o === BPF_JA) {
          if (opSource(insn.code) === BPF_X) return unknown('indirect jumps (gotox)');
          cover(c === BPF_JMP ? 'do_check:ja' : 'do_check:gotol');
          st.insnIdx = idx + (c === BPF_JMP ? insn.off : insn.imm) + 1;
          if (st.insnIdx <= idx) cover('do_check:back-edge-walked');
          return undefined;
        }
        if (o === BPF_EXIT) return processExit(this, st);
        return checkCondJmpOp(st, insn, idx, (other) => this.pushPath(pending, path, other), this.linkedRules, !this.profile.features.boundsSync7x);
      }
      default:
        return reject(EINVAL, msg.unknownOpcode(insn.code));
    }
  }

  private readonly onStackDepth = (frame: Frame, bytes: number): void => {
    const info = this.info[frame.subprog]!;
    if (info.stackDepth < bytes) info.stackDepth = bytes;
  };

  private pushPath(pending: Path[], path: Path, st: VState): void {
    if (path.cp) path.cp.branches++;
    pending.push({ st, cp: path.cp });
  }

}
